from campaigns.models import AuditEvent, Role, TaskRun
from recommender.services.training import pipeline_run
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


def test_a_partner_user_may_not_open_the_models_page(client, world):
    platform, _items, _people = world
    assert client_for(client, platform, Role.PARTNER_USER).get("/recommendations/").status_code == 403


def test_train_now_queues_a_training_job(client, world):
    platform, _items, _people = world
    response = client_for(client, platform, Role.CAMPAIGN_MANAGER).post("/recommendations/train/", {"target": "zhishi"})
    assert response.status_code == 302
    assert TaskRun.objects.filter(task_name="recommender.tasks.train_recommender").exists()


def test_the_preview_shows_history_and_reasons_and_is_audited(client, world):
    platform, _items, _people = world
    pipeline_run(organization=platform, target=platform)
    html = (
        client_for(client, platform)
        .get("/recommendations/preview/", {"consumer": "c0", "catalog": "zhishi"}, HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert 'id="preview-history"' in html and "Because you bought" in html
    assert AuditEvent.objects.filter(action="recommendations.preview").exists()
