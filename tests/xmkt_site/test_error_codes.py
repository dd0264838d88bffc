"""Error codes are enums per domain, documented in docs/api.md, and no raise site spells one as a bare string.

The codes are part of the API: a client branches on them. So each lives in one enum (`<app>/error_codes.py`), the
docs table lists exactly those values, and a scan of the source keeps new raise sites from inventing free strings.
"""

import ast
import importlib
import importlib.util
import inspect
import json
import re
from enum import StrEnum
from pathlib import Path

import pytest
from rest_framework import exceptions as drf_exceptions
from rest_framework.renderers import JSONRenderer

from campaigns.error_codes import OfferErrorCode
from xmkt_site.api.errors import exception_handler
from xmkt_site.error_codes import ErrorCode
from xmkt_site.errors import ApplicationError, ConflictError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APPS = ("xmkt_site", "campaigns", "analytics", "recommender", "demo")
FAMILY_ROOT = "ApplicationError"


def error_code_enums() -> list[type[StrEnum]]:
    """Every StrEnum declared in an app's error_codes module."""
    enums = []
    for app in APPS:
        if importlib.util.find_spec(f"{app}.error_codes") is None:
            continue
        module = importlib.import_module(f"{app}.error_codes")
        enums += [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, StrEnum) and value.__module__ == module.__name__
        ]
    return enums


def documented_codes() -> dict[str, set[str]]:
    """The error-code table of docs/api.md: enum name -> the codes its row lists."""
    text = (PROJECT_ROOT / "docs" / "api.md").read_text()
    section = text.split("### Error codes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (enum := re.match(r"`(\w*ErrorCode)`", cells[1])):
            rows[enum.group(1)] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return rows


def source_files() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((PROJECT_ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(PROJECT_ROOT).parts
    ]


def _callee_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _base_names(node: ast.ClassDef) -> set[str]:
    return {base.id if isinstance(base, ast.Name) else getattr(base, "attr", "") for base in node.bases}


def error_family(trees: list[ast.Module], roots: frozenset[str] = frozenset({FAMILY_ROOT})) -> set[str]:
    """ApplicationError and every class that derives from it, by name, across the scanned sources."""
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    family = set(roots)
    while grown := {node.name for node in classes if _base_names(node) & family} - family:
        family |= grown
    return family


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _is_super_init(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and _callee_name(func.value) == "super"
    )


def literal_codes(tree: ast.Module, family: set[str]) -> list[tuple[int, str]]:
    """(line, source) of each `code="..."` given to an error of the family and each literal `default_code`, including
    a family class passing one to `super().__init__`. Other `code=` keywords (model fields, Django form errors) are a
    different vocabulary and pass."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in family:
            for statement in node.body:
                if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                    if any(getattr(t, "id", "") == "default_code" for t in targets) and _is_literal(statement.value):
                        found.append((statement.lineno, ast.unparse(statement)))
            calls = [call for call in ast.walk(node) if isinstance(call, ast.Call) and _is_super_init(call)]
        else:
            calls = []
        if isinstance(node, ast.Call) and _callee_name(node) in family:
            calls.append(node)
        for call in calls:
            for keyword in call.keywords:
                if keyword.arg == "code" and _is_literal(keyword.value):
                    found.append((call.lineno, ast.unparse(keyword)))
    return found


def test_there_is_an_enum_per_domain_in_every_app_that_raises_domain_codes():
    names = {enum.__name__ for enum in error_code_enums()}
    assert {"ErrorCode", "CampaignErrorCode", "OfferErrorCode", "OverlapErrorCode", "ServingErrorCode"} <= names


@pytest.mark.parametrize("enum", error_code_enums(), ids=lambda enum: enum.__name__)
def test_values_are_unique_within_each_enum(enum):
    # An enum silently turns a repeated value into an alias of the first member; __members__ still lists both.
    values = [member.value for member in enum.__members__.values()]
    assert len(values) == len(set(values)), f"{enum.__name__} repeats a value"


@pytest.mark.parametrize("enum", error_code_enums(), ids=lambda enum: enum.__name__)
def test_docs_api_lists_exactly_the_codes_of_each_enum(enum):
    table = documented_codes()
    assert enum.__name__ in table, f"docs/api.md has no row for {enum.__name__}"
    assert table[enum.__name__] == {member.value for member in enum}


def test_every_code_drf_can_hand_the_exception_handler_is_a_generic_code():
    drf_classes = [
        value
        for value in vars(drf_exceptions).values()
        if inspect.isclass(value) and issubclass(value, drf_exceptions.APIException)
    ]
    assert len(drf_classes) >= 10
    assert {cls.default_code for cls in drf_classes} <= set(ErrorCode)


def test_no_raise_site_passes_a_string_literal_as_its_error_code():
    trees = {path: ast.parse(path.read_text(), filename=str(path)) for path in source_files()}
    family = error_family(list(trees.values()))
    assert {"ConflictError", "NotFoundError", "PermissionDeniedError", "CodeImportRejected"} <= family
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {source}"
        for path, tree in trees.items()
        for line, source in literal_codes(tree, family)
    ]
    assert offenders == [], "use the domain's error-code enum member:\n" + "\n".join(offenders)


def test_the_scan_catches_a_literal_code_in_a_call_a_subclass_and_its_super_call():
    # A deliberate violation of each kind; Django's form ValidationError(code=...) is another vocabulary.
    tree = ast.parse(
        "class BudgetError(ConflictError):\n"
        '    default_code = "budget"\n'
        "    def __init__(self):\n"
        '        super().__init__("spent", code="spent")\n'
        'raise ConflictError("x", code="offer_frozen")\n'
        'raise NotFoundError("x", code=f"{kind}_not_found")\n'
        'raise ConflictError("x", code=OfferErrorCode.OFFER_FROZEN)\n'
        'raise forms.ValidationError("x", code="password_incorrect")\n'
    )
    family = error_family([tree], roots=frozenset({"ApplicationError", "ConflictError", "NotFoundError"}))
    assert "BudgetError" in family
    assert [line for line, _ in literal_codes(tree, family)] == [2, 4, 5, 6]


def test_an_enum_code_renders_as_its_plain_value_and_compares_equal_to_it():
    error = ConflictError(
        "An offer can be changed only before the campaign launches.", code=OfferErrorCode.OFFER_FROZEN
    )
    assert error.code == "offer_frozen"
    response = exception_handler(error, {})
    assert response.status_code == 409
    assert type(response.data["error"]["code"]) is str
    body = json.loads(JSONRenderer().render(response.data))
    assert body["error"]["code"] == "offer_frozen"
    assert b'"code":"offer_frozen"' in JSONRenderer().render(response.data)


def test_an_error_raised_without_a_code_answers_its_family_default():
    response = exception_handler(ApplicationError("Bad input."), {})
    assert (response.status_code, response.data["error"]["code"]) == (400, "invalid")
    assert type(response.data["error"]["code"]) is str
