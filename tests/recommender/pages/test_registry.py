from campaigns.models import Role, TaskRun
from recommender.models import ModelVersion
from recommender.services.pipeline import pipeline_run
from tests.builders.html import texts
from tests.factories import MembershipFactory


def client_for(client, organization, role=Role.ANALYST):
    client.force_login(MembershipFactory(organization=organization, role=role).user)
    return client


def test_the_models_page_shows_an_empty_state_with_a_train_button_before_any_training(client, world):
    platform, _items, _people = world
    html = client_for(client, platform).get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No model trained yet" in html and 'data-action="train"' in html


def test_the_models_page_shows_the_champion_comparison_history_and_coverage(client, world):
    platform, _items, _people = world
    pipeline_run(organization=platform, target=platform)
    response = client_for(client, platform).get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="comparison-table"' in html and 'id="metric-history-chart"' in html and 'data-kpi="coverage"' in html
    assert '<td class="num text-nowrap">' in html  # the fit time never wraps
    assert 'text-bg-success status-tag" data-status="champion"' in html  # champions green, candidates grey


def test_a_partner_user_may_not_open_the_models_page(client, world):
    platform, _items, _people = world
    assert client_for(client, platform, Role.PARTNER_USER).get("/recommendations/").status_code == 403


def test_train_now_queues_a_training_job(client, world):
    platform, _items, _people = world
    response = client_for(client, platform, Role.CAMPAIGN_MANAGER).post("/recommendations/train/", {"target": "zhishi"})
    assert response.status_code == 302
    assert TaskRun.objects.filter(task_name="recommender.tasks.training.train_recommender").exists()


def test_the_models_page_names_the_candidate_that_serves_consumers_new_to_the_catalogue(client, world):
    # given a training whose champion records that another candidate serves newcomers (as a cross-catalogue training
    # writes it when that candidate is better on the validation newcomers)
    platform, _items, _people = world
    result = pipeline_run(organization=platform, target=platform)
    champion = ModelVersion.objects.get(pk=result["champion_version_id"])
    other = ModelVersion.objects.filter(pk__in=result["versions"]).exclude(pk=champion.pk).first()
    champion.metrics = {
        **champion.metrics,
        "newcomers": {"validation": {"ndcg@10": 0.41, "n_users": 12.0}},
        "newcomer_route": {
            "label": other.label,
            "version_id": other.pk,
            "validation": 0.5173,
            "champion_validation": 0.5013,
            "validation_users": 12,
            "consumers": 13987,
        },
    }
    champion.save(update_fields=["metrics"])
    # when an analyst opens the models page in English and in Chinese
    english = client_for(client, platform).get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the champion card names the newcomer model with both metrics, and its comparison row is tagged
    assert f'data-newcomer-route="{other.label}"' in english
    assert f"13,987 consumers new to this catalogue get their lists from {other.label}" in english
    assert "NDCG@10 0.5173 vs the champion's 0.5013 on 12 validation newcomers" in english
    assert f'<tr data-label="{other.label}">' in english and 'data-serves="newcomers"' in english
    assert "Validation NDCG@10, newcomers" in english and "0.4100" in texts(
        english, f"tr[data-label={champion.label}] td"
    )
    assert f"1.4万 位初次接触该目录的消费者，其推荐列表来自 {other.label}" in chinese


def test_the_models_page_says_when_too_few_newcomers_were_measured_to_move_them(client, world):
    # given a champion that kept the newcomers because only 12 validation newcomers had a held-out purchase
    platform, _items, _people = world
    result = pipeline_run(organization=platform, target=platform)
    champion = ModelVersion.objects.get(pk=result["champion_version_id"])
    champion.metrics = {
        **champion.metrics,
        "newcomer_route": {
            "label": champion.label,
            "version_id": champion.pk,
            "validation": 0.5013,
            "champion_validation": 0.5013,
            "validation_users": 12,
            "min_validation_users": 30,
            "consumers": 500,
        },
    }
    champion.save(update_fields=["metrics"])
    # when an analyst opens the models page in English and in Chinese
    english = client_for(client, platform).get("/recommendations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/recommendations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then the card says why the champion still serves them, in both languages
    assert "(fewer than 30: too few to move them away from the champion)" in english
    assert "（少于 30 位：样本太少，仍由冠军模型服务）" in chinese
