"""Write docs/access.md from the role × capability matrix in leerkracht/roles.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from leerkracht.roles import render_matrix_markdown


class Command(BaseCommand):
    help = "Render docs/access.md from the role × capability matrix in code."

    def handle(self, *args, **options):
        target = Path(settings.BASE_DIR) / "docs" / "access.md"
        target.write_text(render_matrix_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {target.relative_to(settings.BASE_DIR)}")
