"""python manage.py train_recommender --org SLUG [--catalog SLUG] [--sync] [--with-tensorflow]"""

import json

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Organization
from campaigns.services.task_runs import task_run_create, task_run_tracking
from recommender.services.pipeline import pipeline_run
from recommender.services.training import TRAINING_TASK_NAME, training_enqueue


class Command(BaseCommand):
    help = "Train the recommender for an organization's consumers on a target catalogue (default: its own)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization whose consumers are served")
        parser.add_argument("--catalog", help="slug of the target catalogue's organization (default: --org)")
        parser.add_argument("--sync", action="store_true", help="run in this process instead of on a worker")
        parser.add_argument("--with-tensorflow", action="store_true", help="add the TensorFlow two-tower candidate")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"no organization with slug {options['org']!r}")
        target = organization
        if options["catalog"]:
            target = Organization.objects.filter(slug=options["catalog"]).first()
            if target is None:
                raise CommandError(f"no organization with slug {options['catalog']!r}")
        if options["sync"]:
            run = task_run_create(
                task_name=TRAINING_TASK_NAME,
                organization=organization,
                params={"target_id": target.pk, "with_tensorflow": options["with_tensorflow"], "sync": True},
            )
            with task_run_tracking(task_run_id=run.pk) as tracker:
                tracker.result = pipeline_run(
                    organization=organization,
                    target=target,
                    tracker=tracker,
                    with_tensorflow=options["with_tensorflow"],
                )
            self.stdout.write(json.dumps(tracker.result, indent=2, ensure_ascii=False))
            return
        run = training_enqueue(organization=organization, target=target, with_tensorflow=options["with_tensorflow"])
        self.stdout.write(f"queued training job #{run.pk} ({organization.slug} → {target.slug}) on the pipeline queue")
