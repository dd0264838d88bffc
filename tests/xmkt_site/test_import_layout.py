"""Every services, selectors, api, pages and tasks module imports on its own, in a fresh interpreter.

A circular import hides when modules happen to load in a kind order (the test suite, the web server); it surfaces when
a worker or a command imports the wrong module first. So each module is imported first, alone, in its own process.

How: one parent interpreter (`python -m tests.xmkt_site.test_import_layout`) runs django.setup() with every
AppConfig.ready() held back and imports the heavy third-party libraries, so that it holds the settings, the models and
no other project module. For each module it forks a child, which imports that module first and then runs the held-back
ready() methods: the product's real start-up path (ready() imports the tasks packages and signal receivers), entered
through the module under test. Models come before it because nothing above them can be imported without them.
"""

import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APPS = ("xmkt_site", "campaigns", "analytics", "recommender", "demo")
LAYERS = ("services", "selectors", "api", "pages", "tasks")
# Third-party modules the project's start-up pulls in, loaded once in the parent so that each child only pays for the
# project's own modules. A library missing here costs time, not correctness.
HEAVY_LIBRARIES = (
    "django.contrib.admin", "rest_framework.views", "rest_framework.serializers", "drf_spectacular.openapi",
    "celery.canvas", "kombu", "numpy", "pandas", "scipy.sparse", "statsmodels.api", "plotly.graph_objects",
    "rich.progress", "sklearn.cluster", "sklearn.decomposition", "sklearn.feature_extraction.text",
    "sklearn.linear_model", "sklearn.manifold", "sklearn.metrics", "sklearn.model_selection", "sklearn.neighbors",
    "sklearn.preprocessing", "sklearn.tree",
)  # fmt: skip
CHILDREN_AT_ONCE = 2


def layer_modules() -> list[str]:
    """Dotted names of every module (packages included) in a layer of an app, from the files on disk."""
    modules = []
    for app in APPS:
        for layer in LAYERS:
            base = PROJECT_ROOT / app / layer
            paths = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
            for path in paths:
                if path.is_file() and "migrations" not in path.parts:
                    dotted = ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
                    modules.append(dotted.removesuffix(".__init__"))
    return modules


def test_the_layers_have_modules_to_import():
    modules = layer_modules()
    assert {"campaigns.services", "analytics.api", "recommender.pages", "xmkt_site.tasks"} <= set(modules)
    assert len(modules) > 50


def test_every_layer_module_imports_first_and_alone_in_a_fresh_interpreter():
    completed = subprocess.run(
        [sys.executable, "-m", "tests.xmkt_site.test_import_layout", *layer_modules()],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


# --- The parent interpreter and its children (run as __main__ by the test above) -----------------------------------


def _defer_ready_methods() -> list:
    """Make AppConfig.create hold back each config's ready(); returns the list the real methods are collected in."""
    from django.apps import AppConfig

    held_back = []
    create = AppConfig.create.__func__

    def create_holding_ready_back(cls, entry):
        app_config = create(cls, entry)
        held_back.append(app_config.ready)
        app_config.ready = lambda: None
        return app_config

    AppConfig.create = classmethod(create_holding_ready_back)
    return held_back


def _import_first(module: str, held_back: list) -> str:
    """In the child: import `module`, then finish start-up. Returns "" or what went wrong."""
    import importlib

    try:
        importlib.import_module(module)
    except BaseException:
        return f"{module} does not import first:\n{traceback.format_exc()}"
    try:
        for ready in held_back:
            ready()
    except BaseException:
        return f"{module} imports, but start-up (AppConfig.ready) then fails:\n{traceback.format_exc()}"
    return ""


def _run(modules: list[str]) -> int:
    import importlib

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xmkt_site.settings")
    held_back = _defer_ready_methods()
    django.setup()
    for library in HEAVY_LIBRARIES:  # after setup: some read settings or need the app registry
        importlib.import_module(library)
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as reports:
        running: dict[int, tuple[str, Path]] = {}
        pending = list(modules)
        while pending or running:
            while pending and len(running) < CHILDREN_AT_ONCE:
                module = pending.pop(0)
                report = Path(reports) / f"{len(pending)}.txt"
                pid = os.fork()
                if pid == 0:  # the child: report, then leave without running the parent's clean-up
                    try:
                        report.write_text(_import_first(module, held_back), encoding="utf-8")
                    finally:
                        os._exit(0)
                running[pid] = (module, report)
            pid, status = os.wait()
            module, report = running.pop(pid)
            problem = report.read_text(encoding="utf-8") if report.exists() else ""
            if os.waitstatus_to_exitcode(status) != 0 or not report.exists():
                problem = problem or f"{module}: the child process died (status {status})"
            if problem:
                failures.append(problem)
    for problem in failures:
        print(problem, end="\n\n")
    print(f"{len(modules) - len(failures)} of {len(modules)} modules import first and alone.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(_run(sys.argv[1:]))
