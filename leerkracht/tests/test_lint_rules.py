"""The rules we lint for (as Zulip does with semgrep): view and API code reads through selectors
and access_* functions, never a tenant model's manager or a bare get_object_or_404; and every text
a person reads goes through Django's translation functions (Python) and tags (templates)."""

import ast
import re
from collections.abc import Iterable
from html.parser import HTMLParser
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


# --- UI text goes through gettext ----------------------------------------------------------------
#
# The UI is Dutch and the code English; every word a person reads passes through Django's
# translation functions, so that the platform stays i18n-ready (DESIGN.md §6). A string literal is
# *user-facing Dutch text* when it is not a docstring, not inside a gettext call and not inside a
# logger call, and
#   1. it reads as a Dutch phrase: two words or more, one of them a common Dutch word (DUTCH_WORDS:
#      function words, which every Dutch sentence has and English code strings do not); or
#   2. it stands where Django or the project shows text to a person (UI_CALLS, UI_KEYWORDS, a
#      choices label, a class's verbose_name...) and holds a word: one word ("Klaar") is enough; or
#   3. it sits in one literal table (dict, list, tuple) with a string of kind 1 and reads as text
#      (a dict value, or capitalised or several words): one phrase marks a whole table of labels.
# An f-string is judged by its literal parts; it cannot be marked, so it becomes
# `_("... %(name)s") % {...}`. An f-string inside gettext is reported too (it cannot be extracted).

I18N_APPS = ["leerkracht", "schools", "instruments", "barometer", "academy", "wiring"]

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}

# Dutch words that are not also English words found in code strings ("in", "is", "of", "over",
# "per", "die", "was" and "we" are left out for that reason).
DUTCH_WORDS = frozenset(
    """
    de het een en van voor met aan bij naar niet geen dit deze dat wordt worden werd zijn
    je jouw jij jou uw ook nog maar wat wie waar hoe heeft hebben moet moeten mag kan kunnen kunt
    er te om op als dan alle alleen nieuw nieuwe onze ons wij zo zonder tot uit door nu eerst
    al hier daar ja nee bent ben zal zullen hun hem haar zij ze iets niets iemand niemand elke elk
    welke welk wanneer omdat kies vul terug klaar graag wil wilt nooit altijd eens keer opnieuw
    """.split()  # noqa: SIM905 (a word list reads better as words)
)

# Calls whose (first) argument is shown to a person.
UI_CALLS = {"ValidationError", "EditConflict", "PermissionDenied", "Http404", "format_html", "mark_safe"}
# Keyword arguments that carry text for a person, wherever they are passed.
UI_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "description",
    "title",
    "note",
    "placeholder",
    "error_messages",
}
# Names that hold text for a person when assigned in a class body or as an attribute.
UI_ATTRIBUTES = {
    "verbose_name",
    "verbose_name_plural",
    "short_description",
    "help_text",
    "label",
    "empty_label",
    "labels",
    "help_texts",
    "error_messages",
}
# HTML attributes (as keys of a widget's attrs) whose value a person reads.
UI_HTML_ATTRIBUTES = {"placeholder", "title", "aria-label"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}

# Strings that must stay unmarked, by module or module::function. Each says why.
I18N_ALLOWED = {
    # Demo content: what a school would have typed, written to the database as data by seed_demo.
    # It is not the UI's text and is not translated with it.
    "schools/demo.py": "demo data",
    "instruments/demo.py": "demo data",
    "instruments/demo_direction.py": "demo data",
    "instruments/demo_feedback.py": "demo data",
    "instruments/demo_lesson_design.py": "demo data",
    "instruments/demo_lesson_visit.py": "demo data",
    "barometer/demo.py": "demo data",
    # Writes docs/access.md, a document of the repository that a test compares byte for byte
    # with the code: documentation, not UI, and not to change with the active language.
    "leerkracht/roles.py::render_matrix_markdown": "repository documentation",
}


def i18n_modules() -> list[Path]:
    files = []
    for app in I18N_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" not in parts and "migrations" not in parts:
                files.append(path)
    return files


def _name(func: ast.expr) -> str | None:
    return getattr(func, "id", None) or getattr(func, "attr", None)


def _is_logger_call(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and "log" in (_name(func.value) or "").lower()


def _strings_in(node: ast.AST | None) -> list[ast.AST]:
    """The string literals an expression can evaluate to: through concatenation, `%`, `.format()`,
    conditionals, containers (dict values, not keys) and the default of a `.get()`; not the
    arguments of other calls or subscripts (a format code, a key)."""
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.Dict):
        return [s for value in node.values for s in _strings_in(value)]
    if isinstance(node, ast.IfExp):
        return _strings_in(node.body) + _strings_in(node.orelse)
    if isinstance(node, ast.BinOp):
        return _strings_in(node.left) + _strings_in(node.right)
    if isinstance(node, ast.BoolOp | ast.List | ast.Tuple | ast.Set):
        return [s for child in getattr(node, "values", None) or node.elts for s in _strings_in(child)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        default = node.args[1:] if node.func.attr == "get" else []
        return _strings_in(node.func.value) + [s for arg in default for s in _strings_in(arg)]
    return []


def _text(node: ast.AST) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return node.value


def _words(text: str) -> list[str]:
    """The words a person would read: markup, placeholders and format codes taken out."""
    text = re.sub(r"<[^>]*>|\{[^}]*\}|%\(\w+\)[sdif]|%[sdif]", " ", text)
    return re.findall(r"[^\W\d_]+", text)


def _is_phrase(text: str) -> bool:
    words = _words(text)
    return " " in text.strip() and len(words) >= 2 and any(word.lower() in DUTCH_WORDS for word in words)


def _ui_positions(tree: ast.AST) -> set[ast.AST]:
    """The string literals standing where a person reads them (rule 2)."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            args = node.args
            if name in UI_CALLS or (name or "").startswith("HttpResponse"):
                found += _strings_in(args[0] if args else None)
            elif name == "add_error":
                found += _strings_in(args[1] if len(args) > 1 else None)
            elif isinstance(node.func, ast.Attribute) and _name(node.func.value) == "messages":
                found += [s for arg in args[1:] for s in _strings_in(arg)]
            for keyword in node.keywords:
                if keyword.arg in UI_KEYWORDS or (name in UI_CALLS and keyword.arg == "message"):
                    found += _strings_in(keyword.value)
                elif keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    found += [
                        s
                        for pair in keyword.value.elts
                        if isinstance(pair, ast.Tuple) and len(pair.elts) == 2
                        for s in _strings_in(pair.elts[1])
                    ]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in UI_HTML_ATTRIBUTES:
                    found += _strings_in(value)
        elif isinstance(node, ast.ClassDef):
            choices = any((_name(base) or "").endswith("Choices") for base in node.bases)
            for statement in node.body:
                if not isinstance(statement, ast.Assign):
                    continue
                if choices and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) >= 2:
                    found += _strings_in(statement.value.elts[-1])
                if any(_name(target) in UI_ATTRIBUTES for target in statement.targets):
                    found += _strings_in(statement.value)
        elif isinstance(node, ast.FunctionDef) and node.name == "__str__":
            # What an object is called in the admin and in choices: a label when it opens with a
            # capitalised word ("Cyclus {number}"); "{kind} to {address}" is an identifier.
            found += [
                s
                for inner in ast.walk(node)
                if isinstance(inner, ast.Return)
                for s in _strings_in(inner.value)
                if re.match(r"[A-Z][a-z]", _text(s))
            ]
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr in UI_ATTRIBUTES for target in node.targets
        ):
            found += _strings_in(node.value)
    return set(found)


def _tables(tree: ast.AST) -> list[list[tuple[ast.AST, bool]]]:
    """The string literals of each outermost literal table, each with whether it is a dict value."""
    literal = (ast.Dict, ast.List, ast.Tuple, ast.Set)
    inner = {id(child) for node in ast.walk(tree) if isinstance(node, literal) for child in ast.iter_child_nodes(node)}

    def members(node: ast.AST, dict_value: bool = False) -> list[tuple[ast.AST, bool]]:
        if isinstance(node, (ast.Constant, ast.JoinedStr)):
            return [(node, dict_value)] if _strings_in(node) else []
        if isinstance(node, ast.Dict):
            return [m for value in node.values for m in members(value, dict_value=True)]
        if isinstance(node, literal):
            return [m for element in node.elts for m in members(element)]
        return []

    return [members(node) for node in ast.walk(tree) if isinstance(node, literal) and id(node) not in inner]


def _scopes(tree: ast.AST) -> dict[int, str]:
    """Each node's enclosing function or class, as a dotted name ('' at module level)."""
    scopes: dict[int, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
            scopes[id(child)] = inner
            visit(child, inner)

    visit(tree, "")
    return scopes


def untranslated_in(source: str) -> list[tuple[int, str, str]]:
    """(line, text, enclosing function) of every user-facing string not passed through gettext."""
    tree = ast.parse(source)
    ignored: set[int] = set()
    found: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
            ignored.add(id(node.value))  # a docstring, or a string nobody reads
        elif isinstance(node, ast.JoinedStr):
            ignored.update(id(part) for part in node.values)  # judged as the whole f-string
        elif isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
            for inner in ast.walk(node):
                ignored.add(id(inner))
                if isinstance(inner, ast.JoinedStr):
                    found[id(inner)] = inner  # an f-string cannot be extracted for translation
        elif isinstance(node, ast.Call) and _is_logger_call(node):
            ignored.update(id(inner) for inner in ast.walk(node))
    strings = [node for node in ast.walk(tree) if _strings_in(node) == [node] and id(node) not in ignored]
    phrases = {id(node) for node in strings if _is_phrase(_text(node))}
    ui = {id(node) for node in _ui_positions(tree)}
    for node in strings:
        if id(node) in phrases or (id(node) in ui and _words(_text(node))):
            found[id(node)] = node
    for table in _tables(tree):
        if any(id(node) in phrases for node, _ in table):
            for node, dict_value in table:
                text = _text(node)
                reads_as_text = dict_value or " " in text.strip() or re.match(r"[A-Z][a-z]", text)
                if id(node) not in ignored and _words(text) and reads_as_text:
                    found[id(node)] = node
    scopes = _scopes(tree)
    return sorted((node.lineno, _text(node), scopes.get(id(node), "")) for node in found.values())


def allow_listed(findings: Iterable[tuple[str, int, str, list[str]]]) -> tuple[dict[str, list[str]], set[str]]:
    """(file, line, text, allow-list entries that let it stand) as a report per file of what no
    entry lets stand, and the set of entries that were used (an unused one is stale)."""
    report: dict[str, list[str]] = {}
    used: set[str] = set()
    for place, line, text, allowed in findings:
        if allowed:
            used.update(allowed)
        else:
            report.setdefault(place, []).append(f"line {line}: {text!r}")
    return report, used


def test_the_translation_linter_catches_what_it_should():
    bad = (
        "MISSING = 'Dit formulier is onvolledig verstuurd.'\n"  # 1: a phrase
        "raise ValidationError('Klaar')\n"  # 2: one word where a person reads it
        "COLUMNS = {'goals': 'Onze doelen', 'actions': 'Acties'}\n"  # 3: a table with a phrase
        "class Config(AppConfig):\n"
        "    verbose_name = 'Instrumenten'\n"  # 5: a class's verbose_name
        "class Kind(models.TextChoices):\n"
        "    OPEN = 'open', 'Open vraag'\n"  # 7: a choices label
        "messages.success(request, f'Opgeslagen: {name}')\n"  # 8: an f-string message
        "label = _(f'Naam van {team}')\n"  # 9: an f-string inside gettext
        "field = forms.CharField(label='Naam', error_messages={'required': 'Vul iets in.'})\n"  # 10
        "form.add_error('title', 'Te lang')\n"  # 11: the message, not the field's name
        "html = format_html('<a href=\"{}\">bewerken</a>', url)\n"  # 12: text between tags
        "def view(request):\n"
        "    return HttpResponse('Niet gevonden.')\n"  # 14: a response body
        "class Cycle(models.Model):\n"
        "    def __str__(self):\n"
        "        return f'Cyclus {self.number}'\n"  # 17: what the admin calls it
    )
    assert untranslated_in(bad) == [
        (1, "Dit formulier is onvolledig verstuurd.", ""),
        (2, "Klaar", ""),
        (3, "Acties", ""),
        (3, "Onze doelen", ""),
        (5, "Instrumenten", "Config"),
        (7, "Open vraag", "Kind"),
        (8, "Opgeslagen: {}", ""),
        (9, "Naam van {}", ""),
        (10, "Naam", ""),
        (10, "Vul iets in.", ""),
        (11, "Te lang", ""),
        (12, '<a href="{}">bewerken</a>', ""),
        (14, "Niet gevonden.", "view"),
        (17, "Cyclus {}", "Cycle.__str__"),
    ]
    good = (
        '"""Een docstring mag Nederlands zijn."""\n'
        "MISSING = gettext_lazy('Dit formulier is onvolledig verstuurd.')\n"
        "raise ValidationError(_('Klaar'), code='done')\n"
        "STATES = {'gepland': (Status.PLANNED, _('Gepland')), 'open': 'open'}\n"
        "logger.info('Het bord van %s is bijgewerkt', team)\n"
        "response = HttpResponse(svg, content_type='image/svg+xml; charset=utf-8')\n"
        "form.add_error('title', _('Te lang'))\n"
        "when = date_format(day, 'l j F Y')\n"
        "raise ImproperlyConfigured('The environment variable must be set in production.')\n"
        "html = format_html('<span class=\"badge\">{}</span>', label)\n"
        "if request.GET.get('weergave') == 'projectie': pass\n"
        "path('doelen/nieuw/', views.goal_create, name='goal_create')\n"
        "class Message(models.Model):\n"
        "    def __str__(self):\n"
        "        return f'{self.kind} to {self.to}'\n"
    )
    assert untranslated_in(good) == []


def test_ui_text_goes_through_gettext():
    modules = i18n_modules()
    assert len(modules) > 100, "too few modules found: the lint would pass vacuously"
    report, allowed_used = allow_listed(
        (module, line, text, [key for key in (module, f"{module}::{scope}") if key in I18N_ALLOWED])
        for path in modules
        for module in [str(path.relative_to(ROOT))]
        for line, text, scope in untranslated_in(path.read_text(encoding="utf-8"))
    )
    assert report == {}, "mark these with gettext (functions) or gettext_lazy (module level, class bodies)"
    assert allowed_used == set(I18N_ALLOWED), "an allow-list entry allows nothing any more: remove it"


# --- Template text goes through {% translate %} --------------------------------------------------
#
# What a template shows a person: its text nodes, and the attributes a person reads (title, alt,
# placeholder, aria-label, the value of a submit input, an htmx confirm). Everything Django draws
# is taken out first (tags, variables, comments, {% blocktranslate %} and {% comment %} blocks),
# then <script>, <style> and HTML comments; what is left must hold no letter. E-mail templates
# (*.txt) are plain text: no letter outside the translation tags either.

TEMPLATE_GAP = "TPL0TPL"  # what stands in for Django's tags: a word, so `<h{% if %}4...>` stays a tag
SKIPPED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
READ_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "hx-confirm",
    "hx-prompt",
}
SHOWN_VALUE_INPUTS = {"submit", "button", "reset"}
# A block that fills in a tag's attributes (`<body{% block body_attrs %}{% endblock %}>`) stands
# outside any tag in the template that fills it: it is read as attributes, not as text.
ATTRIBUTE_FRAGMENT = re.compile(r"""(\s*[\w:.-]+\s*=\s*("[^"]*"|'[^']*'))+\s*""")

# Text that stays as it is in every language. Keys are the text, or "template::text" for one place.
TEMPLATE_TEXT_ALLOWED = {
    "leerKRACHT": "the brand",
    "leer": "the brand's logo, drawn in two halves",
    "KRACHT": "the brand's logo, drawn in two halves",
    "Stichting leerKRACHT": "the foundation's name",
    "instruments/feedback_round.html::/stem/": "the path of the pupils' short address, typed as shown",
    "instruments/session_list.html::x": "one character per week with a session, counted by |length, never shown",
}


def template_files() -> list[Path]:
    found = [*ROOT.glob("templates/**/*"), *ROOT.glob("*/templates/**/*")]
    return sorted(path for path in found if path.suffix in {".html", ".txt"} and ".venv" not in path.parts)


def template_skeleton(source: str) -> str:
    """The template's own text: every tag, variable and comment of Django, and every translated or
    commented block, replaced by TEMPLATE_GAP (line breaks kept, so that lines still count)."""
    from django.template.base import Lexer, TokenType

    parts, closing = [], None
    for token in Lexer(source).tokenize():
        lines = "\n" * token.contents.count("\n")
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.strip() else ""
            if closing is None and name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            elif name == closing:
                closing = None
        if token.token_type == TokenType.TEXT and closing is None:
            parts.append(token.contents)
        else:
            parts.append(TEMPLATE_GAP + lines)
    return "".join(parts)


def _letters(text: str) -> str:
    """The text with Django's gaps taken out, if a letter is left in it; else ''."""
    text = " ".join(text.replace(TEMPLATE_GAP, " ").split())
    return text if re.search(r"[^\W\d_]", text) else ""


class _ShownText(HTMLParser):
    """The text nodes and read attributes of an HTML skeleton, with their lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            shown = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in SHOWN_VALUE_INPUTS
            )
            if shown and value and (text := _letters(value)):
                self.found.append((self.getpos()[0], f'{name}="{text}"'))

    def handle_data(self, data):
        if self.cdata_elem is not None:  # inside <script> or <style>
            return
        text = data.replace(TEMPLATE_GAP, " ")
        line = self.getpos()[0] + text[: len(text) - len(text.lstrip())].count("\n")
        if ATTRIBUTE_FRAGMENT.fullmatch(text):
            fragment = _ShownText()
            fragment.feed(f"<span {text.strip()}>")
            self.found += [(line + number - 1, shown) for number, shown in fragment.found]
        elif text := _letters(text):
            self.found.append((line, text))


def untranslated_template_text(source: str, *, html: bool) -> list[tuple[int, str]]:
    """(line, text) of every text a person reads that no translation tag holds."""
    skeleton = template_skeleton(source)
    if not html:
        return [(number, text) for number, line in enumerate(skeleton.splitlines(), 1) if (text := _letters(line))]
    parser = _ShownText()
    parser.feed(skeleton)
    parser.close()
    return parser.found


def allowed_template_text(template: str, text: str) -> list[str]:
    """The allow-list entries that let this text stand: the whole text, or its words when nothing
    but allowed words and symbols is left ("· leerKRACHT")."""
    if keys := [key for key in (text, f"{template}::{text}") if key in TEMPLATE_TEXT_ALLOWED]:
        return keys
    words = text.split()
    allowed = [word for word in words if word in TEMPLATE_TEXT_ALLOWED]
    rest = " ".join(word for word in words if word not in TEMPLATE_TEXT_ALLOWED)
    return allowed if allowed and not _letters(rest) else []


def test_the_template_check_catches_what_it_should():
    page = (
        "{% load i18n %}<title>{% block title %}{% endblock %} · leerKRACHT</title>\n"
        "<h1>{% translate 'Welkom' %}</h1><p>Nog niet vertaald {{ name }}</p>\n"  # 2
        "<p>{% blocktranslate %}Hallo {{ name }}{% endblocktranslate %}</p>\n"
        "<input type='submit' value='Opslaan'><input type='hidden' value='opslaan'>\n"  # 4
        "<button name='actie' value='omhoog' title='Omhoog'>&uarr;</button>\n"  # 5
        "<!-- Een HTML-commentaar --><script src='{% static \"x.js\" %}'></script><style>p{}</style>\n"
        "{# Een commentaar #}{% comment %}Nog een{% endcomment %}<{% if a %}h2{% else %}h3{% endif %}>×</h3>\n"
        "<details{% if open %} open{% endif %}><summary>Meer</summary></details>\n"  # 8
        "{# Een commentaar over\n twee regels, dat Django als tekst laat staan #}\n"  # 9
    )
    assert untranslated_template_text(page, html=True) == [
        (1, "· leerKRACHT"),
        (2, "Nog niet vertaald"),
        (4, 'value="Opslaan"'),
        (5, 'title="Omhoog"'),
        (8, "Meer"),
        (9, "{# Een commentaar over twee regels, dat Django als tekst laat staan #}"),
    ]
    attributes = "{% extends 'base.html' %}\n{% block body_attrs %} class='p' title='Projectie'{% endblock %}"
    assert untranslated_template_text(attributes, html=True) == [(2, 'title="Projectie"')]
    mail = "{% load i18n %}{% translate 'Beste' %} {{ name }},\n\n{{ link }}\nTot ziens\n"
    assert untranslated_template_text(mail, html=False) == [(4, "Tot ziens")]


def test_template_text_goes_through_translation_tags():
    files = template_files()
    assert len(files) > 50, "too few templates found: the check would pass vacuously"
    report, allowed_used = allow_listed(
        (name, line, text, allowed_template_text(name, text))
        for path in files
        for name in [str(path.relative_to(ROOT / "templates" if path.is_relative_to(ROOT / "templates") else ROOT))]
        for line, text in untranslated_template_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
    )
    assert report == {}, "wrap these in {% translate %} or {% blocktranslate %}"
    assert allowed_used == set(TEMPLATE_TEXT_ALLOWED), "an allow-list entry allows nothing any more: remove it"
