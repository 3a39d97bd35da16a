"""The tenancy rules we lint for (as Zulip does with semgrep): view and API code reads through
selectors and access_* functions, never a tenant model's manager or a bare get_object_or_404."""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from leerkracht.tenancy import TenantModel

ROOT = Path(settings.BASE_DIR)
APPS = ["leerkracht", "schools", "instruments", "barometer", "academy"]


def view_modules() -> list[Path]:
    files = []
    for app in APPS:
        base = ROOT / app
        files += [p for p in base.glob("views*.py")] + list((base / "views").glob("*.py"))
        files += list((base / "api").glob("*.py"))
    return [f for f in files if f.exists()]


def tenant_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if issubclass(model, TenantModel)}


def violations_in(source: str, tenant_models: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "unscoped", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in tenant_models
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"get_object_or_404", "get_list_or_404"}:
                found.append(f"line {node.lineno}: {name}()")
    return found


def test_the_linter_catches_what_it_should():
    bad = "def view(request, team_id):\n    Team.objects.get(pk=team_id)\n    return get_object_or_404(Team, pk=1)\n"
    assert sorted(violations_in(bad, {"Team"})) == ["line 2: Team.objects", "line 3: get_object_or_404()"]
    assert violations_in("Region.objects.all()", {"Team"}) == []


def test_views_and_api_never_touch_tenant_managers_directly():
    tenant_models = tenant_model_names()
    assert {"School", "Team", "SchoolMembership", "TeamMembership"} <= tenant_models
    modules = view_modules()
    assert modules, "no view modules found: the lint would pass vacuously"
    report = {
        str(path.relative_to(ROOT)): problems
        for path in modules
        if (problems := violations_in(path.read_text(encoding="utf-8"), tenant_models))
    }
    assert report == {}
