"""Demo data for `manage.py seed_demo`: a deterministic, idempotent Dutch school landscape."""

# Everything is planned in memory first, from one random.Random per bestuur, school and coach
# slot, so that N schools are always the first N of a larger run; it is then written with bulk
# inserts that skip rows whose natural key exists, so a second run adds nothing.

from __future__ import annotations

import math
import random
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from leerkracht.roles import Role
from schools.models import (
    Phase,
    Province,
    Region,
    RegionMembership,
    School,
    SchoolGroup,
    SchoolGroupMembership,
    SchoolHoliday,
    SchoolMembership,
    Sector,
    Team,
    TeamMembership,
    User,
)

# A published demo password for seeded accounts only, never a real credential.
DEMO_PASSWORD = "demo-leerkracht"  # noqa: S105
DEFAULT_SEED = "leerkracht"
DEFAULT_SCHOOLS = 60
BATCH_SIZE = 5000
SCHOOLS_PER_CHUNK = 250
# Keeps `IN (...)` lists well below SQLite's variable limit.
LOOKUP_CHUNK = 2000
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_SCHOOLS = 100 * 26 * 26


@dataclass(frozen=True)
class Person:
    """Someone to seed as a user: the e-mail address is the natural key."""

    email: str
    first_name: str
    last_name: str


DEMO_ADMIN = Person("admin@demo.leerkracht.test", "Marloes", "Bakker")
DEMO_EXPERTCOACH = Person("expertcoach@demo.leerkracht.test", "Sanne", "de Vries")
DEMO_VERANDERCOACH = Person("verandercoach@demo.leerkracht.test", "Jeroen", "van den Berg")
DEMO_BESTUURDER = Person("bestuurder@demo.leerkracht.test", "Annemiek", "Visser")
DEMO_SCHOOLLEIDER = Person("schoolleider@demo.leerkracht.test", "Karim", "El Amrani")
DEMO_SCHOOLCOACH = Person("schoolcoach@demo.leerkracht.test", "Lotte", "Smit")
DEMO_LERAAR = Person("leraar@demo.leerkracht.test", "Daan", "Mulder")
DEMO_LERAAR2 = Person("leraar2@demo.leerkracht.test", "Noor", "van Dijk")

DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("Admin (Stichting leerKRACHT)", DEMO_ADMIN.email),
    ("Expertcoach", DEMO_EXPERTCOACH.email),
    ("Verandercoach", DEMO_VERANDERCOACH.email),
    ("Bestuurder", DEMO_BESTUURDER.email),
    ("Schoolleider", DEMO_SCHOOLLEIDER.email),
    ("Schoolcoach", DEMO_SCHOOLCOACH.email),
    ("Leraar", DEMO_LERAAR.email),
    ("Leraar op twee scholen", DEMO_LERAAR2.email),
]

FIRST_NAMES = [
    "Anna", "Anouk", "Annemarie", "Astrid", "Bart", "Bas", "Bram", "Britt", "Carla", "Caroline",
    "Chantal", "Daan", "Danielle", "Dennis", "Dirk", "Eline", "Els", "Emma", "Erik", "Esther",
    "Eva", "Evelien", "Fatima", "Femke", "Floor", "Frank", "Gerard", "Hanna", "Hans", "Hester",
    "Ilse", "Inge", "Iris", "Jan", "Janneke", "Jasper", "Jeroen", "Joost", "Jorien", "Julia",
    "Karin", "Kees", "Kim", "Koen", "Laura", "Lieke", "Linda", "Lisa", "Lotte", "Lucas",
    "Maaike", "Manon", "Margriet", "Mariska", "Mark", "Marleen", "Martijn", "Maud", "Meike",
    "Merel", "Michiel", "Mirjam", "Mohamed", "Monique", "Naima", "Nicole", "Niels", "Noor",
    "Paul", "Petra", "Pieter", "Priya", "Rachid", "Renske", "Rik", "Rob", "Robin", "Roel",
    "Rosa", "Ruben", "Ruud", "Sander", "Sanne", "Saskia", "Selin", "Simone", "Sophie", "Stefan",
    "Suzanne", "Tamara", "Thijs", "Thomas", "Tim", "Tom", "Vera", "Wendy", "Willem", "Wouter",
    "Yasmina", "Yvonne", "Zeynep",
]  # fmt: skip

LAST_NAMES = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
    "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel",
    "van der Veen", "van den Broek", "de Bruijn", "van der Heijden", "Schouten", "van Beek",
    "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam",
    "van der Wal", "Prins", "Blom", "Huisman", "de Jonge", "Kuipers", "van Veen", "Post",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk", "Postma", "Martens", "Vink",
    "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon", "van der Velde",
    "Smeets", "de Lange", "Bosch", "van Dongen", "Schipper", "de Koning", "van der Laan",
    "Driessen", "van Doorn", "Hermans", "van den Bosch", "van der Meulen", "Hofman", "Wolters",
    "van der Horst", "Molenaar", "van de Pol", "de Leeuw", "Verbeek", "ter Horst", "in 't Veld",
    "van 't Hof", "ten Brink", "op den Kamp", "El Amrani", "Yılmaz", "Bouzid", "Kaya",
    "Ramdin", "Nguyen", "Wijnands", "Zijlstra",
]  # fmt: skip

PLACES: dict[str, list[str]] = {
    Province.GRONINGEN: [
        "Groningen", "Hoogezand", "Veendam", "Stadskanaal", "Delfzijl", "Winschoten", "Leek",
        "Appingedam", "Zuidhorn", "Haren",
    ],
    Province.FRIESLAND: [
        "Leeuwarden", "Drachten", "Sneek", "Heerenveen", "Harlingen", "Franeker", "Dokkum",
        "Bolsward", "Joure", "Wolvega",
    ],
    Province.DRENTHE: ["Assen", "Emmen", "Hoogeveen", "Meppel", "Coevorden", "Roden", "Beilen", "Zuidlaren"],
    Province.OVERIJSSEL: [
        "Zwolle", "Enschede", "Deventer", "Hengelo", "Almelo", "Kampen", "Oldenzaal", "Hardenberg",
        "Rijssen", "Raalte", "Steenwijk",
    ],
    Province.GELDERLAND: [
        "Arnhem", "Nijmegen", "Apeldoorn", "Ede", "Doetinchem", "Zutphen", "Harderwijk", "Tiel",
        "Wageningen", "Winterswijk", "Culemborg", "Barneveld", "Zevenaar",
    ],
    Province.UTRECHT: [
        "Utrecht", "Amersfoort", "Zeist", "Nieuwegein", "Veenendaal", "Houten", "IJsselstein",
        "Woerden", "Soest", "Maarssen", "De Bilt", "Bunnik",
    ],
    Province.NOORD_HOLLAND: [
        "Amsterdam", "Haarlem", "Zaandam", "Alkmaar", "Hilversum", "Hoorn", "Purmerend",
        "Den Helder", "Amstelveen", "Heerhugowaard", "Beverwijk", "Hoofddorp", "Enkhuizen",
        "Bussum",
    ],
    Province.FLEVOLAND: ["Almere", "Lelystad", "Dronten", "Emmeloord", "Zeewolde", "Urk"],
    Province.ZUID_HOLLAND: [
        "Rotterdam", "Den Haag", "Leiden", "Dordrecht", "Zoetermeer", "Delft", "Gouda",
        "Alphen aan den Rijn", "Schiedam", "Vlaardingen", "Spijkenisse", "Gorinchem", "Rijswijk",
        "Katwijk", "Capelle aan den IJssel", "Naaldwijk",
    ],
    Province.ZEELAND: ["Middelburg", "Vlissingen", "Goes", "Terneuzen", "Zierikzee", "Hulst", "Oostburg"],
    Province.NOORD_BRABANT: [
        "Eindhoven", "Tilburg", "Breda", "'s-Hertogenbosch", "Helmond", "Oss", "Roosendaal",
        "Bergen op Zoom", "Oosterhout", "Waalwijk", "Veghel", "Uden", "Veldhoven", "Boxtel",
    ],
    Province.LIMBURG: [
        "Maastricht", "Venlo", "Heerlen", "Sittard", "Roermond", "Weert", "Kerkrade", "Venray",
        "Geleen", "Brunssum",
    ],
}  # fmt: skip

# Inhabitants in hundreds of thousands, roughly: where people live is where schools are.
PROVINCE_WEIGHTS: dict[str, float] = {
    Province.GRONINGEN: 5.9,
    Province.FRIESLAND: 6.5,
    Province.DRENTHE: 5.0,
    Province.OVERIJSSEL: 11.7,
    Province.GELDERLAND: 21.3,
    Province.UTRECHT: 13.9,
    Province.NOORD_HOLLAND: 29.5,
    Province.FLEVOLAND: 4.4,
    Province.ZUID_HOLLAND: 38.0,
    Province.ZEELAND: 3.9,
    Province.NOORD_BRABANT: 26.0,
    Province.LIMBURG: 11.2,
}

REGION_PROVINCES: dict[str, list[str]] = {
    "noord": [Province.GRONINGEN, Province.FRIESLAND, Province.DRENTHE],
    "oost": [Province.OVERIJSSEL, Province.GELDERLAND],
    "noord-holland-midden": [Province.NOORD_HOLLAND, Province.UTRECHT, Province.FLEVOLAND],
    "zuid-holland": [Province.ZUID_HOLLAND],
    "zuid": [Province.ZEELAND, Province.NOORD_BRABANT, Province.LIMBURG],
}
PROVINCE_REGION: dict[str, str] = {
    province: region for region, provinces in REGION_PROVINCES.items() for province in provinces
}
REGION_ABBREVIATIONS = {
    "noord": "n",
    "oost": "o",
    "noord-holland-midden": "nhm",
    "zuid-holland": "zh",
    "zuid": "z",
}

# The first besturen are pinned so that even a small run shows every region and sector, and
# bestuur 0 holds the demo accounts' schools with the whole pipeline in view.
OPENING_REGIONS = ["noord-holland-midden", "zuid-holland", "oost", "zuid", "noord"]
OPENING_SECTORS = [Sector.PO, Sector.VO, Sector.MBO, Sector.OTHER]
FIRST_GROUP_SIZE = 10
OPENING_PHASES = [
    Phase.YEAR_1,
    Phase.YEAR_1,
    Phase.YEAR_2,
    Phase.YEAR_1,
    Phase.SENIOR,
    Phase.AGREEMENT,
    Phase.INTAKE,
    Phase.SUPPORT,
    Phase.INTRODUCTION,
    Phase.INTEREST,
]

# Weights per bestuur chosen so that schools come out at roughly PO 70%, VO 20%, MBO 7%, other 3%
# given the mean bestuur size of each sector below.
SECTOR_WEIGHTS: dict[str, float] = {
    Sector.PO: 47,
    Sector.VO: 31,
    Sector.MBO: 13,
    Sector.OTHER: 8,
}
# (smallest, largest) number of schools, weight: many small besturen, a few large ones.
GROUP_SIZES: dict[str, list[tuple[tuple[int, int], float]]] = {
    Sector.PO: [((1, 1), 30), ((2, 3), 25), ((4, 8), 22), ((9, 15), 14), ((16, 30), 9)],
    Sector.VO: [((1, 1), 50), ((2, 3), 30), ((4, 6), 20)],
    Sector.MBO: [((1, 1), 55), ((2, 3), 35), ((4, 5), 10)],
    Sector.OTHER: [((1, 1), 80), ((2, 2), 20)],
}
TEACHERS: dict[str, tuple[int, int]] = {
    Sector.PO: (12, 28),
    Sector.VO: (40, 90),
    Sector.MBO: (40, 100),
    Sector.OTHER: (15, 40),
}
PHASE_WEIGHTS: dict[str, float] = {
    Phase.INTEREST: 4,
    Phase.INTRODUCTION: 3,
    Phase.SUPPORT: 3,
    Phase.INTAKE: 3,
    Phase.AGREEMENT: 4,
    Phase.YEAR_1: 26,
    Phase.YEAR_2: 22,
    Phase.SENIOR: 35,
}
STARTED_PHASES = {Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR}
COACH_CAPACITY = (25, 40)
# The demo expertcoach guides school 0 and a few more: enough to demo, few enough to read.
DEMO_COACH_CAPACITY = 8

PO_PREFIXES: list[tuple[str, float]] = [
    ("OBS", 3),
    ("CBS", 3),
    ("Basisschool", 4),
    ("IKC", 2),
    ("RKBS", 2),
    ("PCBS", 1),
    ("Montessorischool", 0.5),
    ("Daltonschool", 0.5),
    ("Jenaplanschool", 0.5),
]
PO_NAMES = [
    "De Klimop", "Het Kompas", "De Regenboog", "De Vlinder", "De Wegwijzer", "Het Anker",
    "De Zonnewijzer", "Het Palet", "De Fontein", "De Springplank", "De Horizon", "De Wilgen",
    "De Eik", "De Linde", "Het Baken", "De Tweemaster", "De Bron", "De Schakel", "Het Mozaïek",
    "De Notenkraker", "De Toermalijn", "Het Kleurrijk", "De Ontdekking", "De Kameleon",
    "De Piramide", "Het Avontuur", "De Bolster", "De Zevensprong", "De Meander", "Het Startpunt",
    "De Vuurvogel", "De Octopus", "De Sterrensteen", "De Boomgaard", "Het Lichtbaken",
    "De Wereldwijzer", "De Brug", "De Parel", "De Windroos", "Het Talent",
]  # fmt: skip
VO_PATRONS = [
    "Erasmus", "Spinoza", "Huygens", "Comenius", "Augustinus", "Thomas a Kempis", "Bonhoeffer",
    "Willem de Zwijger", "Da Vinci", "Calvijn", "Vincent van Gogh", "Rembrandt", "Descartes",
    "Hugo de Groot", "Maerlant", "Vondel", "Melanchthon", "Marnix", "Christiaan Huygens",
    "Jan van Brabant",
]  # fmt: skip
VO_PATTERNS: list[tuple[str, float]] = [
    ("{patron} College", 5),
    ("{patron} Lyceum", 3),
    ("Stedelijk Gymnasium {city}", 1.5),
    ("Christelijk College {patron}", 1),
    ("Scholengemeenschap {patron}", 1.5),
    ("Montessori College {city}", 0.5),
    ("Openbare Scholengemeenschap {city}", 1),
]
MBO_PATTERNS: list[tuple[str, float]] = [
    ("ROC {city}", 4),
    ("{city} Vakcollege", 2),
    ("Vakcollege {city}", 1),
    ("Techniek College {city}", 1),
    ("Zorgcollege {city}", 1),
]
OTHER_PATTERNS: list[tuple[str, float]] = [
    ("Pabo {city}", 3),
    ("Hogeschool {city} lerarenopleiding", 2),
    ("Lerarenopleiding Basisonderwijs {city}", 1),
]
GROUP_PATTERNS: dict[str, list[tuple[str, float]]] = {
    Sector.PO: [
        ("Stichting Openbaar Onderwijs {city}", 3),
        ("Vereniging voor Christelijk Primair Onderwijs {city}", 2),
        ("Stichting Katholiek Onderwijs {city} e.o.", 2),
        ("Stichting Primair Onderwijs {city}", 2),
        ("Stichting {brand}", 2),
    ],
    Sector.VO: [
        ("Stichting Voortgezet Onderwijs {city}", 3),
        ("Scholengroep {city}", 2),
        ("Vereniging voor Christelijk Voortgezet Onderwijs {city}", 1),
        ("Stichting {brand} Scholengroep", 1),
    ],
    Sector.MBO: [("Stichting ROC {city}", 3), ("Stichting Vakcollege {city}", 1)],
    Sector.OTHER: [("Stichting Hogeschool {city}", 2), ("Stichting Pabo {city}", 1)],
}
GROUP_BRANDS = [
    "Kompas Onderwijs", "Meerwaarde", "Wijzer", "Talent Primair", "Brede Basis", "Veelkleurig",
    "Kindkracht", "Samen Leren", "Onderwijs Vooruit", "De Leerlijn", "Groeikracht Scholen",
    "Horizon Onderwijs", "Sterk Onderwijs", "Kindwijzer",
]  # fmt: skip

PO_TEAMS: dict[int, list[list[str]]] = {
    2: [["Onderbouw", "Bovenbouw"], ["Groep 1-4", "Groep 5-8"]],
    3: [["Onderbouw", "Middenbouw", "Bovenbouw"], ["Groep 1-2", "Groep 3-5", "Groep 6-8"]],
    4: [
        ["Groep 1-2", "Groep 3-4", "Groep 5-6", "Groep 7-8"],
        ["Kleuterbouw", "Onderbouw", "Middenbouw", "Bovenbouw"],
    ],
}
TEAM_POOLS: dict[str, list[str]] = {
    Sector.VO: [
        "Team brugklas", "Team onderbouw", "Team mavo 3-4", "Team havo 4-5", "Team vwo 4-6",
        "Team vmbo basis-kader", "Team tweetalig onderwijs", "Sectie Nederlands", "Sectie Engels",
        "Sectie Wiskunde", "Sectie Moderne Vreemde Talen", "Sectie Mens en Maatschappij",
        "Sectie Natuurwetenschappen", "Sectie Economie", "Sectie Kunst en Cultuur",
        "Sectie Lichamelijke Opvoeding", "Team Techniek", "Team Zorg en Welzijn",
    ],
    Sector.MBO: [
        "Team Techniek", "Team Zorg en Welzijn", "Team Economie en Ondernemen", "Team ICT",
        "Team Horeca", "Team Bouw en Infra", "Team Mobiliteit", "Team Entree",
        "Team Creatieve Industrie", "Team Sport en Bewegen", "Team Logistiek", "Team Handel",
        "Team Onderwijsassistent", "Team Pedagogisch Werk", "Team Uiterlijke Verzorging",
        "Team Beveiliging", "Team Laboratorium", "Team Elektrotechniek", "Team Installatietechniek",
        "Team Toerisme en Recreatie",
    ],
    Sector.OTHER: [
        "Team Propedeuse", "Team Hoofdfase", "Team Afstuderen", "Team Deeltijd",
        "Team Vakdidactiek", "Team Stage en Praktijk", "Team Onderwijskunde",
        "Team Academische Pabo",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class GroupPlan:
    """A bestuur as it will be written."""

    index: int
    code: str
    name: str
    city: str
    province: str
    region: str
    sector: str
    size: int
    bestuurder: Person
    verandercoach: Person | None


@dataclass(frozen=True)
class SchoolPlan:
    """A school as it will be written; `coach` is the (region, number) of its expertcoach slot."""

    index: int
    code: str
    name: str
    sector: str
    province: str
    city: str
    region: str
    group: int
    pupil_count: int
    teacher_count: int
    phase: str
    start_date: date | None
    coach: tuple[str, int] | None


@dataclass(frozen=True)
class CoachPlan:
    """An expertcoach of the foundation, numbered within their region."""

    region: str
    number: int
    person: Person


@dataclass(frozen=True)
class Landscape:
    """Everything above the people of a school: besturen, schools and expertcoaches."""

    groups: list[GroupPlan]
    schools: list[SchoolPlan]
    coaches: list[CoachPlan]


@dataclass(frozen=True)
class StaffPlan:
    """The people of one school: teachers (some also schoolcoach), leaders and teams."""

    teachers: list[Person]
    schoolcoaches: list[Person]
    leaders: list[Person]
    teams: list[tuple[str, list[Person]]]


def school_code(*, index: int) -> str:
    """The BRIN-style code of the index-th school: a bijection onto 00AA..99ZZ."""
    if not 0 <= index < MAX_SCHOOLS:
        raise ValueError(f"School index {index} is outside 0..{MAX_SCHOOLS - 1}.")
    # Multiplying by a number coprime to the code space scatters codes and stays unique.
    spread = (index * 7919 + 1234) % MAX_SCHOOLS
    letters = spread // 100
    return f"{spread % 100:02d}{LETTERS[letters // 26]}{LETTERS[letters % 26]}"


def group_code(*, index: int) -> str:
    """The five-digit bestuursnummer of the index-th bestuur."""
    if not 0 <= index < 90000:
        raise ValueError(f"Bestuur index {index} is outside 0..89999.")
    return f"{10000 + (index * 7919 + 4321) % 90000:05d}"


def programme_year_start(*, today: date) -> date:
    """1 August of the school year whose startdagen (late summer) already lie behind us."""
    # Sixty days back keeps every generated startdag in the past, and fixes the dates for a year.
    reference = today - timedelta(days=60)
    return date(reference.year if reference.month >= 8 else reference.year - 1, 8, 1)


def plan_landscape(*, schools: int, seed: str, today: date) -> Landscape:
    """Besturen, schools and expertcoaches for the first `schools` schools of the seed."""
    if not 0 <= schools <= MAX_SCHOOLS:
        raise ValueError(f"Between 0 and {MAX_SCHOOLS} schools fit the BRIN code space.")
    year_start = programme_year_start(today=today)
    groups: list[GroupPlan] = []
    school_plans: list[SchoolPlan] = []
    while len(school_plans) < schools:
        group = _plan_group(index=len(groups), seed=seed)
        groups.append(group)
        for _ in range(min(group.size, schools - len(school_plans))):
            school_plans.append(_plan_school(index=len(school_plans), group=group, seed=seed, year_start=year_start))
    demo_region = school_plans[0].region if school_plans else None
    coaches: list[CoachPlan] = []
    slots: dict[str, tuple[int, int]] = {}
    for position, school in enumerate(school_plans):
        if school.phase not in Phase.guided():
            continue
        number, remaining = slots.get(school.region, (-1, 0))
        if remaining == 0:
            number += 1
            coach_rng = random.Random(f"{seed}:coach:{school.region}:{number}")
            remaining = _between(coach_rng, COACH_CAPACITY)
            if school.region == demo_region and number == 0:
                remaining = DEMO_COACH_CAPACITY
                person = DEMO_EXPERTCOACH
            else:
                first, last = _name(coach_rng)
                abbreviation = REGION_ABBREVIATIONS[school.region]
                email = f"{_slug(first)}.{_slug(last)}.{abbreviation}{number}@leerkracht.test"
                person = Person(email, first, last)
            coaches.append(CoachPlan(region=school.region, number=number, person=person))
        slots[school.region] = (number, remaining - 1)
        school_plans[position] = replace(school, coach=(school.region, number))
    return Landscape(groups=groups, schools=school_plans, coaches=coaches)


def plan_staff(*, school: SchoolPlan, seed: str) -> StaffPlan:
    """The teachers, schoolcoaches, leaders and teams of one school."""
    rng = random.Random(f"{seed}:{school.index}:people")
    domain = f"{school.code.lower()}.school.test"
    teachers = [_person(rng, number=n, domain=domain) for n in range(1, school.teacher_count + 1)]
    leader_count = 1 if school.sector == Sector.PO and rng.random() < 0.7 else 2
    leaders = [_person(rng, number=school.teacher_count + n, domain=domain) for n in range(1, leader_count + 1)]
    coach_slots = sorted(rng.sample(range(len(teachers)), rng.randint(2, 4)))
    plain_slots = [slot for slot in range(len(teachers)) if slot not in coach_slots]
    if school.index == 0:
        teachers[coach_slots[0]] = DEMO_SCHOOLCOACH
        teachers[plain_slots[0]] = DEMO_LERAAR
        teachers[plain_slots[1]] = DEMO_LERAAR2
        leaders[0] = DEMO_SCHOOLLEIDER
    elif school.index == 1:
        teachers[plain_slots[0]] = DEMO_LERAAR2
    names = _team_names(rng, sector=school.sector, count=_team_count(rng, teachers=len(teachers)))
    sizes = _split(len(teachers), parts=len(names))
    order = list(teachers)
    rng.shuffle(order)
    teams: list[tuple[str, list[Person]]] = []
    start = 0
    for name, size in zip(names, sizes, strict=True):
        teams.append((name, order[start : start + size]))
        start += size
    return StaffPlan(
        teachers=teachers,
        schoolcoaches=[teachers[slot] for slot in coach_slots],
        leaders=leaders,
        teams=teams,
    )


# The school holidays of 2026–2027 for the demo's calendars, per holiday region (first and last
# day). Demo data: in production the foundation's admins enter the published dates themselves.
DEMO_HOLIDAYS: list[tuple[str, str, date, date]] = [
    ("Herfstvakantie", "noord", date(2026, 10, 17), date(2026, 10, 25)),
    ("Herfstvakantie", "midden", date(2026, 10, 17), date(2026, 10, 25)),
    ("Herfstvakantie", "zuid", date(2026, 10, 10), date(2026, 10, 18)),
    *(("Kerstvakantie", region, date(2026, 12, 19), date(2027, 1, 3)) for region in ("noord", "midden", "zuid")),
    ("Voorjaarsvakantie", "noord", date(2027, 2, 20), date(2027, 2, 28)),
    ("Voorjaarsvakantie", "midden", date(2027, 2, 13), date(2027, 2, 21)),
    ("Voorjaarsvakantie", "zuid", date(2027, 2, 13), date(2027, 2, 21)),
    *(("Meivakantie", region, date(2027, 4, 24), date(2027, 5, 2)) for region in ("noord", "midden", "zuid")),
]


def _write_holidays() -> None:
    for name, region, first, last in DEMO_HOLIDAYS:
        SchoolHoliday.objects.get_or_create(
            holiday_region=region, starts_on=first, defaults={"name": name, "ends_on": last}
        )


def seed_demo(
    *,
    schools: int = DEFAULT_SCHOOLS,
    seed: str = DEFAULT_SEED,
    today: date | None = None,
    log: Callable[[str], object] = lambda line: None,
) -> dict[str, int]:
    """Write the demo landscape (inside an open tenant scope); returns rows created per model."""
    started = time.monotonic()
    landscape = plan_landscape(schools=schools, seed=seed, today=today or date.today())
    # One hash for everyone: hashing each of ~150,000 passwords would take hours.
    password = make_password(DEMO_PASSWORD)
    before = _counts()
    region_ids = dict(Region.objects.values_list("slug", "id"))
    missing = set(REGION_PROVINCES) - set(region_ids)
    if missing:
        raise RuntimeError(f"Regions {sorted(missing)} are missing; run the migrations first.")

    with transaction.atomic():
        _write_holidays()
        group_ids = _write_groups(landscape.groups)
        user_ids = _write_users(
            [DEMO_ADMIN]
            + [coach.person for coach in landscape.coaches]
            + [group.bestuurder for group in landscape.groups]
            + [group.verandercoach for group in landscape.groups if group.verandercoach],
            password=password,
            superusers=frozenset({DEMO_ADMIN.email}),
        )
        _write_leadership(landscape, region_ids=region_ids, group_ids=group_ids, user_ids=user_ids)
        coach_ids = {(coach.region, coach.number): user_ids[coach.person.email] for coach in landscape.coaches}
        school_ids = _write_schools(landscape.schools, region_ids=region_ids, group_ids=group_ids, coach_ids=coach_ids)
    log(
        f"Besturen {len(landscape.groups)}, schools {len(landscape.schools)}, "
        f"expertcoaches {len(landscape.coaches)} in place."
    )

    for chunk in _chunks(landscape.schools, size=SCHOOLS_PER_CHUNK):
        chunk_before = _counts()
        with transaction.atomic():
            _write_staff(
                [(school, plan_staff(school=school, seed=seed)) for school in chunk],
                school_ids=school_ids,
                password=password,
            )
        created = _difference(_counts(), chunk_before)
        log(
            f"Schools {chunk[-1].index + 1}/{len(landscape.schools)}: "
            f"+{created['users']} users, +{created['teams']} teams, "
            f"+{created['school memberships']} school memberships, "
            f"+{created['team memberships']} team memberships."
        )

    created = _difference(_counts(), before)
    summary = ", ".join(f"{label} +{count}" for label, count in created.items())
    log(f"Done in {time.monotonic() - started:.1f}s: {summary}.")
    return created


def _between(rng: random.Random, bounds: tuple[int, int]) -> int:
    return rng.randint(*bounds)


def _pick[T](rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    return rng.choices([value for value, _ in options], weights=[w for _, w in options])[0]


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in plain.lower() if char.isalnum())


def _person(rng: random.Random, *, number: int, domain: str) -> Person:
    first, last = _name(rng)
    return Person(f"{_slug(first)}.{_slug(last)}.{number}@{domain}", first, last)


def _plan_group(*, index: int, seed: str) -> GroupPlan:
    rng = random.Random(f"{seed}:group:{index}")
    if index < len(OPENING_REGIONS):
        region = OPENING_REGIONS[index]
        provinces = REGION_PROVINCES[region]
        province = rng.choices(provinces, weights=[PROVINCE_WEIGHTS[p] for p in provinces])[0]
    else:
        provinces = list(PROVINCE_WEIGHTS)
        province = rng.choices(provinces, weights=list(PROVINCE_WEIGHTS.values()))[0]
        region = PROVINCE_REGION[province]
    if index < len(OPENING_SECTORS):
        sector = OPENING_SECTORS[index]
    else:
        sector = rng.choices(list(SECTOR_WEIGHTS), weights=list(SECTOR_WEIGHTS.values()))[0]
    size = FIRST_GROUP_SIZE if index == 0 else _between(rng, _pick(rng, GROUP_SIZES[sector]))
    city = rng.choice(PLACES[province])
    name = _pick(rng, GROUP_PATTERNS[sector]).format(city=city, brand=rng.choice(GROUP_BRANDS))
    code = group_code(index=index)
    domain = f"b{code}.bestuur.test"
    bestuurder = _person(rng, number=1, domain=domain)
    verandercoach = _person(rng, number=2, domain=domain) if rng.random() < 1 / 3 else None
    if index == 0:
        bestuurder, verandercoach = DEMO_BESTUURDER, DEMO_VERANDERCOACH
    return GroupPlan(
        index=index,
        code=code,
        name=name,
        city=city,
        province=province,
        region=region,
        sector=sector,
        size=size,
        bestuurder=bestuurder,
        verandercoach=verandercoach,
    )


def _plan_school(*, index: int, group: GroupPlan, seed: str, year_start: date) -> SchoolPlan:
    rng = random.Random(f"{seed}:{index}")
    province = group.province
    if rng.random() < 0.2:
        provinces = REGION_PROVINCES[group.region]
        province = rng.choices(provinces, weights=[PROVINCE_WEIGHTS[p] for p in provinces])[0]
    city = group.city if province == group.province and rng.random() < 0.6 else None
    city = city or rng.choice(PLACES[province])
    teachers = _between(rng, TEACHERS[group.sector])
    pupils = round(teachers * rng.uniform(12, 18))
    if index < len(OPENING_PHASES):
        phase = OPENING_PHASES[index]
    else:
        phase = rng.choices(list(PHASE_WEIGHTS), weights=list(PHASE_WEIGHTS.values()))[0]
    return SchoolPlan(
        index=index,
        code=school_code(index=index),
        name=_school_name(rng, sector=group.sector, city=city),
        sector=group.sector,
        province=province,
        city=city,
        region=group.region,
        group=group.index,
        pupil_count=pupils,
        teacher_count=teachers,
        phase=phase,
        start_date=_start_date(rng, phase=phase, year_start=year_start),
        coach=None,
    )


def _school_name(rng: random.Random, *, sector: str, city: str) -> str:
    if sector == Sector.PO:
        return f"{_pick(rng, PO_PREFIXES)} {rng.choice(PO_NAMES)}"
    patterns = {Sector.VO: VO_PATTERNS, Sector.MBO: MBO_PATTERNS, Sector.OTHER: OTHER_PATTERNS}
    return _pick(rng, patterns[sector]).format(city=city, patron=rng.choice(VO_PATRONS))


def _start_date(rng: random.Random, *, phase: str, year_start: date) -> date | None:
    if phase not in STARTED_PHASES:
        return None
    years_ago = {Phase.YEAR_1: 0, Phase.YEAR_2: 1}.get(phase)
    if years_ago is None:
        years_ago = rng.randint(2, 7)
    day = year_start.replace(year=year_start.year - years_ago) + timedelta(days=rng.randint(20, 50))
    # A startdag is a working day with the whole staff.
    return day - timedelta(days=max(0, day.weekday() - 4))


def _team_count(rng: random.Random, *, teachers: int) -> int:
    # Between these bounds every team can hold 6-10 teachers (12 or more teachers always fit).
    return rng.randint(math.ceil(teachers / 10), teachers // 6)


def _team_names(rng: random.Random, *, sector: str, count: int) -> list[str]:
    if sector == Sector.PO and count in PO_TEAMS:
        return list(rng.choice(PO_TEAMS[count]))
    pool = TEAM_POOLS.get(sector, TEAM_POOLS[Sector.VO])
    chosen = sorted(rng.sample(range(len(pool)), min(count, len(pool))))
    names = [pool[position] for position in chosen]
    return names + [f"Team {number}" for number in range(len(names) + 1, count + 1)]


def _split(total: int, *, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + 1 if part < extra else base for part in range(parts)]


def _chunks[T](items: Sequence[T], *, size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _id_map(queryset: models.QuerySet, *, key: str, values: Iterable[object]) -> dict:
    found: dict = {}
    for chunk in _chunks(list(dict.fromkeys(values)), size=LOOKUP_CHUNK):
        found.update(queryset.filter(**{f"{key}__in": chunk}).values_list(key, "id"))
    return found


def _write_users(people: Iterable[Person], *, password: str, superusers: frozenset[str] = frozenset()) -> dict:
    unique = {person.email: person for person in people}
    User.objects.bulk_create(
        [
            User(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                password=password,
                is_superuser=person.email in superusers,
            )
            for person in unique.values()
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return _id_map(User.objects.all(), key="email", values=unique)


def _write_groups(groups: list[GroupPlan]) -> dict[int, int]:
    SchoolGroup.objects.bulk_create(
        [SchoolGroup(code=group.code, name=group.name, city=group.city) for group in groups],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    ids = _id_map(SchoolGroup.objects.all(), key="code", values=[group.code for group in groups])
    return {group.index: ids[group.code] for group in groups}


def _write_leadership(landscape: Landscape, *, region_ids: dict, group_ids: dict, user_ids: dict) -> None:
    RegionMembership.objects.bulk_create(
        [
            RegionMembership(
                user_id=user_ids[coach.person.email],
                region_id=region_ids[coach.region],
                role=Role.EXPERTCOACH,
            )
            for coach in landscape.coaches
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    memberships = []
    for group in landscape.groups:
        holders = [(group.bestuurder, Role.BESTUURDER), (group.verandercoach, Role.VERANDERCOACH)]
        memberships += [
            SchoolGroupMembership(user_id=user_ids[person.email], school_group_id=group_ids[group.index], role=role)
            for person, role in holders
            if person is not None
        ]
    SchoolGroupMembership.objects.bulk_create(memberships, batch_size=BATCH_SIZE, ignore_conflicts=True)


def _write_schools(schools: list[SchoolPlan], *, region_ids: dict, group_ids: dict, coach_ids: dict) -> dict[int, int]:
    School.unscoped.bulk_create(
        [
            School(
                code=school.code,
                name=school.name,
                sector=school.sector,
                province=school.province,
                city=school.city,
                region_id=region_ids[school.region],
                school_group_id=group_ids[school.group],
                pupil_count=school.pupil_count,
                teacher_count=school.teacher_count,
                phase=school.phase,
                start_date=school.start_date,
                expertcoach_id=coach_ids[school.coach] if school.coach else None,
            )
            for school in schools
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    ids = _id_map(School.unscoped.all(), key="code", values=[school.code for school in schools])
    return {school.index: ids[school.code] for school in schools}


def _write_staff(staffed: list[tuple[SchoolPlan, StaffPlan]], *, school_ids: dict, password: str) -> None:
    user_ids = _write_users(
        (person for _, staff in staffed for person in staff.teachers + staff.leaders),
        password=password,
    )
    Team.unscoped.bulk_create(
        [Team(school_id=school_ids[school.index], name=name) for school, staff in staffed for name, _ in staff.teams],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    chunk_school_ids = [school_ids[school.index] for school, _ in staffed]
    team_ids = {
        (school_id, name): team_id
        for chunk in _chunks(chunk_school_ids, size=LOOKUP_CHUNK)
        for school_id, name, team_id in Team.unscoped.filter(school_id__in=chunk).values_list("school_id", "name", "id")
    }
    school_memberships = []
    team_memberships = []
    for school, staff in staffed:
        school_id = school_ids[school.index]
        holders = (
            [(person, Role.LERAAR) for person in staff.teachers]
            + [(person, Role.SCHOOLCOACH) for person in staff.schoolcoaches]
            + [(person, Role.SCHOOLLEIDER) for person in staff.leaders]
        )
        school_memberships += [
            SchoolMembership(user_id=user_ids[person.email], school_id=school_id, role=role) for person, role in holders
        ]
        team_memberships += [
            TeamMembership(
                user_id=user_ids[person.email],
                team_id=team_ids[(school_id, name)],
                school_id=school_id,
            )
            for name, members in staff.teams
            for person in members
        ]
    SchoolMembership.unscoped.bulk_create(school_memberships, batch_size=BATCH_SIZE, ignore_conflicts=True)
    TeamMembership.unscoped.bulk_create(team_memberships, batch_size=BATCH_SIZE, ignore_conflicts=True)


COUNTED: dict[str, type[models.Model]] = {
    "users": User,
    "besturen": SchoolGroup,
    "schools": School,
    "teams": Team,
    "school memberships": SchoolMembership,
    "team memberships": TeamMembership,
    "region memberships": RegionMembership,
    "bestuur memberships": SchoolGroupMembership,
}


def _counts() -> dict[str, int]:
    return {label: model._base_manager.count() for label, model in COUNTED.items()}


def _difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {label: after[label] - before[label] for label in after}
