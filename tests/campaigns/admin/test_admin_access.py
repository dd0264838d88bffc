"""The Django admin grants what the product's roles grant, and every change made there is audited."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.urls import reverse

from campaigns.models import AuditEvent, DataSharingAgreement, Role
from tests.factories import AgreementFactory, MembershipFactory, OrganizationFactory, UserFactory

# Written out by hand from the product's rules (who may read or change these on the pages and the API), not from the
# admin's declarations: "c" change (and view), "v" view only, "." neither.
#                                    admin  manager  analyst  privacy  partner
EXPECTED = """
campaigns.datasharingagreement       c      v        .        v        .
campaigns.consumer                   c      .        .        c        .
campaigns.consentrecord              v      .        .        v        .
campaigns.auditevent                 v      .        .        v        .
campaigns.datasubjectrequest         v      .        .        v        .
campaigns.partnerapikey              c      c        .        .        .
campaigns.campaign                   c      c        v        .        .
campaigns.offer                      c      c        v        .        .
campaigns.taskrun                    v      v        v        v        .
campaigns.user                       .      .        .        .        .
campaigns.organization               .      .        .        .        .
campaigns.membership                 .      .        .        .        .
analytics.event                      c      c        v        .        .
analytics.overlapquery               v      .        .        v        .
analytics.overlapmatchtoken          v      .        .        .        .
recommender.modelversion             c      c        c        .        .
"""
COLUMNS = (Role.ADMIN, Role.CAMPAIGN_MANAGER, Role.ANALYST, Role.PRIVACY_ADMIN, Role.PARTNER_USER)


def _cells() -> list[tuple[str, str, str]]:
    cells = []
    for line in EXPECTED.strip().splitlines():
        label, *marks = line.split()
        cells += [(label, str(role), mark) for role, mark in zip(COLUMNS, marks, strict=True)]
    return cells


def _staff(role: str, organization) -> object:
    user = UserFactory(is_staff=True)
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def _model_admin(label: str):
    return next(model_admin for model, model_admin in admin.site._registry.items() if model._meta.label_lower == label)


@pytest.mark.parametrize(("label", "role", "mark"), _cells(), ids=lambda value: str(value))
def test_admin_rights_follow_the_written_table(label, role, mark, platform, partner):
    # given a staff member with that role (partner users belong to a partner organization)
    user = _staff(role, partner if role == Role.PARTNER_USER else platform)
    request = RequestFactory().get("/admin/")
    request.user = user
    model_admin = _model_admin(label)
    # then the admin allows what the table says
    assert model_admin.has_view_permission(request) == (mark in "vc")
    assert model_admin.has_change_permission(request) == (mark == "c")


def test_django_model_permissions_grant_nothing_the_role_lacks(platform):
    # given a privacy administrator who was also handed Django's change permission on agreements
    user = _staff(Role.PRIVACY_ADMIN, platform)
    user.user_permissions.add(Permission.objects.get(codename="change_datasharingagreement"))
    request = RequestFactory().get("/admin/")
    request.user = user
    # then the admin still refuses the change: agreements are the admin role's
    assert not _model_admin("campaigns.datasharingagreement").has_change_permission(request)


def test_a_staff_user_without_a_platform_role_sees_no_project_model(platform):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True)
    assert not any(
        model_admin.has_view_permission(request)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ("campaigns", "analytics", "recommender")
    )


def _agreement_form(agreement: DataSharingAgreement, **changes) -> dict:
    data = {
        "platform": agreement.platform_id,
        "partner": agreement.partner_id,
        "title": agreement.title,
        "purposes": json.dumps(agreement.purposes),
        "data_categories": json.dumps(agreement.data_categories),
        "min_aggregate_size": agreement.min_aggregate_size,
        "dp_epsilon_budget": "" if agreement.dp_epsilon_budget is None else agreement.dp_epsilon_budget,
        "retention_days": "" if agreement.retention_days is None else agreement.retention_days,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": "",
        "status": agreement.status,
    }
    data.update(changes)
    return data


@pytest.fixture
def agreement(platform, partner):
    return AgreementFactory(platform=platform, partner=partner, min_aggregate_size=50, dp_epsilon_budget=1.0)


def test_a_privacy_admin_cannot_lower_an_agreements_k_in_the_admin(platform, agreement):
    # given the privacy administrator signed in to the admin, holding the Django model permissions the demo once gave
    privacy_admin = _staff(Role.PRIVACY_ADMIN, platform)
    privacy_admin.user_permissions.add(
        *Permission.objects.filter(content_type__model="datasharingagreement", codename__contains="datasharing")
    )
    client = Client()
    client.force_login(privacy_admin)
    url = reverse("admin:campaigns_datasharingagreement_change", args=[agreement.pk])
    assert client.get(url).status_code == 200  # may read it, as on the partner page
    # when it posts k = 2 and a larger ε budget
    response = client.post(url, _agreement_form(agreement, min_aggregate_size=2, dp_epsilon_budget=50))
    # then nothing changes and nothing is recorded as changed
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert (agreement.min_aggregate_size, agreement.dp_epsilon_budget) == (50, 1.0)
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_an_admins_change_in_the_admin_is_audited_with_user_object_and_fields(platform, agreement):
    # given the platform's admin (a staff member with the admin role, not a superuser)
    user = _staff(Role.ADMIN, platform)
    client = Client()
    client.force_login(user)
    url = reverse("admin:campaigns_datasharingagreement_change", args=[agreement.pk])
    # when it raises k to 80
    response = client.post(url, _agreement_form(agreement, min_aggregate_size=80))
    # then the change is saved and one audit event names who, what and which field
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert agreement.min_aggregate_size == 80
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == user
    assert (event.target_type, event.target_id) == ("campaigns.datasharingagreement", str(agreement.pk))
    assert event.organization == platform
    [change] = event.metadata["changes"]
    assert change["verb"] == "changed" and "Minimum aggregate size (k)" in change["fields"]
    assert "80" not in json.dumps(event.metadata)  # field names, never the values typed


def test_deletions_in_the_admin_are_audited(platform):
    # given a superuser deleting a partner organization from the admin
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    doomed = OrganizationFactory(slug="doomed")
    url = reverse("admin:campaigns_organization_delete", args=[doomed.pk])
    response = client.post(url, {"post": "yes"})
    # then the organization is gone and the audit log says who deleted which row
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.delete")
    assert (event.actor, event.target_type, event.target_id) == (operator, "campaigns.organization", str(doomed.pk))


def test_consumers_are_not_deleted_in_the_admin(platform):
    # erasure is a data-subject request (it leaves a tombstone); the admin offers no way around it
    request = RequestFactory().get("/admin/")
    request.user = _staff(Role.PRIVACY_ADMIN, platform)
    assert not _model_admin("campaigns.consumer").has_delete_permission(request)
