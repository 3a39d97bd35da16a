"""What the instruments do when the schools app below them says something happened
(schools/signals.py). Connected in InstrumentsConfig.ready."""

from __future__ import annotations

from django.dispatch import receiver

from schools.signals import staff_left


@receiver(staff_left, dispatch_uid="instruments.lesson_visits_of_a_leaver")
def lesson_visits_of_a_leaver(sender, *, school, user, removed_by, now, **kwargs) -> None:
    from instruments.services.lesson_visit import lesson_visits_cancel_for_leaver

    lesson_visits_cancel_for_leaver(school=school, user=user, removed_by=removed_by, now=now)
