"""Results of the barometer: scores per item for a team, school, bestuur, region, sector or the
whole country, per wave, with suppression that no combination of shown figures can undo.

How the figures are made. PostgreSQL groups the anonymous answers by (wave, question, school,
team, value) — one row per cell and answer option, a few hundred thousand rows for a national wave
of a million answers — and pandas sums those rows up to every level. Published figures are
computed from integer counts with integer arithmetic (halves round up), so a percentage or mean is
the same wherever it is shown and a test can recompute it exactly.

What a score is, per kind of question (`barometer.models.OPTIONS`):
- agree/disagree and yes/no store 1 and 0: the score is the percentage 1 ("% eens", "% ja");
- Likert 1–5: the percentage 4 or 5 ("% (helemaal) eens"), the mean and the distribution;
- enthusiasm 1–5 and frequency: the mean and the distribution.

Suppression (DESIGN.md §5; thresholds are settings):
1. A score from fewer than `AGGREGATE_MIN_RESPONDENTS` respondents is never shown.
2. Within a school, the teams' scores are shown only while the part of the school that is not
   shown (hidden teams and teachers without a team) is empty or holds at least
   `AGGREGATE_MIN_DIFFERENCE` respondents; otherwise the smallest shown teams are hidden too.
   So school minus shown teams never isolates fewer than that many people.
3. Every group above the school (bestuur, region, sector, a filtered selection, the country)
   is the sum of the schools whose own score is shown, and of no other. Its figures are then a
   combination of figures that are already public, so no subtraction between any shown groups,
   pairs or larger sets, can reveal a hidden school or team. The price: a school with too few
   respondents on an item does not count in the figures above it (the pages say so).
4. Open answers are shown per school only, and only when at least
   `AGGREGATE_MIN_OPEN_ANSWERS` teachers wrote one.
5. Only a school's closed moment counts: a figure that changes while colleagues answer would
   tell what the last one answered.
Nothing here returns one person's answers: the smallest unit read is a count of a cell.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, OuterRef

from barometer.models import Answer, Question, QuestionKind, Wave, WaveSchool, WaveSchoolStatus
from barometer.models.questionnaire import OPTIONS
from schools.models import Region, School, SchoolGroup, Sector, Team

# pandas is imported in the functions that compute, not here: the URLconf loads this module, and
# every process that starts (manage.py, a worker, a test run) would otherwise pay seconds for it.
if TYPE_CHECKING:
    import pandas as pd

SCORED_KINDS = (
    QuestionKind.LIKERT,
    QuestionKind.AGREE,
    QuestionKind.FREQUENCY,
    QuestionKind.YES_NO,
    QuestionKind.SCALE,
)
PERCENT_KINDS = (QuestionKind.LIKERT, QuestionKind.AGREE, QuestionKind.YES_NO)
MEAN_KINDS = (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.FREQUENCY)
VALUES = (0, 1, 2, 3, 4, 5)  # every stored value (Answer.value is 0..5)
COUNT_COLUMNS = ["n", "total", "agree", *(f"v{value}" for value in VALUES)]
NO_TEAM = -1  # teachers without a team: part of the school, never a group of their own


class Level:
    """The groups results are shown for. `SCHOOL_GROUP` is the bestuur."""

    TEAM = "team"
    SCHOOL = "school"
    SCHOOL_GROUP = "school_group"
    REGION = "region"
    SECTOR = "sector"
    NATIONAL = "national"
    ABOVE_SCHOOL = (SCHOOL_GROUP, REGION, SECTOR, NATIONAL)
    KEY = {TEAM: "team_id", SCHOOL: "school_id", SCHOOL_GROUP: "school_group_id", REGION: "region_id", SECTOR: "sector"}


def min_respondents() -> int:
    return settings.AGGREGATE_MIN_RESPONDENTS


def min_difference() -> int:
    return settings.AGGREGATE_MIN_DIFFERENCE


def min_open_answers() -> int:
    return settings.AGGREGATE_MIN_OPEN_ANSWERS


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to a whole number, halves up (exact for integers ≥ 0)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Item:
    """A scored question of a wave's version, named by its stable code."""

    question_id: int
    version_id: int
    code: str
    kind: str
    text: str
    section: str
    component: str
    position: tuple[int, int, int]

    @property
    def options(self) -> list[tuple[int, str]]:
        return OPTIONS[self.kind]


@dataclass(frozen=True)
class Score:
    """A shown score: from integer counts; `percent` and `mean` as published."""

    kind: str
    n: int
    agree: int
    total: int
    counts: tuple[int, ...]  # per option, in the order of OPTIONS[kind]

    @property
    def percent(self) -> int | None:
        """% (helemaal) eens / ja, whole percent, halves up; None for enthusiasm and frequency."""
        return half_up(100 * self.agree, self.n) if self.kind in PERCENT_KINDS else None

    @property
    def mean(self) -> Decimal | None:
        """The mean to one decimal, halves up; None for agree/disagree and yes/no."""
        if self.kind not in MEAN_KINDS:
            return None
        return Decimal(half_up(10 * self.total, self.n)).scaleb(-1)  # 30 → 3.0, one decimal always

    @property
    def figure(self) -> str:
        """The headline as published in Dutch: "66%" or "3,4"."""
        if self.percent is not None:
            return f"{self.percent}%"
        return str(self.mean).replace(".", ",")

    @property
    def distribution(self) -> list[tuple[str, int, int]]:
        """(option label, count, whole percent) per option, in the questionnaire's order."""
        return [
            (label, count, half_up(100 * count, self.n))
            for (_value, label), count in zip(OPTIONS[self.kind], self.counts, strict=True)
        ]


def _score(kind: str, row) -> Score:
    return Score(
        kind=kind,
        n=int(row.n),
        agree=int(row.agree),
        total=int(row.total),
        counts=tuple(int(getattr(row, f"v{value}")) for value, _label in OPTIONS[kind]),
    )


@dataclass(frozen=True)
class GroupScores:
    """One group's scores for one wave: every item, with None where it is suppressed."""

    key: object
    name: str
    scores: dict[str, Score | None]  # by item code

    def score(self, code: str) -> Score | None:
        return self.scores.get(code)


class Results:
    """Suppressed counts of one or more waves at every level, as pandas frames.

    `cells` holds the counts per (wave, question, school, team); `schools` per school with a
    `shown` flag; `teams` per team with its `shown` flag after rule 2; `shown_schools` the shown
    school rows joined to the school's bestuur, region and sector, which every group above the
    school is summed from (rule 3).
    """

    def __init__(
        self, *, items: dict[int, Item], waves: dict[int, Wave], cells: pd.DataFrame, attributes: pd.DataFrame
    ):
        self.items = items  # by question id
        self.waves = waves
        self.schools = _school_frame(cells)
        self.teams = _team_frame(cells, self.schools)
        shown = self.schools[self.schools["shown"]]
        self.shown_schools = shown.merge(attributes, on="school_id", how="left")

    # ------------------------------------------------------------------ reading
    def items_of(self, wave_id: int) -> list[Item]:
        version_id = self.waves[wave_id].version_id
        return sorted(
            (item for item in self.items.values() if item.version_id == version_id),
            key=lambda item: item.position,
        )

    def frame(self, level: str, **filters) -> pd.DataFrame:
        """The shown counts at one level, one row per (wave, question, group). Filters narrow the
        schools first (sector=, region_id=, school_group_id=, school_id=); above the school the
        sums are over shown schools only."""
        if level == Level.TEAM:
            frame = self.teams[self.teams["shown"]]
            if "school_id" in filters:
                frame = frame[frame["school_id"] == filters["school_id"]]
            return frame
        frame = self.shown_schools
        for column, value in filters.items():
            if value is not None:
                frame = frame[frame[column] == value]
        if level == Level.SCHOOL:
            return frame
        keys = ["wave_id", "question_id"] + ([Level.KEY[level]] if level != Level.NATIONAL else [])
        return frame.groupby(keys, as_index=False, sort=False)[COUNT_COLUMNS].sum()

    def groups(self, level: str, *, wave_id: int, **filters) -> list[GroupScores]:
        """Every group of a level with its scores in one wave (None where suppressed), sorted by
        name (one query for the names, none for sectors and the country)."""
        items = self.items_of(wave_id)
        frame = self.frame(level, **filters)
        frame = frame[frame["wave_id"] == wave_id]
        key_column = Level.KEY.get(level)
        by_key: dict[object, dict[str, Score | None]] = {}
        for row in frame.itertuples(index=False):
            item = self.items.get(row.question_id)
            if item is None:
                continue
            key = getattr(row, key_column) if key_column else None
            key = key.item() if hasattr(key, "item") else key  # numpy scalars → int / str
            by_key.setdefault(key, {})[item.code] = _score(item.kind, row)
        if level == Level.NATIONAL and not by_key:
            by_key[None] = {}
        names = {None: ""} if level == Level.NATIONAL else group_names(level, by_key)
        groups = [
            GroupScores(
                key=key, name=names.get(key, str(key)), scores={item.code: scores.get(item.code) for item in items}
            )
            for key, scores in by_key.items()
        ]
        return sorted(groups, key=lambda group: group.name)

    def total(self, *, wave_id: int, **filters) -> GroupScores:
        """The sum over the (filtered) shown schools: the country, a sector, a region..."""
        return self.groups(Level.NATIONAL, wave_id=wave_id, **filters)[0]

    def trend(self, level: str, *, key: object, code: str) -> list[tuple[int, Score | None]]:
        """One group's score on one item over every wave in these results, oldest first."""
        frame = self.frame(level)
        key_column = Level.KEY.get(level)
        if key_column:
            frame = frame[frame[key_column] == key]
        question_ids = {item.question_id for item in self.items.values() if item.code == code}
        frame = frame[frame["question_id"].isin(question_ids)]
        found = {int(row.wave_id): _score(self.items[row.question_id].kind, row) for row in frame.itertuples()}
        return [(wave_id, found.get(wave_id)) for wave_id in self.waves]


# -------------------------------------------------------------------------------- computing
def _cells(*, wave_ids: Sequence[int], school_ids: Sequence[int] | None) -> pd.DataFrame:
    """The answers grouped by PostgreSQL into (wave, question, school, team, value) counts, then
    widened by pandas into one row per cell with n, total, agree and a count per value."""
    import pandas as pd

    answers = Answer.objects.filter(wave_id__in=wave_ids, value__isnull=False).filter(_closed_moment())
    if school_ids is not None:
        answers = answers.filter(school_id__in=school_ids)
    rows = (
        answers.values_list("wave_id", "question_id", "school_id", "team_id", "value")
        .annotate(count=Count("*"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["wave_id", "question_id", "school_id", "team_id", "value", "count"]
    )
    if frame.empty:
        return pd.DataFrame(columns=["wave_id", "question_id", "school_id", "team_id", *COUNT_COLUMNS], dtype="int64")
    frame["team_id"] = frame["team_id"].fillna(NO_TEAM).astype("int64")
    return frame


def _closed_moment() -> Exists:
    """Only answers of a school's closed moment count: while a moment is open, watching a figure
    change after a colleague says "I just answered" would tell what they answered."""
    return Exists(
        WaveSchool.objects.filter(
            wave_id=OuterRef("wave_id"), school_id=OuterRef("school_id"), status=WaveSchoolStatus.CLOSED
        )
    )


def _widen(frame: pd.DataFrame, *, kinds: pd.Series) -> pd.DataFrame:
    """From one row per value to one row per cell: n, total (sum of values), agree (count of the
    kind's "agree" answers) and v0..v5."""
    if frame.empty or "value" not in frame:
        return frame
    kind = frame["question_id"].map(kinds)
    agrees = ((kind == QuestionKind.LIKERT) & (frame["value"] >= 4)) | (
        kind.isin([QuestionKind.AGREE, QuestionKind.YES_NO]) & (frame["value"] == 1)
    )
    frame = frame.assign(
        n=frame["count"],
        total=frame["count"] * frame["value"],
        agree=frame["count"].where(agrees, 0),
        **{f"v{value}": frame["count"].where(frame["value"] == value, 0) for value in VALUES},
    )
    keys = ["wave_id", "question_id", "school_id", "team_id"]
    return frame.groupby(keys, as_index=False, sort=False)[COUNT_COLUMNS].sum()


def _school_frame(cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["wave_id", "question_id", "school_id"]
    schools = cells.groupby(keys, as_index=False, sort=False)[COUNT_COLUMNS].sum()
    schools["shown"] = schools["n"] >= min_respondents()
    return schools


def _team_frame(cells: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Teams with `shown` after rules 1 and 2. Within each (wave, question, school) the teams are
    sorted smallest first; the hidden part is then the no-team cell plus the k smallest teams, for
    the least k that hides every team under the threshold and leaves a hidden part of 0 or at
    least the minimal difference. A hidden school hides all its teams."""
    import pandas as pd

    keys = ["wave_id", "question_id", "school_id"]
    teams = cells[cells["team_id"] != NO_TEAM].copy()
    if teams.empty:
        teams["shown"] = pd.Series(dtype=bool)
        return teams
    loose = cells[cells["team_id"] == NO_TEAM][[*keys, "n"]].rename(columns={"n": "loose"})
    teams = teams.merge(loose, on=keys, how="left").merge(
        schools[[*keys, "shown"]].rename(columns={"shown": "school_shown"}), on=keys, how="left"
    )
    teams["loose"] = teams["loose"].fillna(0).astype("int64")
    teams = teams.sort_values([*keys, "n", "team_id"], kind="stable")
    group = teams.groupby(keys, sort=False)
    teams["rank"] = group.cumcount() + 1  # 1 for the smallest team
    teams["hidden_upto"] = teams["loose"] + group["n"].cumsum()  # hidden part if ranks 1..rank hide
    teams["must_hide"] = (teams["n"] < min_respondents()).groupby([teams[key] for key in keys]).transform("sum")
    minimum = min_difference()
    # k = 0 works when no team is under the threshold and the loose part is 0 or large enough.
    zero_ok = (teams["must_hide"] == 0) & ((teams["loose"] == 0) | (teams["loose"] >= minimum))
    candidate = (teams["rank"] >= teams["must_hide"]) & (teams["hidden_upto"] >= minimum)
    teams["candidate_rank"] = teams["rank"].where(candidate)
    first = teams.groupby(keys, sort=False)["candidate_rank"].transform("min")
    teams["k"] = first.where(~zero_ok, 0).fillna(teams.groupby(keys, sort=False)["rank"].transform("max"))
    teams["shown"] = teams["school_shown"].fillna(False).astype(bool) & (teams["rank"] > teams["k"])
    return teams.drop(columns=["loose", "school_shown", "rank", "hidden_upto", "must_hide", "candidate_rank", "k"])


def _attributes(school_ids: Iterable[int]) -> pd.DataFrame:
    import pandas as pd

    rows = School.objects.filter(pk__in=list(school_ids)).values_list("pk", "school_group_id", "region_id", "sector")
    frame = pd.DataFrame.from_records(list(rows), columns=["school_id", "school_group_id", "region_id", "sector"])
    frame["school_group_id"] = frame["school_group_id"].astype("Int64")
    return frame


def results_compute(*, wave_ids: Sequence[int], school_ids: Sequence[int] | None = None) -> Results:
    """The suppressed results of these waves (of these schools, or all in the tenant scope).

    Four queries whatever the size: the waves, their scored questions, the grouped answers, and
    the shown schools' bestuur, region and sector. Suppression within a school depends only on
    that school's answers, so computing one school alone shows exactly what the national
    computation shows for it."""
    import pandas as pd

    waves = {wave.pk: wave for wave in Wave.objects.filter(pk__in=wave_ids).order_by("created_at", "pk")}
    questions = Question.objects.filter(version__waves__in=list(waves), kind__in=SCORED_KINDS).select_related("section")
    items: dict[int, Item] = {}
    for question in questions.distinct():
        items[question.pk] = Item(
            question_id=question.pk,
            version_id=question.version_id,
            code=question.code,
            kind=question.kind,
            text=question.text,
            section=question.section.title,
            component=question.section.component,
            position=(question.section.position, question.position, question.pk),
        )
    kinds = pd.Series({pk: item.kind for pk, item in items.items()}, dtype="object")
    raw = _cells(wave_ids=list(waves), school_ids=school_ids)
    raw = raw[raw["question_id"].isin(list(items))] if not raw.empty else raw
    cells = _widen(raw, kinds=kinds)
    school_ids_found = sorted(cells["school_id"].unique().tolist()) if not cells.empty else []
    attributes = (
        _attributes(school_ids_found)
        if school_ids_found
        else pd.DataFrame(columns=["school_id", "school_group_id", "region_id", "sector"])
    )
    return Results(items=items, waves=waves, cells=cells, attributes=attributes)


def group_names(level: str, keys: Iterable[object]) -> dict[object, str]:
    """Display names of a level's groups (one query; none for sectors and the country)."""
    keys = [key for key in keys if key is not None]
    if level == Level.SECTOR:
        return {key: str(Sector(key).label) for key in keys}
    model = {Level.TEAM: Team, Level.SCHOOL: School, Level.SCHOOL_GROUP: SchoolGroup, Level.REGION: Region}.get(level)
    if model is None or not keys:
        return {}
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "name"))


# -------------------------------------------------------------------------------- open answers
@dataclass(frozen=True)
class OpenAnswers:
    code: str
    text: str
    answers: list[str] | None  # None: fewer writers than the threshold
    count: int


def open_answers(*, school_id: int, wave_id: int) -> list[OpenAnswers]:
    """A school's open answers per open question, in a fresh random order each time, or None
    where fewer than `AGGREGATE_MIN_OPEN_ANSWERS` teachers wrote one (rule 4). Two queries."""
    wave = Wave.objects.get(pk=wave_id)
    questions = list(
        Question.objects.filter(version_id=wave.version_id, kind=QuestionKind.OPEN).order_by(
            "section__position", "position", "pk"
        )
    )
    texts: dict[int, list[str]] = {question.pk: [] for question in questions}
    rows = (
        Answer.objects.filter(school_id=school_id, wave_id=wave_id, question__in=questions)
        .filter(_closed_moment())
        .exclude(text="")
    )
    for question_id, text in rows.values_list("question_id", "text"):
        texts[question_id].append(text)
    found = []
    for question in questions:
        written = texts[question.pk]
        shown = None
        if len(written) >= min_open_answers():
            shown = written[:]
            random.shuffle(shown)
        found.append(OpenAnswers(code=question.code, text=question.text, answers=shown, count=len(written)))
    return found


# -------------------------------------------------------------------------------- correlation
@dataclass(frozen=True)
class Correlation:
    """Pearson's r between two items' school scores, over the n schools where both are shown."""

    n: int
    r: float | None
    points: list[tuple[float, float]]


def item_value(score: Score) -> float:
    """The figure an item is compared on: its mean where it has one, its percent otherwise."""
    if score.kind in MEAN_KINDS:
        return score.total / score.n
    return 100 * score.agree / score.n


def correlation(*, results: Results, wave_id: int, code_x: str, code_y: str, **filters) -> Correlation:
    """Across the shown schools of a wave (optionally filtered), each school's value on two items
    (exact means or percentages, not the rounded ones); r is None under three schools or when an
    item does not vary."""
    import pandas as pd

    schools = results.groups(Level.SCHOOL, wave_id=wave_id, **filters)
    points = [
        (item_value(group.scores[code_x]), item_value(group.scores[code_y]))
        for group in schools
        if group.scores.get(code_x) is not None and group.scores.get(code_y) is not None
    ]
    if len(points) < 3:
        return Correlation(n=len(points), r=None, points=points)
    frame = pd.DataFrame(points, columns=["x", "y"])
    if frame["x"].std() == 0 or frame["y"].std() == 0:
        return Correlation(n=len(points), r=None, points=points)
    return Correlation(n=len(points), r=float(frame["x"].corr(frame["y"])), points=points)


__all__ = [
    "Correlation",
    "GroupScores",
    "Item",
    "Level",
    "OpenAnswers",
    "Results",
    "Score",
    "correlation",
    "group_names",
    "half_up",
    "open_answers",
    "results_compute",
]
