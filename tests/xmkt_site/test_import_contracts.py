"""The import contracts in pyproject.toml (run by `make test` before pytest) hold, and each one fails when broken.

Each case copies the project's packages (only .py files) and pyproject.toml into a temporary folder, adds one import
there and runs lint-imports on the copy, so the real tree is never touched."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ROOT_PACKAGES = ("xmkt_site", "campaigns", "analytics", "recommender", "demo")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_the_project(destination: Path) -> Path:
    for package in ROOT_PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            destination / package,
            ignore=lambda folder, names: (
                [name for name in names if not name.endswith(".py") and not (Path(folder) / name).is_dir()]
                + ["__pycache__"]
            ),
        )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    return destination


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    # Wide enough that rich does not wrap contract names; no cache folder left behind.
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_an_unchanged_copy_of_the_project_keeps_every_contract(tmp_path):
    result = lint_imports(copy_of_the_project(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize(
    ("module", "line", "contract", "complaint"),
    [
        (
            "campaigns/services/audit.py",
            "import recommender  # noqa",
            "Apps import only downward",
            "campaigns is not allowed to import recommender",
        ),
        (
            "xmkt_site/context_processors.py",
            "import campaigns.services.audit  # noqa",
            "Apps import only downward",
            "xmkt_site is not allowed to import campaigns",
        ),
        (
            "campaigns/models/__init__.py",
            "import campaigns.services.audit  # noqa",
            "Inside an app, api, pages and tasks sit above services and selectors",
            "campaigns.models is not allowed to import campaigns.services",
        ),
        (
            "campaigns/services/audit.py",
            "import campaigns.tasks  # noqa",
            "Services and selectors never import tasks",
            "campaigns.services is not allowed to import campaigns.tasks",
        ),
        (
            "analytics/selectors/segments.py",
            "import recommender.api  # noqa",
            "Services and selectors never import tasks",
            "analytics.selectors is not allowed to import recommender.api",
        ),
        (
            "analytics/ml/__init__.py",
            "import django  # noqa",
            "Numeric cores (*.ml) import no Django",
            "analytics.ml is not allowed to import django",
        ),
        (
            "recommender/ml/__init__.py",
            "import recommender.models  # noqa",
            "Numeric cores (*.ml) import no Django",
            "recommender.ml is not allowed to import recommender.models",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract, complaint):
    project = copy_of_the_project(tmp_path)
    add_line(project / module, line)

    result = lint_imports(project)

    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert complaint in broken


def test_two_services_that_import_each_other_break_the_no_cycles_contract(tmp_path):
    project = copy_of_the_project(tmp_path)
    add_line(project / "campaigns/services/audit.py", "import campaigns.services.audiences  # noqa")
    add_line(project / "campaigns/services/audiences.py", "import campaigns.services.audit  # noqa")

    result = lint_imports(project)

    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert "No cycles among the modules of a services or selectors package" in broken
    assert "No cycles are allowed in campaigns.services" in broken
