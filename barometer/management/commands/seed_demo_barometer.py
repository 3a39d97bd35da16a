from django.core.management.base import BaseCommand

from barometer.demo import seed_demo_barometer
from leerkracht.tenancy import scopes_disabled


class Command(BaseCommand):
    help = (
        "Give the demo schools two closed barometer waves and a closed learning-culture survey, answered "
        "through the services (after seed_demo; idempotent)."
    )

    def handle(self, *args, **options):
        with scopes_disabled():
            made = seed_demo_barometer()
            if not made:
                self.stdout.write("Demo barometer waves exist already (or no published questionnaire).")
            for wave in made:
                self.stdout.write(f"{wave.name}: {wave.responses.count()} responses, moments closed.")
