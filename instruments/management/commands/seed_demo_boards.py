from django.core.management.base import BaseCommand

from instruments.demo import seed_demo_instruments
from leerkracht.tenancy import scopes_disabled


class Command(BaseCommand):
    help = (
        "Give the demo teacher's team a board, lesson designs, lesson visits and feedback rounds in use, "
        "and its school an ambition and themes (after seed_demo; idempotent)."
    )

    def handle(self, *args, **options):
        with scopes_disabled():
            seeded = seed_demo_instruments()
        if seeded is None:
            self.stdout.write("No demo teacher: run seed_demo first.")
            return
        board = seeded.board
        self.stdout.write(f"Demo board: {board.title} (/school/{board.school_id}/borden/{board.pk}/)")
        self.stdout.write(
            f"Lesson designs {len(seeded.lesson_designs)}, lesson visits {len(seeded.lesson_visits)}, "
            f"feedback rounds {len(seeded.feedback_rounds)}, pupil input {int(seeded.pupil_input is not None)}."
        )
