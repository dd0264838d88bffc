"""The Django admin cannot promote or retire a model version: that happens only through training."""

from django.urls import reverse
from django.utils import timezone

from recommender.models import ModelVersion
from tests.factories import ModelVersionFactory, PlatformFactory, UserFactory


def test_the_admin_shows_champion_and_status_read_only_and_ignores_them_when_saving(client, db):
    # given a champion and a superuser in the admin
    platform = PlatformFactory(slug="zhishi")
    champion = ModelVersionFactory(
        organization=platform, label="ease-l2-300", status=ModelVersion.Status.CHAMPION, is_champion=True
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:recommender_modelversion_change", args=[champion.pk])
    # when the change form opens, then neither field is an input
    html = client.get(url).content.decode()
    assert 'name="is_champion"' not in html and 'name="status"' not in html
    # when the form is posted as if to retire it
    local = timezone.localtime(champion.trained_at)
    response = client.post(
        url,
        {
            "organization": platform.pk,
            "target": platform.pk,
            "algorithm": "ease",
            "label": "renamed",
            "fit_seconds": "0",
            "trained_at_0": local.strftime("%Y-%m-%d"),
            "trained_at_1": local.strftime("%H:%M:%S"),
            "status": ModelVersion.Status.RETIRED,
            "is_champion": "",
        },
    )
    # then the other fields are saved, and the version is still the champion
    assert response.status_code == 302, response.content.decode()[:2000]
    champion.refresh_from_db()
    assert champion.label == "renamed"
    assert champion.is_champion and champion.status == ModelVersion.Status.CHAMPION
