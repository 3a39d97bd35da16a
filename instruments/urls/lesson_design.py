"""Routes of the lesson design instrument."""

urlpatterns = []
