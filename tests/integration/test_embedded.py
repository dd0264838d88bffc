"""The embedded runtime of `make run`: gunicorn, a Celery worker and beat on SQLite and the filesystem broker.

No service is needed, so this runs everywhere. It uses its own SQLite file and broker folder, never var/.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker

# Runs in a separate `manage.py shell` against the embedded database, as a web request would: it queues a rollup and
# waits for the embedded worker to finish it.
ENQUEUE_AND_WAIT = """
import json, time
from datetime import UTC, datetime
from analytics.models import DailyEventRollup, Event
from analytics.services.rollup import rollup_enqueue
from campaigns.models import Organization, TaskRun
org = Organization.objects.create(slug="embedded", name="Embedded", kind="platform")
Event.objects.bulk_create([
    Event(organization=org, type="purchase", value=i, external_id=f"e{i}",
          occurred_at=datetime(2026, 11, 10, 12 + i, 0, tzinfo=UTC))
    for i in range(6)
])
run = rollup_enqueue(organization=org)
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    run.refresh_from_db()
    if run.status in ("succeeded", "failed"):
        break
    time.sleep(0.2)
rows = list(DailyEventRollup.objects.filter(organization=org).values_list("date", "events"))
print(json.dumps({"status": run.status, "error": run.error, "rows": [[str(d), n] for d, n in rows]}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def wait_for_text(path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear within {timeout} s:\n{path.read_text(errors='replace')[-4000:]}")


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'xmkt.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "broker"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    env.pop("DEBUG", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=settings.BASE_DIR, env=env, check=True, timeout=120,
    )  # fmt: skip
    return env


@pytest.mark.timeout(120)
def test_embedded_runtime_serves_runs_a_rollup_from_another_process_and_stops_when_a_child_dies(embedded_env, tmp_path):
    # given the embedded supervisor on a fresh SQLite file, with demo logins written by seed_demo
    logins = tmp_path / "demo-logins.txt"
    logins.write_text("campaign_manager demo_manager s3cret-pass\n", encoding="utf-8")
    port = free_port()
    log_path = tmp_path / "run_embedded.log"
    with open(log_path, "wb") as log:
        supervisor = subprocess.Popen(
            [
                sys.executable, "manage.py", "run_embedded", "--port", str(port), "--logins-file", str(logins),
                "--web-workers", "1", "--concurrency", "1",
            ],
            cwd=settings.BASE_DIR, env=embedded_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        # then it prints the URL and the demo logins once the web server answers
        wait_for_text(log_path, f"XMKT is running at http://127.0.0.1:{port}/", timeout=60)
        assert "demo_manager  s3cret-pass" in log_path.read_text()
        assert urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10).status == 200
        wait_for_text(log_path, " ready.", timeout=30)  # the Celery worker

        # when another process (as the web does) queues a rollup on the shared SQLite file and filesystem broker
        shell = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", ENQUEUE_AND_WAIT],
            cwd=settings.BASE_DIR, env=embedded_env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

        # then the embedded worker completes it
        assert shell.returncode == 0, shell.stderr[-4000:]
        outcome = json.loads(shell.stdout.strip().splitlines()[-1])
        assert outcome == {"status": "succeeded", "error": "", "rows": [["2026-11-10", 4], ["2026-11-11", 2]]}, (
            log_path.read_text()[-4000:]
        )

        # when a child dies, the supervisor stops the others and exits naming it
        children = children_of(supervisor.pid)
        beat = next(pid for pid in children if " beat " in cmdline(pid))
        os.kill(beat, signal.SIGKILL)
        assert supervisor.wait(timeout=40) == 1
        assert "Celery beat exited with status -9" in log_path.read_text()
        assert not any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in children)
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except FileNotFoundError:
        return "zombie"
