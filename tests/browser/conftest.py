"""Playwright on Debian's chromium against pytest-django's live_server.

Without /usr/bin/chromium the browser tests skip with the reason, unless XMKT_REQUIRE_BROWSER=1 (CI), where they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a thread unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


# One Playwright driver per test process: Playwright's sync API cannot run twice at once in one thread.
_shared: dict = {"users": 0, "playwright": None, "browser": None}


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("XMKT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"XMKT_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - playwright is in requirements-dev.txt
        if os.environ.get("XMKT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"playwright is not importable: {error}")
        pytest.skip(f"playwright is not importable: {error}")
    if _shared["browser"] is None:
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _shared["browser"].close()
        _shared["playwright"].stop()
        _shared["browser"] = _shared["playwright"] = None


@pytest.fixture
def page_in(chromium):
    """page_in(locale) -> a fresh browser page at 1280x800 whose Accept-Language prefers `locale`.

    Any script or resource the enforced content security policy blocks fails the test: a page that needs an inline
    script would silently lose behaviour otherwise (report-only messages are ignored)."""
    contexts = []
    violations: list[str] = []

    def record(message) -> None:
        text = message.text
        if "Content Security Policy" in text and "report-only" not in text.lower() and "[Report Only]" not in text:
            violations.append(text)

    def make(locale: str):
        context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", record)
        return page

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("content security policy violations:\n" + "\n".join(violations[:10]))


@pytest.fixture
def screenshot():
    """screenshot(page, name): saves test-artifacts/screenshots/<name>.png (gitignored) for review."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
