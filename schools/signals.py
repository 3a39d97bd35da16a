"""What the schools app tells the floors above it (DESIGN.md §4: they import schools, never the
other way round)."""

from django.dispatch import Signal

# A person was written out of a school (`schools.services.people.staff_remove`), sent inside its
# transaction with `school`, `user`, `removed_by` and `now`: an app above tidies what it planned
# with them there (the instruments cancel their lesson visits still to come).
staff_left = Signal()
