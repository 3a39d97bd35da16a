"""Lesson designs in use for the demo: six lessons a team designed together, in every status, one
evaluated, one shared with another team and one copied from it. Built through the services,
deterministic and idempotent: a team that already has designs is left alone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from instruments.models import BoardKind, DesignStatus, Goal, GoalReached, LessonDesign
from instruments.services import lesson_design as services
from schools.models import School, Team, User

DESIGNS = [
    {
        "title": "Breuken vergelijken met stroken",
        "subject": "Rekenen",
        "group": "Groep 6",
        "days": -9,
        "lesson_goal": "Leerlingen vergelijken twee breuken met verschillende noemers en leggen uit welke groter is.",
        "success_criteria": "Ik kan twee breuken op een strook laten zien.\nIk kan uitleggen welke breuk groter is.",
        "checks": "Na de instructie: wisbordjes met ‘welke is groter, 2/3 of 3/5?’. Wie twijfelt, komt aan de "
        "instructietafel.",
        "activities": "Korte terugblik (5 min), instructie met stroken (10 min), in tweetallen vergelijken (15 min), "
        "exit ticket (5 min).",
        "techniques": "wisbordjes, instructietafel, exit ticket",
        "status": DesignStatus.EVALUATED,
        "evaluation": {
            "goal_reached": GoalReached.PARTLY,
            "evaluation": "Twee derde van de groep legde het goed uit; bij gelijke tellers ging het vaak mis.",
            "next_step": "Volgende les starten met breuken met gelijke tellers, weer met stroken.",
        },
        "with_goal": True,
    },
    {
        "title": "Voorspellen bij een informatieve tekst",
        "subject": "Begrijpend lezen",
        "group": "Groep 7",
        "days": -2,
        "lesson_goal": "Leerlingen voorspellen met de titel en de plaatjes waar een tekst over gaat.",
        "success_criteria": "Ik kan een voorspelling doen.\nIk kan zeggen waarop ik mijn voorspelling baseer.",
        "checks": "Beurtstokjes bij elke voorspelling; duim omhoog/opzij/omlaag na het lezen.",
        "activities": "Titel en plaatjes bekijken, voorspelling noteren, samen lezen, voorspelling toetsen.",
        "techniques": "beurtstokjes, denken-delen-uitwisselen",
        "status": DesignStatus.GIVEN,
        "with_goal": True,
    },
    {
        "title": "Klokkijken: kwart over en kwart voor",
        "subject": "Rekenen",
        "group": "Groep 4",
        "days": 3,
        "lesson_goal": "Leerlingen lezen kwart over en kwart voor af op een analoge klok.",
        "success_criteria": "Ik kan de grote wijzer op kwart over en kwart voor zetten.",
        "checks": "Elke leerling zet de eigen klok; de leerkracht kijkt rond en noteert wie het nog lastig vindt.",
        "activities": "Klokkenlied, instructie met de grote klok, oefenen in tweetallen, spel ‘hoe laat is het?’.",
        "techniques": "wisbordjes",
        "status": DesignStatus.READY,
    },
    {
        "title": "Spelling: woorden met ei en ij",
        "subject": "Taal",
        "group": "Groep 5",
        "days": 8,
        "lesson_goal": "Leerlingen schrijven de tien woorden van de week met ei of ij foutloos.",
        "success_criteria": "Ik ken het ezelsbruggetje.\nIk schrijf de woorden van de week goed.",
        "checks": "Dictee van drie woorden op wisbordjes halverwege de les.",
        "activities": "Woorden sorteren, ezelsbruggetje bedenken, zinnen schrijven.",
        "techniques": "wisbordjes, wachttijd",
        "status": DesignStatus.DRAFT,
    },
    {
        "title": "De waterkringloop",
        "subject": "Wereldoriëntatie",
        "group": "Groep 8",
        "days": 14,
        "lesson_goal": "Leerlingen leggen de vier stappen van de waterkringloop in eigen woorden uit.",
        "success_criteria": "Ik noem de vier stappen.\nIk leg uit waarom het regent.",
        "checks": "Exit ticket: teken de kringloop met pijlen en woorden.",
        "activities": "Proefje met een pan en een deksel, filmpje, schema invullen in tweetallen.",
        "techniques": "exit ticket",
        "status": DesignStatus.DRAFT,
        "alone": True,  # a draft with its maker only: not yet ready
    },
]


def seed_lesson_designs(*, school: School, team: Team, users: list[User]) -> list[LessonDesign]:
    """Six designs of `team` made by `users` (two or more of its teachers): one per status, one
    evaluated, one shared with another team of the school and one copied from that. Returns the
    team's designs; does nothing when the team already has some."""
    existing = list(LessonDesign.objects.filter(school=school, team=team).order_by("id"))
    if existing or len(users) < 2:
        return existing
    with transaction.atomic():
        return _build(school=school, team=team, users=users)


def _build(*, school: School, team: Team, users: list[User]) -> list[LessonDesign]:
    maker, partner = users[0], users[1]
    goal = (
        Goal.objects.filter(board__team=team, board__kind=BoardKind.TEAM, cycle__closed_at__isnull=True)
        .select_related("board", "cycle")
        .order_by("position", "id")
        .first()
    )
    today = timezone.localdate()
    made = []
    for n, spec in enumerate(DESIGNS):
        # The pair takes turns being the maker, as a team does.
        first, second = (maker, partner) if n % 2 == 0 else (partner, maker)
        design = services.lesson_design_create(
            team=team,
            user=first,
            authors=[] if spec.get("alone") else [second],
            title=spec["title"],
            subject=spec["subject"],
            group=spec["group"],
            planned_on=today + dt.timedelta(days=spec["days"]),
            lesson_goal=spec["lesson_goal"],
            success_criteria=spec["success_criteria"],
            checks=spec["checks"],
            activities=spec["activities"],
            techniques=spec["techniques"],
            goal=goal if spec.get("with_goal") else None,
        )
        steps = {
            DesignStatus.DRAFT: [],
            DesignStatus.READY: [DesignStatus.READY],
            DesignStatus.GIVEN: [DesignStatus.READY, DesignStatus.GIVEN],
            DesignStatus.EVALUATED: [DesignStatus.READY, DesignStatus.GIVEN],
        }[spec["status"]]
        for status in steps:
            services.lesson_design_status_set(design=design, user=first, status=status)
        if "evaluation" in spec:
            services.lesson_design_evaluate(design=design, user=second, **spec["evaluation"])
        made.append(design)

    # The evaluated lesson goes to another team of the school, which copies it to give it too.
    other = Team.objects.filter(school=school).exclude(pk=team.pk).order_by("name").first()
    if other is not None:
        services.lesson_design_share(design=made[0], user=maker, team=other)
    copy = services.lesson_design_copy(design=made[0], user=partner, team=team)
    services.lesson_design_update(
        design_id=copy.pk,
        school_id=school.pk,
        user=partner,
        version=copy.version,
        title="Breuken vergelijken met gelijke tellers",
        subject=copy.subject,
        group=copy.group.name,
        planned_on=today + dt.timedelta(days=5),
        lesson_goal="Leerlingen vergelijken breuken met gelijke tellers en leggen uit waarom 1/3 groter is dan 1/5.",
        success_criteria=copy.success_criteria,
        checks=copy.checks,
        activities=copy.activities,
        techniques="wisbordjes, instructietafel, exit ticket",
        authors=[maker],
    )
    made.append(copy)
    return made
