"""Tasks open their tenant scope in one place (`leerkracht.celery.TenantTask`, as pretix's tasks
open their event): from the school their arguments name. Task bodies stay thin (ids in, a service
called): no scope, no loop, no sweep of their own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from leerkracht.celery import TenantTask, app
from schools.models import School
from schools.tests.factories import SchoolFactory

ROOT = Path(settings.BASE_DIR)
APPS = ["leerkracht", "schools", "instruments", "barometer", "academy"]


@app.task(base=TenantTask, name="leerkracht.tests.test_tasks.visible_schools")
def visible_schools(*, school_id: int | None = None, school_ids: list[int] | None = None) -> list[int]:
    """What a tenant task's body sees of a tenant model."""
    return sorted(School.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_tenant_task_runs_inside_the_scope_of_the_schools_it_names_and_no_other():
    one, two, three = SchoolFactory(), SchoolFactory(), SchoolFactory()
    assert visible_schools(school_id=one.pk) == [one.pk]
    assert visible_schools(school_ids=[one.pk, three.pk]) == sorted([one.pk, three.pk])
    assert visible_schools.delay(school_id=two.pk) is None  # eager, after the commit; reports nothing
    with pytest.raises(TypeError, match="tenant task"):
        visible_schools()


def task_functions(source: str) -> list[ast.FunctionDef]:
    tasks = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and any(
            "shared_task" in ast.unparse(decorator) or ".task" in ast.unparse(decorator)
            for decorator in node.decorator_list
        ):
            tasks.append(node)
    return tasks


def problems_of(task: ast.FunctionDef) -> list[str]:
    found = []
    names = {arg.arg for arg in task.args.args + task.args.kwonlyargs}
    tenant = any("TenantTask" in ast.unparse(decorator) for decorator in task.decorator_list)
    if names & {"school_id", "school_ids"} and not tenant:
        found.append(f"{task.name}: takes a school but is not a TenantTask")
    for node in ast.walk(task):
        if isinstance(node, ast.For | ast.While | ast.With | ast.AsyncWith | ast.comprehension):
            found.append(f"{task.name} line {node.lineno}: a loop or a scope in a task body (a service's work)")
        if isinstance(node, ast.Attribute) and node.attr in {"scope", "scopes_disabled", "objects", "unscoped"}:
            found.append(f"{task.name} line {node.lineno}: .{node.attr} in a task body")
    return found


def test_the_task_lint_catches_what_it_should():
    bad = (
        "@shared_task\ndef t(*, school_id):\n    with tenancy.scope(school_ids=[school_id]):\n"
        "        for x in X.unscoped.all():\n            pass\n"
    )
    (task,) = task_functions(bad)
    assert problems_of(task) == [
        "t: takes a school but is not a TenantTask",
        "t line 3: a loop or a scope in a task body (a service's work)",
        "t line 4: a loop or a scope in a task body (a service's work)",
        "t line 3: .scope in a task body",
        "t line 4: .unscoped in a task body",
    ]
    (good,) = task_functions("@shared_task(base=TenantTask)\ndef t(*, school_id):\n    return s(school_id=school_id)\n")
    assert problems_of(good) == []


def test_every_task_is_thin_and_every_school_task_opens_its_scope_through_the_base_class():
    modules = [path for app_name in APPS for path in [ROOT / app_name / "tasks.py"] if path.exists()]
    tasks = {path: task_functions(path.read_text(encoding="utf-8")) for path in modules}
    assert sum(len(found) for found in tasks.values()) >= 10, "no tasks found: the lint would pass vacuously"
    report = {
        f"{path.relative_to(ROOT)}": problems
        for path, found in tasks.items()
        if (problems := [problem for task in found for problem in problems_of(task)])
    }
    assert report == {}
