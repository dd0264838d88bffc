"""Cross-domain training on the demo data: the consented joined history, and the lift it buys on the target."""

from datetime import date

import pytest

from analytics.demo.writer import demo_seed
from campaigns.models import DataPurpose, Organization
from campaigns.selectors.consent import consented_consumer_ids
from recommender.models import Recommendation
from recommender.services.datasets import dataset_build, linked_consumer_pairs
from recommender.services.training import cross_domain_evaluate, pipeline_run


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_seed(consumers=600, days=90, end_date=date(2026, 11, 20), logins_file=tmp_path / "logins.txt")
    return Organization.objects.get(kind=Organization.Kind.PLATFORM), Organization.objects.get(slug="homely")


def test_only_consumers_who_allowed_both_sides_to_be_joined_bring_their_partner_history(demo):
    platform, homely = demo
    pairs = linked_consumer_pairs(organization=platform, target=homely)
    sharing = set(
        consented_consumer_ids(
            organization=platform, purpose=DataPurpose.PARTNER_SHARING, recipient=homely
        ).values_list("pk", flat=True)
    )
    assert pairs and set(pairs.values()) <= sharing
    dataset = dataset_build(organization=platform, target=homely)
    homely_items = set(homely.catalog_items.values_list("pk", flat=True))
    joined_users = set(dataset.events.loc[dataset.events["item_id"].isin(homely_items), "user_id"])
    assert joined_users and joined_users <= set(pairs.values())


def test_cross_domain_training_serves_the_partners_catalogue_to_platform_consumers(demo):
    platform, homely = demo
    result = pipeline_run(organization=platform, target=homely)
    assert result["trained"]
    targets = set(
        Recommendation.objects.filter(model_version_id=result["champion_version_id"]).values_list(
            "item__organization_id", flat=True
        )
    )
    assert targets == {homely.pk}


@pytest.mark.bench
def test_the_joint_model_beats_single_domain_on_both_sides_and_popularity_on_newcomers(db, settings, tmp_path):
    # The acceptance check on the full demo (3000 consumers, 180 days): on a small seed too few consumers are linked
    # (partner_sharing consent + a record on both sides) to measure a lift. Slow: out of the default run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_seed(consumers=3000, days=180, end_date=date(2026, 11, 20), logins_file=tmp_path / "logins.txt")
    platform, homely = (
        Organization.objects.get(kind=Organization.Kind.PLATFORM),
        Organization.objects.get(slug="homely"),
    )
    report = cross_domain_evaluate(organization=platform, target=homely)
    models = report["models"]
    assert report["groups"]["both"] > 0 and report["groups"]["new"] > 0
    best_single = max(models["single"]["both"]["ndcg@10"], models["popularity"]["both"]["ndcg@10"])
    assert models["joint"]["both"]["ndcg@10"] > best_single
    assert models["joint"]["new"]["ndcg@10"] > models["popularity"]["new"]["ndcg@10"]
