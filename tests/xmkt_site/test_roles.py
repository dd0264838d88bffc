"""The capability table is the one place that says which role may do what."""

import ast
from pathlib import Path

import pytest

from xmkt_site.roles import ROLES_WITH, Capability, roles_with

ROOT = Path(__file__).resolve().parents[2]
APPS = ("xmkt_site", "campaigns", "analytics", "recommender")

# Written out by hand from the product's permission rules, one column per role:
#                          admin  manager  analyst  privacy  partner
EXPECTED = """
manage_own_account         x      x        x        x        x
ping_api                   x      x        x        x        x
view_dashboard             x      x        x        x        x
view_imports               x      x        x        x        x
import_data                x      x        .        .        x
read_partners              x      x        .        x        .
view_partner               x      x        .        x        x
manage_api_keys            x      x        .        .        .
manage_agreements          x      .        .        .        .
ingest_data                x      x        .        .        .
browse_campaigns           x      x        x        .        x
read_campaigns             x      x        x        .        .
read_campaigns_api         x      x        x        x        x
manage_campaigns           x      x        .        .        .
manage_offers              x      x        .        .        .
track_campaigns            x      x        .        .        .
analyse_campaigns          x      x        x        x        .
use_partner_portal         .      .        .        .        x
read_insights              x      x        x        .        .
read_insights_api          x      x        x        .        x
run_overlap                x      .        .        .        .
manage_privacy             x      .        .        x        .
view_jobs                  x      x        x        x        .
start_jobs                 x      x        x        .        .
read_models                x      x        x        .        .
train_models               x      x        x        .        .
read_recommendations       x      x        x        x        .
"""
COLUMNS = ("admin", "campaign_manager", "analyst", "privacy_admin", "partner_user")


def _expected() -> dict[str, set[str]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        name, *marks = line.split()
        table[name] = {role for role, mark in zip(COLUMNS, marks, strict=True) if mark == "x"}
    return table


def test_every_capability_is_given_to_the_roles_written_down():
    assert {str(capability): set(roles) for capability, roles in ROLES_WITH.items()} == _expected()


def test_every_capability_has_an_entry_in_the_table():
    assert set(ROLES_WITH) == set(Capability)
    assert roles_with(Capability.MANAGE_PRIVACY) == {"admin", "privacy_admin"}


def _is_role_member(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _role_sets(tree: ast.AST):
    """Set literals and frozenset(...) calls that name Role members: a role set declared outside the table."""
    for node in ast.walk(tree):
        elements = []
        if isinstance(node, ast.Set):
            elements = node.elts
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "frozenset":
            elements = list(ast.walk(node))[1:]
        if any(_is_role_member(element) for element in elements):
            yield node.lineno


@pytest.mark.parametrize("app", APPS)
def test_no_module_declares_its_own_role_set(app):
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts or path == ROOT / "xmkt_site" / "roles.py":
            continue
        found += [f"{path.relative_to(ROOT)}:{line}" for line in sorted(set(_role_sets(ast.parse(path.read_text()))))]
    assert found == [], "declare a Capability in xmkt_site/roles.py instead"
