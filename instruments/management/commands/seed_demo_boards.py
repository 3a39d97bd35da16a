from django.core.management.base import BaseCommand

from instruments.demo import seed_demo_board
from leerkracht.tenancy import scopes_disabled


class Command(BaseCommand):
    help = "Give the demo teacher's team a board in use (after seed_demo; idempotent)."

    def handle(self, *args, **options):
        with scopes_disabled():
            board = seed_demo_board()
        if board is None:
            self.stdout.write("No demo teacher: run seed_demo first.")
        else:
            self.stdout.write(f"Demo board: {board.title} (/school/{board.school_id}/borden/{board.pk}/)")
