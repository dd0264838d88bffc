"""A model version's page (what it is, its parameters, every metric per split, the champion it competes with, its
training job) and the models page's CSV export, both scoped to the reader's organization."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Role, TaskRun
from recommender.models import ModelVersion
from recommender.services.pipeline import pipeline_run
from tests.builders.html import text, texts
from tests.factories import MembershipFactory, ModelVersionFactory, OrganizationFactory, PlatformFactory, TaskRunFactory

pytestmark = pytest.mark.django_db

TRAINED_AT = timezone.now().replace(microsecond=0) - timedelta(days=1)


def client_for(client, organization, role=Role.ANALYST):
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    return client


def make_version(organization, target=None, *, label="ease-l2-300", champion=False, ndcg=0.3, **fields):
    fields.setdefault("algorithm", "EASE")
    fields.setdefault("trained_at", TRAINED_AT)
    fields.setdefault(
        "metrics",
        {
            "validation": {"ndcg@10": ndcg, "recall@10": 0.25, "map@10": 0.2, "coverage": 0.5, "n_users": 40.0},
            "test": {
                "ndcg@10": round(ndcg - 0.01, 4),
                "recall@10": 0.24,
                "map@10": 0.19,
                "coverage": 0.48,
                "n_users": 38.0,
            },
        },
    )
    return ModelVersionFactory(
        organization=organization,
        target=target or organization,
        label=label,
        status=ModelVersion.Status.CHAMPION if champion else ModelVersion.Status.CANDIDATE,
        is_champion=champion,
        **fields,
    )


def test_a_version_page_shows_what_it_is_its_parameters_every_metric_and_the_champion_delta(client):
    # given a hybrid candidate trained by job #run, with newcomer metrics and a metric only it stores, and the
    # champion of the same catalogue at validation NDCG@10 0.3
    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    run = TaskRunFactory(
        task_name="recommender.tasks.training.train_recommender", organization=platform, status=TaskRun.Status.SUCCEEDED
    )
    make_version(platform, label="rp3beta", champion=True, ndcg=0.3, algorithm="RP3Beta")
    version = make_version(
        platform,
        label="hybrid",
        algorithm="HybridRecommender",
        training_run=run,
        parameters={"components": ["ease-l2-300", "rp3beta"], "weights": {"ease": 0.6, "rp3beta": 0.4}, "k": 200},
        metrics={
            "validation": {
                "ndcg@10": 0.35123456,
                "recall@10": 0.25,
                "hit_rate@10": 0.5,
                "novelty": 3.25,
                "n_users": 40,
            },
            "test": {"ndcg@10": 0.3, "recall@10": 0.2, "hit_rate@10": 0.45, "n_users": 38},
            "newcomers": {"validation": {"ndcg@10": 0.41, "n_users": 12}},
            "selected_by": "ndcg@10",
        },
        data_size={"users": 12345, "interactions": 67890, "cross_domain": False},
        fit_seconds=1.25,
        data_until=TRAINED_AT - timedelta(hours=2),
    )
    # when an analyst opens it in English and in Chinese
    response = client_for(client, platform).get(f"/recommendations/models/{version.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    english = response.content.decode()
    chinese = client.get(f"/recommendations/models/{version.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the cards say what it is, with a breadcrumb back and a link to its training job
    assert response.status_code == 200
    assert (
        'href="/recommendations/"' in english and "hybrid #" in text(english, "h1") and "HybridRecommender" in english
    )
    assert 'data-target="zhishi"' in english and "12,345" in texts(english, "#version-data-size dd")
    assert text(english, "[data-fit-seconds]") == "1.250 s"
    assert f'data-training-run="{run.pk}"' in english and f"Job #{run.pk}" in english
    # the parameters are readable, nested weights flattened
    assert '<dd class="col-sm-7" data-parameter="components">ease-l2-300, rp3beta</dd>' in english
    assert '<dd class="col-sm-7" data-parameter="weights · ease">0.6</dd>' in english
    # every stored metric has a row, four decimals, counts as counts, and a newcomers column
    for name in ("ndcg@10", "recall@10", "hit_rate@10", "novelty", "n_users"):
        assert f'data-metric="{name}"' in english
    assert 'data-metric="selected_by"' not in english
    # each row names its metric for readers; the stored key is only a tooltip
    assert '<th scope="row" class="fw-normal" title="hit_rate@10">Hit rate@10</th>' in english
    assert '<th scope="row" class="fw-normal" title="n_users">Consumers measured</th>' in english
    assert ">hit_rate@10<" not in english and ">n_users<" not in english
    ndcg = texts(english, "tr[data-metric=ndcg@10] td")
    assert "0.3512" in ndcg and "0.4100" in ndcg and "Validation, newcomers" in texts(english, "#version-metrics th")
    assert "3.2500" in texts(english, "tr[data-metric=novelty] td")
    # and the champion comparison gives the validation NDCG@10 delta, linking the champion
    assert 'data-ndcg-delta="0.0512"' in english and text(english, "[data-ndcg-delta] strong") == "+0.0512"
    assert "Against the champion for 知识星球学院" in english
    # in Chinese as well
    assert "离线指标" in chinese and "验证集（新客）" in chinese and "召回率@10" in chinese
    assert f"任务 #{run.pk}" in chinese and "与 知识星球学院 的冠军模型对比" in chinese
    assert "1.23万" in texts(chinese, "#version-data-size dd")


def test_every_metric_a_real_training_stores_has_a_row_on_the_version_page(client):
    # given a real training of the planted world
    from tests.builders.recommender import make_world

    platform = PlatformFactory(slug="zhishi", name="知识星球学院")
    make_world(platform)
    result = pipeline_run(organization=platform, target=platform)
    champion = ModelVersion.objects.get(pk=result["champion_version_id"])
    # when the champion's page is opened
    html = client_for(client, platform).get(f"/recommendations/models/{champion.pk}/").content.decode()
    # then each metric of both splits has its row and the page says it is the champion
    names = set(champion.metrics["validation"]) | set(champion.metrics["test"])
    assert names >= {"ndcg@10", "recall@10", "precision@10", "map@10"}
    for name in names:
        assert f'data-metric="{name}"' in html
    assert "data-champion-self" in html


def test_the_training_job_link_opens_the_jobs_page_that_lists_it(client):
    # given a version's training run followed by 30 newer runs (the Jobs page lists 25 per page, newest first)
    platform = PlatformFactory()
    run = TaskRunFactory(task_name="recommender.tasks.training.train_recommender", organization=platform)
    for _ in range(30):
        TaskRunFactory(organization=platform)
    version = make_version(platform, training_run=run)
    # when its page is opened
    html = client_for(client, platform).get(f"/recommendations/models/{version.pk}/").content.decode()
    # then the job link goes to the second page of the Jobs page
    assert f'href="/jobs/?page=2" data-training-run="{run.pk}"' in html


def test_a_version_without_a_champion_or_training_job_says_so(client):
    platform = PlatformFactory()
    version = make_version(platform, parameters={})
    html = client_for(client, platform).get(f"/recommendations/models/{version.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert "This catalogue has no champion yet" in text
    assert "Trained outside a recorded job" in text and "This algorithm has no hyperparameters." in text


def test_another_organizations_version_is_not_found(client):
    # given a version of another partner
    platform, other = PlatformFactory(), OrganizationFactory()
    theirs = make_version(other, label="theirs")
    # when the platform's analyst asks for it, then it does not exist for them
    assert client_for(client, platform).get(f"/recommendations/models/{theirs.pk}/").status_code == 404


def test_roles_that_cannot_open_the_models_page_cannot_open_a_version_or_the_export(client):
    platform = PlatformFactory()
    version = make_version(platform)
    for role in (Role.PRIVACY_ADMIN, Role.PARTNER_USER):
        client_for(client, platform, role)
        assert client.get(f"/recommendations/models/{version.pk}/").status_code == 403
        assert client.get("/recommendations/", {"export": "csv"}).status_code == 403


def test_the_models_page_links_each_version_and_exports_its_current_filter(client):
    platform = PlatformFactory()
    version = make_version(platform)
    html = (
        client_for(client, platform)
        .get("/recommendations/", {"target": platform.slug, "status": "candidate", "page": "1"})
        .content.decode()
    )
    assert f'<a href="/recommendations/models/{version.pk}/">ease-l2-300</a>' in html
    assert f'href="?target={platform.slug}&amp;status=candidate&amp;export=csv" data-export="csv"' in html


def test_the_csv_export_lists_the_filtered_versions_of_the_organization_only(client):
    # given the platform's versions for its own catalogue and for a partner's, and another organization's version
    platform = PlatformFactory(slug="zhishi")
    partner = OrganizationFactory(slug="homely")
    champion = make_version(
        platform, label="rp3beta", algorithm="RP3Beta", champion=True, ndcg=0.31, fit_seconds=0.5,
        data_size={"users": 60, "items": 15, "interactions": 180},
    )  # fmt: skip
    make_version(platform, partner, label="cross")
    make_version(OrganizationFactory(slug="other"), platform, label="not-ours")
    # when an analyst exports the platform catalogue's versions in English
    response = client_for(client, platform).get(
        "/recommendations/", {"target": "zhishi", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = response.content.decode("utf-8-sig").splitlines()
    # then one row per version of that filter, with the metrics as stored
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="model-versions.csv"' in response["Content-Disposition"]
    assert rows[0] == (
        "#,Model,Algorithm,Catalogue,Status,Champion,Trained at,Consumers,Items,Interactions,Fit seconds,"
        "Validation NDCG@10,Validation Recall@10,Validation MAP@10,Validation Catalogue coverage,"
        "Test NDCG@10,Test Recall@10,Test MAP@10,Test Catalogue coverage"
    )
    trained_at = timezone.localtime(TRAINED_AT).isoformat()
    assert rows[1:] == [
        f"{champion.pk},rp3beta,RP3Beta,zhishi,Champion,Yes,{trained_at},60,15,180,0.5,0.31,0.25,0.2,0.5,0.3,0.24,0.19,0.48"
    ]
    # and the whole organization without a filter, in Chinese
    chinese = client.get("/recommendations/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = chinese.content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("#,模型,算法,商品目录,状态,冠军,") and len(rows) == 3
    assert {row.split(",")[1] for row in rows[1:]} == {"rp3beta", "cross"}


def test_the_csv_export_does_not_let_a_label_run_as_a_formula(client):
    platform = PlatformFactory()
    make_version(platform, label="=HYPERLINK(1)", algorithm="@SUM(1)")
    rows = client_for(client, platform).get("/recommendations/", {"export": "csv"}).content.decode("utf-8-sig")
    assert rows.splitlines()[1].split(",")[1:3] == ["'=HYPERLINK(1)", "'@SUM(1)"]


def test_the_champion_page_links_the_version_that_serves_consumers_new_to_the_catalogue(client):
    # given a champion whose training routes the catalogue's newcomers to another candidate
    platform = PlatformFactory()
    other = make_version(platform, label="itemknn-k100")
    champion = make_version(platform, label="hybrid", champion=True)
    champion.metrics = {**champion.metrics, "newcomer_route": {"label": other.label, "version_id": other.pk}}
    champion.save(update_fields=["metrics"])
    # when the champion's page is opened, then it says so and links that version's page
    html = client_for(client, platform).get(f"/recommendations/models/{champion.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert "This version is the champion" in text and 'data-newcomer-route="itemknn-k100"' in text
    assert f'served by itemknn-k100 <a href="/recommendations/models/{other.pk}/">' in text
