"""Routes of the lesson visit instrument."""

urlpatterns = []
