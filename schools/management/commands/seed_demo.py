"""`manage.py seed_demo`: a deterministic, idempotent Dutch demo landscape (see schools/demo.py)."""

from django.core.management.base import BaseCommand, CommandError

from leerkracht.tenancy import scopes_disabled
from schools.demo import DEFAULT_SCHOOLS, DEFAULT_SEED, MAX_SCHOOLS, seed_demo


class Command(BaseCommand):
    help = (
        "Seed demo besturen, schools, teams and people (deterministic; running it again adds "
        "nothing). Every seeded account uses the password in schools.demo.DEMO_PASSWORD."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=DEFAULT_SCHOOLS,
            help=f"Number of schools (default {DEFAULT_SCHOOLS}; 4250 is national scale).",
        )
        parser.add_argument("--seed", default=DEFAULT_SEED, help="Seed of the generator (default %(default)s).")

    def handle(self, *args, schools: int, seed: str, **options):
        if not 1 <= schools <= MAX_SCHOOLS:
            raise CommandError(f"--schools must be between 1 and {MAX_SCHOOLS}.")
        with scopes_disabled():
            seed_demo(schools=schools, seed=seed, log=self.stdout.write)
