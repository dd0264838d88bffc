"""Serving benchmark: GET /api/v1/recommendations/ beside GET /api/v1/ping/ on the same gunicorn, on PostgreSQL.

    python bench/serving.py --json out.json [--database-url postgres://postgres@127.0.0.1:5432/xmkt_bench_serving]
                            [--consumers 100000] [--clients 50] [--seconds 20] [--workers 4]

Steps, against a database the script drops and recreates (its name must start with xmkt_bench):
  1. migrate; bulk-generate one platform organization, --items catalogue items, --consumers consumers with
     personalization consent, a champion ModelVersion and --per-consumer precomputed Recommendation rows each (COPY);
  2. start gunicorn (sync workers) on a free loopback port with a partner-style API key (scope recommendations:read);
  3. --clients threads issue requests for --seconds per endpoint (one connection per request: sync workers close
     after each response), random consumers for the recommendations endpoint; latencies of 2xx answers only. The two
     endpoints alternate in --rounds windows so that drifting machine speed affects both alike.
     First closed loop (as fast as answers come: the throughput figures, and by Little's law latency = clients /
     throughput), then paced: the same clients at a constant --paced-share of the recommendations throughput,
     latency counted from each request's scheduled send time (the latency a caller sees below saturation);
  4. stop gunicorn, print p50/p95/p99 and requests/s, write JSON {"recommendations": {...}, "ping": {...}}.
Only loopback traffic; the client stops by itself. The load average is recorded: figures compare only on an idle box.
"""

import argparse
import http.client
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from _local import free_port, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xmkt_bench_serving"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="Write the results here.")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="Dropped and recreated. PostgreSQL.")
    parser.add_argument("--consumers", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--per-consumer", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="Per endpoint and mode, over all rounds.")
    parser.add_argument(
        "--rounds", type=int, default=5, help="The endpoints alternate in this many windows of seconds / rounds."
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="Keep an already generated database (skip step 1).")
    parser.add_argument(
        "--paced-share",
        type=float,
        default=0.5,
        help="Also measure latency at this share of the recommendations endpoint's closed-loop throughput, offered"
        " open-loop at a constant rate by the same clients (0 to skip).",
    )
    return parser.parse_args()


def bench_environment(database_url: str, media_root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "IDENTITY_HASH_KEY": "bench-only-identity-key",
        "CELERY_BROKER_URL": "memory://",
        "API_KEY_THROTTLE_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "xmkt_site.settings",
    }


def _copy(cursor, table: str, columns: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer, size=1 << 20)


def generate(args: argparse.Namespace) -> str:
    """The data set, bulk-generated with COPY; returns an API key secret."""
    from django.db import connection, transaction
    from django.utils import timezone

    from campaigns.models import ApiScope, CatalogItem, Consumer, Organization
    from campaigns.services.api_keys import api_key_create
    from recommender.models import ModelVersion

    rng = random.Random(42)
    now = timezone.now()
    with transaction.atomic():
        org = Organization.objects.create(name="Bench platform", slug="bench", kind=Organization.Kind.PLATFORM)
        raw = connection.cursor().cursor
        _copy(
            raw,
            "campaigns_catalogitem",
            "created_at, updated_at, organization_id, kind, external_ref, title, description, category, tags, price,"
            " currency, active",
            (
                (now, now, org.pk, "course", f"I{i:05d}", f"课程 {i}", "", "", "[]", "99.00", "CNY", "t")
                for i in range(args.items)
            ),
        )
        _copy(
            raw,
            "campaigns_consumer",
            "created_at, updated_at, organization_id, external_ref, phone_hash, email_hash, age_band, gender, city",
            ((now, now, org.pk, f"C{n:07d}", "", "", "", "unknown", "上海") for n in range(args.consumers)),
        )
        item_ids = list(CatalogItem.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
        consumer_ids = list(Consumer.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
        _copy(
            raw,
            "campaigns_consentrecord",
            "consumer_id, purpose, data_categories, granted, policy_version, source, recorded_at",
            ((c, "personalization", "[]", "t", "bench", "bench", now) for c in consumer_ids),
        )
        version = ModelVersion.objects.create(
            organization=org,
            target=org,
            algorithm="EASE",
            label="bench",
            status=ModelVersion.Status.CHAMPION,
            is_champion=True,
            trained_at=now,
            data_until=now,
            popular_items={"all": [[pk, 1.0 / (r + 1)] for r, pk in enumerate(item_ids[:50])], "groups": {}},
        )

        def rows():
            for c in consumer_ids:
                for rank, item in enumerate(rng.sample(item_ids, args.per_consumer), start=1):
                    reason_item = item_ids[(item * 7) % len(item_ids)]
                    yield (c, org.pk, version.pk, rank, item, round(1.0 / rank, 4), "because", reason_item)

        _copy(
            raw,
            "recommender_recommendation",
            "consumer_id, target_id, model_version_id, rank, item_id, score, reason, reason_item_id",
            rows(),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return api_key_create(organization=org, name="bench", scopes=[ApiScope.RECOMMENDATIONS_READ]).secret


def request(port: int, path: str, key: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Api-Key {key}", "Accept-Language": "zh-hans"})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def wait_ready(port: int, key: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if request(port, "/api/v1/ping/", key)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def load(port: int, key: str, make_path, clients: int, seconds: float, rate: float | None = None) -> dict:
    """Closed loop (rate None): every client sends its next request when the previous answer arrives. Paced (rate in
    requests/s over all clients): each client sends on a fixed schedule, and a latency counts from the scheduled send
    time, so a stalled server is charged for the requests it held up (no coordinated omission)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine, failed = [], 0
        interval = clients / rate if rate else 0.0
        due = time.monotonic() + rng.random() * interval
        while time.monotonic() < stop_at:
            if rate:
                time.sleep(max(0.0, due - time.monotonic()))
                if due >= stop_at:
                    break
            try:
                status, elapsed = request(port, make_path(rng), key)
            except OSError:
                failed += 1
                continue
            if rate:
                elapsed = time.monotonic() - due  # from the scheduled send, not from when the client got to it
                due += interval
            if 200 <= status < 300:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"latencies": latencies, "wall": time.monotonic() - started, "errors": errors[0]}


def summary(runs: list[dict]) -> dict[str, float]:
    """Percentiles over every answer of the runs, and requests/s over their summed duration."""
    latencies = sorted(latency for run in runs for latency in run["latencies"])
    wall = sum(run["wall"] for run in runs)

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    return {
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "rps": round(len(latencies) / wall, 1) if wall else 0.0,
        "requests": len(latencies),
        "errors": sum(run["errors"] for run in runs),
        "rounds": len(runs),
    }


def alternate(port: int, key: str, endpoints: dict, clients: int, seconds: float, rounds: int, rate=None) -> dict:
    """The endpoints take turns in `rounds` short windows of seconds / rounds each, so that a machine whose speed
    drifts during the run (shared hosts do) slows both alike instead of whichever ran second."""
    runs: dict[str, list[dict]] = {name: [] for name in endpoints}
    for _ in range(rounds):
        for name, make_path in endpoints.items():
            runs[name].append(load(port, key, make_path, clients, seconds / rounds, rate=rate))
    return {name: summary(name_runs) for name, name_runs in runs.items()}


def main() -> None:
    args = parse_args()
    media = ROOT / "var" / "bench-serving-media"
    env = bench_environment(args.database_url, media)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    if not args.reuse:
        recreate_database(args.database_url)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    import django

    django.setup()
    started = time.perf_counter()
    if args.reuse:
        from campaigns.models import ApiScope, Organization
        from campaigns.services.api_keys import api_key_create

        key = api_key_create(
            organization=Organization.objects.get(slug="bench"), name="bench", scopes=[ApiScope.RECOMMENDATIONS_READ]
        ).secret
    else:
        key = generate(args)
    print(
        f"data ready in {time.perf_counter() - started:.1f} s "
        f"({args.consumers:,} consumers x {args.per_consumer} precomputed rows)"
    )
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "xmkt_site.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results: dict = {}
    try:
        wait_ready(port, key, time.monotonic() + 60)
        consumers = args.consumers
        endpoints = {
            "ping": lambda rng: "/api/v1/ping/",
            "recommendations": lambda rng: (
                f"/api/v1/recommendations/?consumer=C{rng.randrange(consumers):07d}&catalog=bench&k={args.k}"
            ),
        }
        for make_path in endpoints.values():
            load(port, key, make_path, args.clients, min(3.0, args.seconds))  # warm-up: connections, caches
        results.update(alternate(port, key, endpoints, args.clients, args.seconds, args.rounds))
        if args.paced_share > 0:
            rate = round(args.paced_share * results["recommendations"]["rps"], 1)
            paced = alternate(port, key, endpoints, args.clients, args.seconds, args.rounds, rate=rate)
            for name, row in paced.items():
                results[f"{name}_paced"] = {"offered_rps": rate, **row}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    results["ratio_rps"] = round(results["recommendations"]["rps"] / max(results["ping"]["rps"], 1e-9), 3)
    results["setup"] = {
        "consumers": args.consumers,
        "items": args.items,
        "per_consumer": args.per_consumer,
        "clients": args.clients,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
    }
    header = f"{'endpoint':<24}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}"
    print(f"{args.clients} clients, closed loop (each sends again as soon as it is answered):")
    print(header)
    for name in ("recommendations", "ping"):
        r = results[name]
        print(f"{name:<24}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['rps']:>9}{r['errors']:>8}")
    print(f"recommendations / ping throughput: {results['ratio_rps']}  (target >= 0.6; p95 target <= 20 ms)")
    if args.paced_share > 0:
        print(
            f"{args.clients} clients, paced at {results['recommendations_paced']['offered_rps']} req/s in all"
            f" ({args.paced_share:.0%} of the closed-loop recommendations throughput), latency from scheduled send:"
        )
        print(header)
        for name in ("recommendations_paced", "ping_paced"):
            r = results[name]
            print(f"{name:<24}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['rps']:>9}{r['errors']:>8}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
