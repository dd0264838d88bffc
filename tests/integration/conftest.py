"""Real Celery worker subprocesses on the real broker, sharing pytest-django's test database with the test.

They need a broker and a database that another process can reach: Redis and PostgreSQL (as CI provides). Elsewhere
the tests skip with the reason, unless XMKT_REQUIRE_SERVICES=1 (set by .ci/run) turns the skip into a failure.

The workers consume the real queue names on CELERY_BROKER_URL and each test purges them, so two of these tests must not
run at once on one Redis database: `real_broker` holds an exclusive file lock named after the broker URL for the whole
test, which serialises them across pytest-xdist processes and across checkouts on one machine.
"""

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from xmkt_site.celery import app as celery_app

WORKER_READY_TIMEOUT = 30.0


def services_missing_reason() -> str | None:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return f"needs a Redis broker (CELERY_BROKER_URL is {broker.split(':', 1)[0]}://)"
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return "needs a database a worker process can share (the SQLite test database is in memory)"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is a missing service
        return f"cannot reach the Redis broker: {exc}"
    return None


@pytest.fixture
def services_required() -> None:
    reason = services_missing_reason()
    if reason is None:
        return
    if os.environ.get("XMKT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"XMKT_REQUIRE_SERVICES=1 but the worker tests cannot run: {reason}")
    pytest.skip(reason)


def test_database_url() -> str:
    """pytest-django's test database (its NAME is only known once the test database exists)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_ready(self, timeout: float = WORKER_READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"the Celery worker did not become ready:\n{self.log()[-4000:]}")

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_pool_child(self) -> int:
        """SIGKILL the prefork child running the task, as the OOM killer would."""
        children = self.pool_children()
        assert len(children) == 1, f"expected one pool child, found {children}"
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool) at once, as a lost machine would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker_lock(services_required) -> Iterator[None]:
    """One test at a time per broker database on this machine (see the module docstring)."""
    digest = hashlib.sha256(settings.CELERY_BROKER_URL.encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"xmkt-broker-{digest}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def real_broker(broker_lock) -> Iterator[None]:
    """Send tasks to the broker for real (the suite runs eager otherwise) and start from empty queues."""
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with celery_app.connection_for_write() as conn:
        for queue in settings.CELERY_TASK_QUEUES:
            queue.bind(conn.default_channel).purge()
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = was_eager


@pytest.fixture
def start_worker(real_broker, transactional_db, tmp_path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `celery worker` subprocesses on the test database; all are stopped before the database is flushed."""
    workers: list[WorkerProcess] = []

    def start(*, visibility_timeout: int | None = None) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])),
        }
        if visibility_timeout is not None:
            env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        log_path = tmp_path / f"worker-{len(workers)}.log"
        argv = [
            sys.executable, "-m", "celery", "-A", "xmkt_site", "worker",
            "--queues", ",".join(queue.name for queue in settings.CELERY_TASK_QUEUES),
            "--pool", "prefork", "--concurrency", "1",
            "--include", "tests.integration.worker_tasks",
            "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel", "INFO",
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                argv, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        worker = WorkerProcess(process=process, log_path=log_path)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()
