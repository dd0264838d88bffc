"""The numeric cores (analytics/ml, recommender/ml) must import without Django: they run in plain workers and
notebooks, and the dependency direction forbids it."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NUMERIC_CORE_PACKAGES = ("analytics/ml", "recommender/ml")


def numeric_core_modules() -> list[str]:
    modules = []
    for package in NUMERIC_CORE_PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
            modules.append(dotted.removesuffix(".__init__"))
    return modules


def test_there_are_numeric_core_modules_to_check():
    assert "analytics.ml.forecasting" in numeric_core_modules()


def test_every_numeric_core_module_imports_without_django():
    modules = numeric_core_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "    if leaked:\n"
        "        raise SystemExit(f'{name} imported Django: {leaked[:5]}')\n"
    )
    env_without_settings = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env_without_settings,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr or completed.stdout
