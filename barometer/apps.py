from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    """Impact-barometer questionnaires, waves, anonymous answers and results (later issues)."""

    name = "barometer"
    verbose_name = _("Impact-barometer")

    def ready(self):
        # Registers the finisher that puts the answer link into outbox messages at send time.
        from barometer import mail  # noqa: F401
        from barometer.selectors.answers import my_week_questionnaires
        from instruments import week

        # "Een open vragenlijst wacht op je" on the teacher's week: the instruments own the page
        # and never import the barometer, so the barometer adds its section here.
        week.section(
            name="my-questionnaires",
            template="barometer/my_week_questionnaires.html",
            load=my_week_questionnaires,
            order=100,
        )
