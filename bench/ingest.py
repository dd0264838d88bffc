"""Ingestion benchmark on PostgreSQL: raw COPY (the ceiling) vs. the Online Retail importer vs. the events batch API.

    .venv/bin/python bench/ingest.py --path ../shared/data/online_retail.csv.gz --json out.json

Steps, against a database the script drops and recreates (default xmkt_bench on 127.0.0.1):
  (a) COPY of the gzip CSV into a bare table with no index or constraint, text columns (median of --copy-runs);
  (b) `online_retail_import` of all rows into a fresh organization (COPY + set-based SQL), timed in-process;
  (d) the floor: the imported events INSERTed again into an empty copy of analytics_event, with no index and then
      with its indexes added one at a time: what any importer keeping the table's indexes must pay;
  (c) the same events (read back from (b)) POSTed to /api/v1/events/batch/ in --batch-row batches, served by gunicorn
      on a free loopback port, into a second organization whose consumers and items are first sent through
      /api/v1/consumers/batch/ and /api/v1/items/batch/. Only loopback traffic; gunicorn is stopped at the end.
Prints a table of rows/s and writes JSON with rows, copy_seconds, importer_seconds and api_events_per_second.
The machine's load average is recorded too: the figures are only comparable on an otherwise idle machine.
"""

import argparse
import gzip
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _local import free_port, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/xmkt_bench"
COLUMNS = "invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", type=Path, default=ROOT.parent / "shared" / "data" / "online_retail.csv.gz")
    parser.add_argument("--json", type=Path, help="Write the results here.")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="Dropped and recreated. PostgreSQL.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument("--concurrency", type=int, default=3, help="Requests in flight from the client.")
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--copy-runs", type=int, default=3)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument(
        "--skip-floor", action="store_true", help="Skip (d), the cost of writing the events with each index."
    )
    parser.add_argument("--request-timeout", type=float, default=300.0)
    return parser.parse_args()


def bench_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "IDENTITY_HASH_KEY": "bench-only-identity-key",
        "CELERY_BROKER_URL": "memory://",  # rollups enqueued by the API stay inside the process and vanish
        "API_KEY_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "xmkt_site.settings",
    }


def time_raw_copy(path: Path, runs: int) -> tuple[float, list[float]]:
    from django.db import connection, transaction

    timings = []
    for _ in range(runs):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
            cursor.execute(
                "CREATE TABLE bench_raw_copy (invoice_no text, stock_code text, description text, quantity text,"
                " invoice_date text, unit_price text, customer_id text, country text)"
            )
            started = time.perf_counter()
            with gzip.open(path, "rb") as stream:
                cursor.cursor.copy_expert(
                    f"COPY bench_raw_copy ({COLUMNS}) FROM STDIN WITH (FORMAT csv, HEADER true)", stream, size=1 << 20
                )
            timings.append(time.perf_counter() - started)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_raw_copy")
    return statistics.median(timings), timings


def time_event_write_floor(organization_id: int) -> list[dict]:
    """(d) What writing the imported events costs with no parsing, lookups or conflict handling at all: one
    INSERT ... SELECT of the same rows into an empty copy of analytics_event, first with no index, then adding the
    table's indexes one at a time (each in its own rolled-back transaction). The last line is the floor for any
    importer that keeps the table's indexes and constraints."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_event' ORDER BY"
            " (indexname LIKE '%%pkey') DESC, (indexdef LIKE 'CREATE UNIQUE%%'), indexname"
        )
        indexes = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_event_source, bench_event_floor")
        # The source in memory-friendly form, read once so that every timed insert reads warm pages.
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_event_source AS SELECT * FROM analytics_event WHERE organization_id = %s",
            [organization_id],
        )
        cursor.execute("SELECT count(*) FROM bench_event_source")
        cursor.execute("CREATE TABLE bench_event_floor (LIKE analytics_event INCLUDING DEFAULTS)")
    steps, created = [], []
    for name, definition in [("(no index)", None), *indexes]:
        if definition is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    definition.replace(f"INDEX {name} ON", f"INDEX bench_floor_{len(created)} ON").replace(
                        "public.analytics_event", "public.bench_event_floor"
                    )
                )
            created.append(name)
        timings = []
        for _ in range(2):
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute("INSERT INTO bench_event_floor SELECT * FROM bench_event_source")
                    timings.append(time.perf_counter() - started)
                    raise _Rollback
            except _Rollback:
                pass
        steps.append({"indexes": list(created), "added": name, "seconds": min(timings)})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_event_source, bench_event_floor")
    return steps


class _Rollback(Exception):
    pass


class Api:
    def __init__(self, port: int, key: str, timeout: float) -> None:
        self.port, self.key, self.timeout = port, key, timeout

    def post(self, path: str, body: bytes, connection: http.client.HTTPConnection | None = None) -> dict:
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Authorization": f"Api-Key {self.key}", "Content-Type": "application/json"},
        )
        response = conn.getresponse()
        payload = response.read()
        if connection is None:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {payload[:500]!r}")
        return json.loads(payload)

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/v1/ping/", headers={"Authorization": f"Api-Key {self.key}"})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not become ready")


def api_payloads(source_org, batch_rows: int) -> tuple[list[bytes], bytes, bytes, int]:
    """The importer's events, consumers and items as API rows, serialised before the clock starts."""
    from analytics.models import Event
    from campaigns.models import CatalogItem, Consumer

    consumers = [
        {"external_ref": ref}
        for ref in Consumer.objects.filter(organization=source_org).values_list("external_ref", flat=True)
    ]
    items = [
        {
            "external_ref": i["external_ref"],
            "kind": i["kind"],
            "title": i["title"],
            "price": str(i["price"]),
            "currency": i["currency"],
            "tags": i["tags"],
        }
        for i in CatalogItem.objects.filter(organization=source_org).values(
            "external_ref", "kind", "title", "price", "currency", "tags"
        )
    ]
    rows = []
    query = (
        Event.objects.filter(organization=source_org)
        .order_by("id")
        .values_list(
            "external_id",
            "type",
            "occurred_at",
            "consumer__external_ref",
            "item__external_ref",
            "quantity",
            "value",
            "currency",
        )
    )
    for external_id, type_, occurred_at, consumer, item, quantity, value, currency in query.iterator(chunk_size=20_000):
        row = {
            "external_id": external_id,
            "type": type_,
            "occurred_at": occurred_at.isoformat(),
            "item": item,
            "quantity": quantity,
            "value": str(value),
            "currency": currency,
        }
        if consumer is not None:
            row["consumer"] = consumer
        rows.append(row)
    batches = [
        json.dumps({"events": rows[start : start + batch_rows]}, separators=(",", ":")).encode()
        for start in range(0, len(rows), batch_rows)
    ]
    return (
        batches,
        json.dumps({"consumers": consumers}).encode(),
        json.dumps({"items": items}).encode(),
        len(rows),
    )


def run_api_phase(args: argparse.Namespace, env: dict[str, str], source_org) -> dict:
    from campaigns.models import Organization
    from campaigns.services.api_keys import api_key_create

    target = Organization.objects.create(
        slug="retail-api", name="Online Retail via API", kind="partner", industry="home_furnishing"
    )
    key = api_key_create(
        organization=target, name="bench", scopes=["events:write", "catalog:write", "consumers:write"]
    ).secret
    batches, consumers_body, items_body, n_events = api_payloads(source_org, args.batch_rows)
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "xmkt_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            str(int(args.request_timeout)),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    api = Api(port, key, args.request_timeout)
    try:
        api.wait_ready(time.monotonic() + 90)
        started = time.perf_counter()
        consumers = api.post("/api/v1/consumers/batch/", consumers_body)
        items = api.post("/api/v1/items/batch/", items_body)
        dimensions_seconds = time.perf_counter() - started

        pending = list(enumerate(batches))
        results: list[dict] = []
        latencies: list[float] = []

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.request_timeout)
            while pending:
                try:
                    _, body = pending.pop(0)
                except IndexError:
                    return
                sent = time.perf_counter()
                results.append(api.post("/api/v1/events/batch/", body, conn))
                latencies.append(time.perf_counter() - sent)
            conn.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for future in [pool.submit(worker) for _ in range(args.concurrency)]:
                future.result()
        events_seconds = time.perf_counter() - started

        replay_started = time.perf_counter()
        replay = api.post("/api/v1/events/batch/", batches[0])
        replay_seconds = time.perf_counter() - replay_started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    created = sum(r["created"] for r in results)
    if created != n_events:
        raise RuntimeError(f"API created {created} events, expected {n_events}")
    return {
        "api_events": n_events,
        "api_batches": len(batches),
        "api_events_seconds": events_seconds,
        "api_events_per_second": n_events / events_seconds,
        "api_batch_latency_median_seconds": statistics.median(latencies),
        "api_batch_latency_max_seconds": max(latencies),
        "api_replay_batch": {**replay, "seconds": replay_seconds},
        "api_consumers": consumers,
        "api_items": items,
        "api_dimensions_seconds": dimensions_seconds,
        "api_workers": args.workers,
        "api_concurrency": args.concurrency,
    }


def main() -> None:
    args = parse_args()
    if not args.path.is_file():
        sys.exit(f"No such file: {args.path}")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark needs PostgreSQL (--database-url postgres://...).")
    load_before = os.getloadavg()
    recreate_database(args.database_url)
    env = bench_environment(args.database_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from analytics.services.online_retail import online_retail_import
    from campaigns.models import Organization

    copy_seconds, copy_runs = time_raw_copy(args.path, args.copy_runs)

    source_org = Organization.objects.create(
        slug="retail", name="Online Retail", kind="partner", industry="home_furnishing"
    )
    summary = online_retail_import(path=args.path, organization=source_org)
    rerun = online_retail_import(path=args.path, organization=source_org)  # idempotent: must create nothing
    if rerun.created_anything:
        raise RuntimeError(f"the second import created rows: {rerun.as_dict()}")
    results: dict = {
        "rows": summary.rows_read,
        "copy_seconds": copy_seconds,
        "copy_runs_seconds": copy_runs,
        "importer_seconds": summary.seconds,
        "importer_vs_copy": summary.seconds / copy_seconds,
        "importer_summary": summary.as_dict(),
        "importer_rerun_seconds": rerun.seconds,
    }
    if not args.skip_floor:
        results["event_write_floor"] = time_event_write_floor(source_org.pk)
    if not args.skip_api:
        results.update(run_api_phase(args, env, source_org))
    results["load_average_before"] = load_before
    results["load_average_after"] = os.getloadavg()
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    results["targets"] = {
        "importer_under_30_s": summary.seconds < 30,
        "importer_within_5x_copy": summary.seconds <= 5 * copy_seconds,
        "api_at_least_10000_events_per_s": results.get("api_events_per_second", 0) >= 10_000,
    }

    rows = summary.rows_read
    print(f"\n{'step':<44}{'rows':>10}{'seconds':>10}{'rows/s':>12}")
    print(
        f"{'(a) raw COPY into a bare table (median)':<44}{rows:>10,}{copy_seconds:>10.2f}{rows / copy_seconds:>12,.0f}"
    )
    print(
        f"{'(b) import_online_retail':<44}{rows:>10,}{summary.seconds:>10.2f}{rows / summary.seconds:>12,.0f}"
        f"   ({summary.seconds / copy_seconds:.1f}x COPY)"
    )
    print(
        f"{'(b) the same import again (creates nothing)':<44}{rows:>10,}{rerun.seconds:>10.2f}"
        f"{rows / rerun.seconds:>12,.0f}"
    )
    if "api_events_per_second" in results:
        label = f"(c) POST events/batch ({args.workers} workers)"
        print(
            f"{label:<44}{results['api_events']:>10,}{results['api_events_seconds']:>10.2f}"
            f"{results['api_events_per_second']:>12,.0f}"
        )
    for step in results.get("event_write_floor", []):
        label = f"(d) floor + {step['added']}"[:44]
        print(
            f"{label:<44}{summary.events_created:>10,}{step['seconds']:>10.2f}"
            f"{summary.events_created / step['seconds']:>12,.0f}   ({step['seconds'] / copy_seconds:.1f}x COPY)"
        )
    print(
        f"load average before {load_before[0]:.1f}, after {results['load_average_after'][0]:.1f}; targets: "
        + ", ".join(f"{k}={'met' if v else 'MISSED'}" for k, v in results["targets"].items())
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
