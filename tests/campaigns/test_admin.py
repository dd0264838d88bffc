"""The Django admin covers every model of campaigns and analytics, shows no contact hashes, keeps history read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from campaigns.models import ConsentRecord
from campaigns.services.audit import audit_record
from tests.factories import ConsentRecordFactory, ConsumerFactory, EventFactory, UserFactory

APP_MODELS = [model for label in ("campaigns", "analytics") for model in apps.get_app_config(label).get_models()]


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda model: model._meta.label)
def test_every_model_is_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", APP_MODELS, ids=lambda model: model._meta.label)
def test_every_admin_list_opens(superuser_client, platform_org, model):
    # given a row, so list_display columns are rendered
    EventFactory(organization=platform_org)
    ConsentRecordFactory(consumer=ConsumerFactory(organization=platform_org))
    audit_record(action="test.read", organization=platform_org)
    # when
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = superuser_client.get(url, {"q": "x"} if admin.site._registry[model].search_fields else {})
    # then
    assert response.status_code == 200


def test_consumer_admin_never_shows_contact_hashes(superuser_client, platform_org):
    consumer = ConsumerFactory(organization=platform_org, phone_hash="a" * 64, email_hash="b" * 64)
    change = superuser_client.get(reverse("admin:campaigns_consumer_change", args=[consumer.pk])).content.decode()
    listing = superuser_client.get(reverse("admin:campaigns_consumer_changelist")).content.decode()
    assert "a" * 64 not in change + listing
    assert "b" * 64 not in change + listing


def test_consent_records_cannot_be_added_changed_or_deleted_in_the_admin(superuser_client, platform_org):
    record = ConsentRecordFactory(consumer=ConsumerFactory(organization=platform_org))
    assert superuser_client.get(reverse("admin:campaigns_consentrecord_add")).status_code == 403
    delete = superuser_client.post(reverse("admin:campaigns_consentrecord_delete", args=[record.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
