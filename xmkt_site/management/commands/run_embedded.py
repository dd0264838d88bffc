"""`make run` ends here: gunicorn, a Celery worker and Celery beat as child processes of one supervisor.

The embedded defaults (SQLite in var/ with WAL, kombu's filesystem broker in var/broker, a file cache in var/cache that
the web processes share for API throttling) need no service. Ctrl-C or
SIGTERM stops every child with one SIGTERM (a warm shutdown); when any child dies the others are stopped and the
command exits, naming it. On Linux the children also get SIGTERM if the supervisor itself is killed.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xmkt_site.checks import cache_is_per_process

STOP_GRACE_SECONDS = 15
READY_TIMEOUT_SECONDS = 90


def _terminate_when_parent_dies() -> None:
    """Runs in the child before exec: ask Linux for SIGTERM when the supervisor dies (even by SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str] | None = field(default=None, repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        # A process group of its own: Ctrl-C reaches only the supervisor, which passes on one SIGTERM. (Celery takes a
        # second signal as "cold shutdown, abandon running tasks", so children must not get the terminal's too.)
        self.process = subprocess.Popen(
            self.argv, cwd=settings.BASE_DIR, env=self.env, process_group=0, preexec_fn=_terminate_when_parent_dies
        )

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)


def read_demo_logins(path: Path) -> list[tuple[str, str, str]]:
    """Lines `role username password`, as seed_demo writes them; blank and malformed lines are ignored."""
    if not path.exists():
        return []
    logins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            logins.append((parts[0], parts[1], parts[2]))
    return logins


def ensure_port_free(host: str, port: int) -> None:
    """Fail before starting anything: otherwise another server on the port would answer our readiness probe."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"Port {port} on {host} is in use ({exc.strerror}); choose another: PORT=8001") from exc


def children_cache_environment(*, web_workers: int, environ_: Mapping[str, str]) -> dict[str, str]:
    """CACHE_URL and WEB_CONCURRENCY for the children. API throttle counters live in the cache, so several gunicorn
    processes need one they share: without CACHE_URL that is a file cache in var/cache (no service to run; a counter
    raised by two processes at the same instant may lose one count, which is fine for a demo, not for production)."""
    extra = {"WEB_CONCURRENCY": str(web_workers)}
    cache_url = environ_.get("CACHE_URL")
    if cache_url is None:
        if web_workers > 1:
            extra["CACHE_URL"] = f"filecache://{settings.VAR_DIR / 'cache'}"
    elif web_workers > 1 and cache_is_per_process(environ.Env.cache_url_config(cache_url)["BACKEND"]):
        raise CommandError(
            f"CACHE_URL={cache_url} keeps a cache per process, but {web_workers} web processes would each count API "
            "requests alone. Use redis://..., a filecache:// folder, or --web-workers 1."
        )
    return extra


def describe_cache(cache_url: str | None) -> str:
    if cache_url is None:
        return "per process (one web process)"
    return environ.Env.cache_url_config(cache_url)["BACKEND"].rsplit(".", 1)[-1] + f" ({cache_url})"


class Command(BaseCommand):
    help = "Run the web server (gunicorn), a Celery worker and Celery beat together, as the embedded demo does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument("--concurrency", type=int, default=2, help="Celery worker pool size")
        parser.add_argument("--logins-file", default=str(settings.VAR_DIR / "demo-logins.txt"))
        parser.add_argument("--no-beat", action="store_true", help="do not start Celery beat")

    def children(self, options) -> list[Child]:
        python = sys.executable
        env = {**os.environ, **children_cache_environment(web_workers=options["web_workers"], environ_=os.environ)}
        queues = ",".join(queue.name for queue in settings.CELERY_TASK_QUEUES)
        web = Child(
            "web (gunicorn)",
            [
                python, "-m", "gunicorn", "xmkt_site.wsgi:application",
                "--bind", f"{options['host']}:{options['port']}",
                "--workers", str(options["web_workers"]),
                "--worker-class", "gthread", "--threads", "4",
                "--timeout", "120",
                "--access-logfile", "-",
            ],
            env,
        )  # fmt: skip
        worker = Child(
            "Celery worker",
            [
                python, "-m", "celery", "-A", "xmkt_site", "worker",
                "--queues", queues,
                "--pool", "prefork", "--concurrency", str(options["concurrency"]),
                "--hostname", "embedded@%h",
                "--loglevel", "INFO",
                # One worker on a local broker: no cluster chatter to wait for at start-up.
                "--without-gossip", "--without-mingle",
            ],
            env,
        )  # fmt: skip
        beat = Child(
            "Celery beat",
            [
                python, "-m", "celery", "-A", "xmkt_site", "beat",
                "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                "--loglevel", "INFO",
                "--pidfile=",  # the supervisor owns the lifecycle; a stale pid file must not block a restart
            ],
            env,
        )  # fmt: skip
        return [web, worker] + ([] if options["no_beat"] else [beat])

    def handle(self, *args, **options) -> None:
        ensure_port_free(options["host"], options["port"])
        children = self.children(options)
        stopping: list[int] = []
        dead: Child | None = None

        def forward(signum, _frame) -> None:
            if not stopping:
                self.stdout.write("Stopping XMKT…")
            stopping.append(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in children:
                child.start()
            url = f"http://{options['host']}:{options['port']}/"
            self.wait_until_ready(url, children, stopping)
            if not stopping and all(child.returncode is None for child in children):
                self.print_banner(url, Path(options["logins_file"]), children[0].env or {})
            dead = self.watch(children, stopping)
        finally:
            self.stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if dead is not None and not stopping:
            raise CommandError(f"{dead.name} exited with status {dead.returncode}; stopped the others.")
        self.stdout.write("XMKT stopped.")

    def wait_until_ready(self, url: str, children: list[Child], stopping: list[int]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not stopping:
            if any(child.returncode is not None for child in children):
                return
            try:
                urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback address
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer (even a redirect to the login page or an error) means gunicorn serves
            except OSError:
                time.sleep(0.3)
        self.stderr.write(f"The web server did not answer on {url} within {READY_TIMEOUT_SECONDS} s; still waiting.")

    def print_banner(self, url: str, logins_file: Path, web_env: Mapping[str, str]) -> None:
        lines = ["", "=" * 72, f"  XMKT is running at {url}", ""]
        lines += [f"  Cache (API rate limits): {describe_cache(web_env.get('CACHE_URL'))}", ""]
        logins = read_demo_logins(logins_file)
        if logins:
            lines.append("  Demo logins (role, username, password):")
            width = max(len(role) for role, _, _ in logins)
            lines += [f"    {role:<{width}}  {username}  {password}" for role, username, password in logins]
            lines.append(f"  (also in {logins_file})")
        else:
            lines.append(f"  No demo logins found in {logins_file}; create a user with `manage.py createsuperuser`.")
        lines += ["", "  Press Ctrl-C to stop.", "=" * 72, ""]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def watch(self, children: list[Child], stopping: list[int]) -> Child | None:
        """Block until a signal arrives or a child dies; returns the child that died first, if any."""
        while not stopping:
            for child in children:
                if child.returncode is not None:
                    self.stderr.write(f"{child.name} exited with status {child.returncode}; stopping the others.")
                    return child
            time.sleep(0.5)
        return None

    def stop(self, children: list[Child]) -> None:
        for child in children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{child.name} did not stop within {STOP_GRACE_SECONDS} s; killing it.")
                child.process.kill()
                child.process.wait()
