"""What the result pages show, built from `results` (already suppressed) and, for the impact
staircase, from what the instruments recorded (`implementation`). Nothing here reads an answer
row: every figure comes through `results_compute` or `open_answers`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barometer.models import QuestionnaireKind, Wave, WaveSchool, WaveSchoolStatus
from barometer.models.questionnaire import OPTIONS
from barometer.selectors.results import (
    Correlation,
    GroupScores,
    Item,
    Level,
    OpenAnswers,
    Results,
    Score,
    correlation,
    half_up,
    open_answers,
    results_compute,
)
from instruments.selectors.metrics import (
    TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK,
    TARGET_DESIGNS_PER_TEACHER_PER_MONTH,
    TARGET_VISITS_PER_TEACHER_PER_MONTH,
    Recorded,
    recorded_for_school,
)
from leerkracht import clock

# -------------------------------------------------------------------------------- choosing waves


def school_closed_waves(*, school_id: int) -> list[Wave]:
    """The waves in which the school's moment has closed, newest first (results exist only
    there), each with its version and questionnaire."""
    moments = (
        WaveSchool.objects.filter(school_id=school_id, status=WaveSchoolStatus.CLOSED)
        .select_related("wave__version__questionnaire")
        .order_by("-closes_at", "-pk")
    )
    return [moment.wave for moment in moments]


def wave_chosen(waves: list[Wave], wanted: int | None) -> Wave | None:
    """The wave asked for in the address if it is one of `waves`, else the newest."""
    for wave in waves:
        if wave.pk == wanted:
            return wave
    return waves[0] if waves else None


def same_questionnaire(waves: list[Wave], wave: Wave) -> list[Wave]:
    """The waves of the wave's questionnaire (any version: codes are stable), oldest first."""
    questionnaire_id = wave.version.questionnaire_id
    chosen = [w for w in waves if w.version.questionnaire_id == questionnaire_id]
    return sorted(chosen, key=lambda w: (w.created_at, w.pk))


# -------------------------------------------------------------------------------- one item's row
@dataclass(frozen=True)
class ItemRow:
    """One item of a section: the group's score and its breakdown (teams, regions, ...)."""

    item: Item
    score: Score | None
    breakdown: list[tuple[str, Score | None]] = field(default_factory=list)

    @property
    def headline(self) -> str:
        return headline(self.score)


def headline(score: Score | None) -> str:
    """The published figure of a score: "66%" or "3,4"; a dash-free Dutch phrase when hidden."""
    if score is None:
        return _("te weinig antwoorden")
    return score.figure


@dataclass(frozen=True)
class SectionRows:
    title: str
    rows: list[ItemRow]


def sections_of(items: list[Item], group: GroupScores, breakdown: list[GroupScores]) -> list[SectionRows]:
    sections: list[SectionRows] = []
    for item in items:
        if not sections or sections[-1].title != item.section:
            sections.append(SectionRows(title=item.section, rows=[]))
        sections[-1].rows.append(
            ItemRow(
                item=item,
                score=group.scores.get(item.code),
                breakdown=[(other.name, other.scores.get(item.code)) for other in breakdown],
            )
        )
    return sections


# -------------------------------------------------------------------------------- the staircase
# The frequency answers that meet the programme's rhythm (DESIGN.md §3): the board every week,
# a visit about every other week, a design and a feedback round about monthly.
USE_ITEMS = {
    "use_board": (5, gettext_lazy("Verbeterbord"), gettext_lazy("wekelijks of vaker")),
    "use_lesson_visit": (4, gettext_lazy("Lesbezoek"), gettext_lazy("een paar keer per maand of vaker")),
    "use_lesson_design": (3, gettext_lazy("Lesontwerp"), gettext_lazy("maandelijks of vaker")),
    "use_pupil_voice": (3, gettext_lazy("Stem van de leerling"), gettext_lazy("maandelijks of vaker")),
}
ENTHUSIASM = "enthusiasm"
TEACHING = "helps_teaching"
RESULTS = "helps_results"


def share_at_least(score: Score | None, minimum: int) -> int | None:
    """Whole percent of the answers at or above an option value (frequency items store 1..5)."""
    if score is None:
        return None
    options = [value for value, _label in OPTIONS[score.kind]]
    meeting = sum(count for value, count in zip(options, score.counts, strict=True) if value >= minimum)
    return half_up(100 * meeting, score.n)


@dataclass(frozen=True)
class UseRow:
    """One instrument: what teachers say (share meeting the rhythm) beside what was recorded."""

    code: str
    instrument: str
    rhythm: str
    reported: int | None  # % of teachers meeting the rhythm by their own account
    recorded: float | None  # the recorded rate, in the unit below
    unit: str
    target: float | None


@dataclass(frozen=True)
class Staircase:
    since: dt.date
    until: dt.date
    recorded: Recorded
    uses: list[UseRow]
    reported_use: int | None  # mean of the four shares meeting the rhythm
    enthusiasm: Score | None
    culture: Culture | None
    culture_wave: Wave | None
    teaching: Score | None
    results: Score | None


@dataclass(frozen=True)
class Culture:
    """The learning-culture survey's items taken together: the mean over every answer to them and
    the share (helemaal) eens, from the pooled counts of items that are all shown."""

    wave: Wave
    respondents: int
    mean: Decimal
    percent: int


def _culture(*, school_id: int, waves: list[Wave]) -> tuple[Culture | None, Wave | None]:
    """The newest closed learning-culture wave of the school, or None when an item is hidden."""
    culture_waves = [w for w in waves if w.version.questionnaire.kind == QuestionnaireKind.CULTURE]
    if not culture_waves:
        return None, None
    wave = culture_waves[0]
    results = results_compute(wave_ids=[wave.pk], school_ids=[school_id])
    groups = results.groups(Level.SCHOOL, wave_id=wave.pk)
    scores = list(groups[0].scores.values()) if groups else []
    if not scores or any(score is None for score in scores):
        return None, wave
    answers = sum(score.n for score in scores)
    culture = Culture(
        wave=wave,
        respondents=max(score.n for score in scores),
        mean=Decimal(half_up(10 * sum(score.total for score in scores), answers)).scaleb(-1),
        percent=half_up(100 * sum(score.agree for score in scores), answers),
    )
    return culture, wave


def staircase(*, school_id: int, moment: WaveSchool, group: GroupScores, waves: list[Wave]) -> Staircase:
    """The impact staircase of a school at one barometer moment: implementation (reported beside
    recorded over the half year before the moment), enthusiasm, learning culture, teaching."""
    until = moment.opens_on
    since = clock.add_months(until, -6)
    recorded = recorded_for_school(school_id=school_id, since=since, until=until)
    rates = {
        "use_board": (
            recorded.board_sessions_per_team_per_week,
            _("bordsessies per team per week"),
            TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK,
        ),
        "use_lesson_visit": (
            recorded.visits_per_teacher_per_month,
            _("lesbezoeken per leraar per maand"),
            TARGET_VISITS_PER_TEACHER_PER_MONTH,
        ),
        "use_lesson_design": (
            recorded.designs_per_teacher_per_month,
            _("lesontwerpen per leraar per maand"),
            TARGET_DESIGNS_PER_TEACHER_PER_MONTH,
        ),
        "use_pupil_voice": (
            recorded.feedback_rounds_per_teacher_per_month,
            _("feedbackrondes per leraar per maand"),
            None,
        ),
    }
    uses = []
    for code, (minimum, instrument, rhythm) in USE_ITEMS.items():
        rate, unit, target = rates[code]
        uses.append(
            UseRow(
                code=code,
                instrument=instrument,
                rhythm=rhythm,
                reported=share_at_least(group.scores.get(code), minimum),
                recorded=rate,
                unit=unit,
                target=target,
            )
        )
    reported = [use.reported for use in uses if use.reported is not None]
    culture, culture_wave = _culture(school_id=school_id, waves=waves)
    return Staircase(
        since=since,
        until=until,
        recorded=recorded,
        uses=uses,
        reported_use=half_up(sum(reported), len(reported)) if len(reported) == len(uses) else None,
        enthusiasm=group.scores.get(ENTHUSIASM),
        culture=culture,
        culture_wave=culture_wave,
        teaching=group.scores.get(TEACHING),
        results=group.scores.get(RESULTS),
    )


# -------------------------------------------------------------------------------- the school report
@dataclass(frozen=True)
class SchoolReport:
    waves: list[Wave]
    wave: Wave | None
    items: list[Item] = field(default_factory=list)
    school: GroupScores | None = None
    sections: list[SectionRows] = field(default_factory=list)
    team_names: list[str] = field(default_factory=list)
    trend_waves: list[Wave] = field(default_factory=list)
    trends: dict[str, list[Score | None]] = field(default_factory=dict)
    open_answers: list[OpenAnswers] = field(default_factory=list)
    staircase: Staircase | None = None

    @property
    def respondents(self) -> int | None:
        scores = [score.n for score in (self.school.scores.values() if self.school else []) if score]
        return max(scores) if scores else None


def school_report(*, school_id: int, wave_id: int | None) -> SchoolReport:
    """Everything the school's result page shows for one wave, suppressed."""
    waves = school_closed_waves(school_id=school_id)
    wave = wave_chosen(waves, wave_id)
    if wave is None:
        return SchoolReport(waves=waves, wave=None)
    trend_waves = same_questionnaire(waves, wave)
    results = results_compute(wave_ids=[w.pk for w in trend_waves], school_ids=[school_id])
    items = results.items_of(wave.pk)
    schools = results.groups(Level.SCHOOL, wave_id=wave.pk)
    group = schools[0] if schools else GroupScores(key=school_id, name="", scores={item.code: None for item in items})
    teams = results.groups(Level.TEAM, wave_id=wave.pk, school_id=school_id)
    trends = {
        item.code: [score for _wave_id, score in results.trend(Level.SCHOOL, key=school_id, code=item.code)]
        for item in items
    }
    stairs = None
    if wave.version.questionnaire.kind == QuestionnaireKind.BAROMETER:
        moment = WaveSchool.objects.get(school_id=school_id, wave_id=wave.pk)
        stairs = staircase(school_id=school_id, moment=moment, group=group, waves=waves)
    return SchoolReport(
        waves=waves,
        wave=wave,
        items=items,
        school=group,
        sections=sections_of(items, group, teams),
        team_names=[team.name for team in teams],
        trend_waves=trend_waves,
        trends=trends,
        open_answers=open_answers(school_id=school_id, wave_id=wave.pk),
        staircase=stairs,
    )


# -------------------------------------------------------------------------------- the national report
def closed_waves() -> list[Wave]:
    """Every wave with at least one closed school moment, newest first."""
    return list(
        Wave.objects.filter(schools__status=WaveSchoolStatus.CLOSED)
        .distinct()
        .select_related("version__questionnaire")
        .order_by("-created_at", "-pk")
    )


DEFAULT_CORRELATION = ("coach_appreciation", "enthusiasm")


class NationalComputed:
    """The closed waves and each questionnaire's aggregated results, read once and shared by
    every national selection built from them (one `results_compute` per questionnaire)."""

    def __init__(self):
        self.waves = closed_waves()
        self._results: dict[tuple[int, ...], Results] = {}

    def results_for(self, trend_waves: list[Wave]) -> Results:
        key = tuple(w.pk for w in trend_waves)
        if key not in self._results:
            self._results[key] = results_compute(wave_ids=list(key))
        return self._results[key]


@dataclass(frozen=True)
class NationalReport:
    waves: list[Wave]
    wave: Wave | None
    items: list[Item] = field(default_factory=list)
    total: GroupScores | None = None
    schools_counted: int = 0
    item: Item | None = None
    breakdown_label: str = ""
    breakdown: list[tuple[str, Score | None]] = field(default_factory=list)
    breakdown_groups: list[GroupScores] = field(default_factory=list)
    trend: list[tuple[Wave, Score | None]] = field(default_factory=list)
    item_x: Item | None = None
    item_y: Item | None = None
    correlation: Correlation | None = None

    @property
    def total_rows(self) -> list[tuple[Item, Score | None]]:
        return [(item, self.total.scores.get(item.code) if self.total else None) for item in self.items]

    @property
    def export_groups(self) -> list[tuple[str, GroupScores]]:
        groups = [(_("Selectie"), self.total)] if self.total else []
        return groups + [(group.name, group) for group in self.breakdown_groups]


BREAKDOWN_LABELS = {
    Level.SECTOR: gettext_lazy("Sector"),
    Level.REGION: gettext_lazy("Regio"),
    Level.SCHOOL_GROUP: gettext_lazy("Bestuur"),
}


def national_report(
    *,
    wave_id: int | None,
    sector: str | None,
    region_id: int | None,
    breakdown: str,
    code: str | None,
    code_x: str | None,
    code_y: str | None,
    computed: NationalComputed | None = None,
) -> NationalReport:
    """The national (or sector / region) results of one wave: the selection's scores, one item
    broken down by sector, region or bestuur, its trend over the questionnaire's waves, and the
    correlation of two items across the selection's schools. Sums over shown schools only.

    `computed` (from `national_computed`) lets several selections of the same waves share one
    aggregation, as the background snapshots do; without it the wave's results are computed here."""
    computed = computed or NationalComputed()
    waves = computed.waves
    wave = wave_chosen(waves, wave_id)
    if wave is None:
        return NationalReport(waves=waves, wave=None)
    trend_waves = same_questionnaire(waves, wave)
    results = computed.results_for(trend_waves)
    filters = {"sector": sector, "region_id": region_id}
    items = results.items_of(wave.pk)
    by_code = {item.code: item for item in items}
    total = results.total(wave_id=wave.pk, **filters)
    item = by_code.get(code) or (items[0] if items else None)
    groups = results.groups(breakdown, wave_id=wave.pk, **filters)
    counted = results.frame(Level.SCHOOL, **filters)
    counted = counted[counted["wave_id"] == wave.pk]["school_id"].nunique()
    trend = []
    if item is not None:
        trend = [(w, results.total(wave_id=w.pk, **filters).score(item.code)) for w in trend_waves]
    x = by_code.get(code_x or DEFAULT_CORRELATION[0])
    y = by_code.get(code_y or DEFAULT_CORRELATION[1])
    found = None
    if x is not None and y is not None and x.code != y.code:
        found = correlation(results=results, wave_id=wave.pk, code_x=x.code, code_y=y.code, **filters)
    return NationalReport(
        waves=waves,
        wave=wave,
        items=items,
        total=total,
        schools_counted=int(counted),
        item=item,
        breakdown_label=BREAKDOWN_LABELS[breakdown],
        breakdown=[(group.name, group.score(item.code)) for group in groups] if item else [],
        breakdown_groups=groups,
        trend=trend,
        item_x=x,
        item_y=y,
        correlation=found,
    )
