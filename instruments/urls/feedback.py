"""Routes of the feedback instrument."""

urlpatterns = []
