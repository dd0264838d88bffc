"""Cross-domain lift on the demo data: one model over the platform's and a partner's catalogues vs EASE on the
partner's catalogue alone and vs popularity, on the partner's catalogue (NDCG@10, purchases and enrolments relevant).

    python bench/cross_domain_demo.py [--consumers 20000] [--target homely] [--json out.json] [--keep-database]
                                      [--database-url sqlite:///var/bench-cross-domain.sqlite3]

Seeds the demo (`seed_demo`) into a scratch database the script recreates (`--keep-database`: reuse it; seeding is
idempotent), then evaluates for the platform's consumers on the consented training set (personalization, plus
partner_sharing naming the partner for the joined history). Protocol (`recommender/ml/cross_domain_eval.py`):
rolling-origin temporal windows at the 40th, 50th, ..., 90th percentiles of event time; the first only validates,
settings for each later window are chosen on the windows before it. Groups: `both` (history on both sides before the
cut), `new` (real newcomers: no target history before the cut), `new_simulated` (the `both` users with their target
history hidden from the model and from their input). Standard errors and 95% intervals: bootstrap over consumers.
Targets: joint > best single-domain on `both`; joint > popularity on `new`.

Why 20,000 consumers: only consumers who gave partner_sharing consent and are customers on both sides bring target
history (about 4% of platform consumers); at the demo's default 3,000 the `new` group has a handful of users.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consumers", type=int, default=20000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--target", default="homely")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-cross-domain.sqlite3'}")
    parser.add_argument("--keep-database", action="store_true", help="reuse the scratch database if it exists")
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///") and not args.keep_database:
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "seed_demo",
            "--consumers",
            str(args.consumers),
            "--days",
            str(args.days),
            "--end-date",
            "2026-11-20",
            "--logins-file",
            str(ROOT / "var" / "bench-cross-domain-logins.txt"),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xmkt_site.settings")
    import django

    django.setup()
    from campaigns.models import Organization
    from recommender.services.evaluation import cross_domain_evaluate

    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    platform = Organization.objects.get(kind=Organization.Kind.PLATFORM)
    report = cross_domain_evaluate(organization=platform, target=Organization.objects.get(slug=args.target))
    report["seconds"] = {"seed": round(seed_seconds, 1), "evaluate": round(time.perf_counter() - started, 1)}
    report["consumers"] = args.consumers
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


def format_report(report: dict) -> str:
    groups = ("both", "new", "new_simulated")
    lines = [
        f"data: {report['data']['users']} consented platform consumers, {report['data']['linked_consumers']} linked to "
        f"the target, {report['data']['events']} events; {report['windows']} test windows",
        f"{'model':<12}" + "".join(f"{g + ' NDCG@10 ± SE (n)':>34}" for g in groups),
    ]
    for name, by_group in report["models"].items():
        cells = []
        for group in groups:
            cell = by_group.get(group)
            text = f"{cell['ndcg@10']:.3f} ± {cell['se']:.3f} ({cell['n_users']})" if cell else "-"
            cells.append(f"{text:>34}")
        lines.append(f"{name:<12}{''.join(cells)}")
    distinct = {g: c["distinct_users"] for g, c in report["models"].get("joint", {}).items()}
    lines.append(f"n = consumer-windows scored (a consumer can be scored in several windows); distinct: {distinct}")
    for group in groups:
        diff = report["difference"].get(group)
        if diff:
            low, high = diff["ci95"]
            lines.append(
                f"{group}: joint - {diff['vs']} = {diff['mean']:+.4f} ± {diff['se']:.4f} (95% CI {low:+.4f} .. "
                f"{high:+.4f}), lift {report['lift'][group]:.3f}"
            )
    seconds = report.get("seconds", {})
    lines.append(f"seconds: {seconds}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
