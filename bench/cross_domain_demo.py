"""Cross-domain lift on the demo data: one EASE over the platform's and a partner's catalogues vs the same model on
the partner's catalogue alone and vs popularity, on the partner's catalogue (NDCG@10).

    python bench/cross_domain_demo.py [--consumers 3000] [--target homely] [--json out.json]
                                      [--database-url sqlite:///var/bench-cross-domain.sqlite3]

Seeds the demo (`seed_demo`) into a scratch database the script recreates, then evaluates for the platform's
consumers with the consented training set (personalization, plus partner_sharing on both sides for the joined
history) and a temporal split at the 90th percentile of event time. Groups: `both` (history on both sides before the
cut) and `new` (no history in the target catalogue before the cut). Targets: joint > best single-domain on `both`;
joint > popularity on `new`.
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
    parser.add_argument("--consumers", type=int, default=3000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--target", default="homely")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-cross-domain.sqlite3'}")
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///"):
        Path(args.database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "1", "CELERY_TASK_ALWAYS_EAGER": "1"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
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
    from recommender.services.training import cross_domain_evaluate

    started = time.perf_counter()
    platform = Organization.objects.get(kind=Organization.Kind.PLATFORM)
    report = cross_domain_evaluate(organization=platform, target=Organization.objects.get(slug=args.target))
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(f"groups: {report['groups']}  data: {report['data']}")
    print(f"{'model':<12}{'both ndcg@10':>14}{'new ndcg@10':>14}")
    for name, by_group in report["models"].items():
        cells = [f"{by_group.get(g, {}).get('ndcg@10', float('nan')):>14.4f}" for g in ("both", "new")]
        print(f"{name:<12}{''.join(cells)}")
    print(f"lift (joint / best single-domain): {report['lift']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
