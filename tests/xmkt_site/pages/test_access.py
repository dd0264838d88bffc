"""Every page checks who is asking: anonymous users sign in first, the wrong role gets a translated 403 page."""

import pytest
from django.urls import reverse

from campaigns.models import Role
from tests.builders.html import text
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from xmkt_site.access import ACTIVE_ORGANIZATION_SESSION_KEY

PAGES = ["dashboard", "partner-list", "job-list"]


@pytest.mark.parametrize("url_name", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, url_name):
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_partner_detail_sends_anonymous_visitor_to_sign_in(client, homely):
    response = client.get(reverse("partner-detail", args=[homely.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "url_name", "expected"),
    [
        (Role.ADMIN, "dashboard", 200),
        (Role.ADMIN, "partner-list", 200),
        (Role.ADMIN, "job-list", 200),
        (Role.CAMPAIGN_MANAGER, "partner-list", 200),
        (Role.PRIVACY_ADMIN, "partner-list", 200),
        (Role.ANALYST, "partner-list", 403),
        (Role.ANALYST, "job-list", 200),
        (Role.PARTNER_USER, "dashboard", 200),
        (Role.PARTNER_USER, "partner-list", 403),
        (Role.PARTNER_USER, "job-list", 403),
    ],
)
def test_each_role_opens_only_its_pages(sign_in, platform_org, homely, role, url_name, expected):
    # given
    organization = homely if role == Role.PARTNER_USER else platform_org
    client = sign_in(role, organization)
    # when
    response = client.get(reverse(url_name))
    # then
    assert response.status_code == expected


def test_forbidden_page_is_styled_and_translated(sign_in, homely):
    # given a partner's user whose browser prefers Chinese
    client = sign_in(Role.PARTNER_USER, homely)
    # when
    response = client.get(reverse("job-list"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    # then
    assert response.status_code == 403
    body = response.content.decode()
    assert text(body, "h1") == "无权访问"
    assert "此页面面向：管理员、活动经理、分析师、隐私管理员。" in body
    assert 'class="xmkt-rail"' in body


def test_user_without_membership_gets_403_not_a_crash(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "not a member of any organization" in response.content.decode()


def test_sign_in_page_signs_in_and_lands_on_the_dashboard(client, platform_org):
    # given
    user = MembershipFactory(organization=platform_org, role=Role.ADMIN).user
    # when
    response = client.post(reverse("login"), {"username": user.username, "password": "correct-horse-battery"})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_sign_in_page_renders_in_chinese_by_default(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 200
    assert text(response.content.decode(), "h2") == "登录"


def test_sign_in_page_renders_in_english_for_an_english_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert text(response.content.decode(), "h2") == "Sign in"


def test_sign_out_ends_the_session(admin_client):
    response = admin_client.post(reverse("logout"))
    assert response.status_code == 302
    assert admin_client.get(reverse("dashboard")).status_code == 302


def test_language_switch_changes_the_page_language(admin_client):
    # when
    admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = admin_client.get(reverse("dashboard"))
    # then
    assert text(response.content.decode(), "h1") == "仪表盘"


def test_user_with_two_memberships_switches_organization(sign_in, platform_org, homely):
    # given a platform admin who is also a user at the partner
    client = sign_in(Role.ADMIN, platform_org)
    MembershipFactory(user=client.user, organization=homely, role=Role.PARTNER_USER)
    assert "Switch organization" in client.get(reverse("dashboard")).content.decode()
    # when
    response = client.post(reverse("organization-switch"), {"organization": homely.pk})
    # then
    assert response.status_code == 302
    assert client.session[ACTIVE_ORGANIZATION_SESSION_KEY] == homely.pk
    assert client.get(reverse("partner-list")).status_code == 403  # now acting as the partner's user


def test_user_cannot_switch_to_an_organization_they_do_not_belong_to(admin_client, skyline):
    response = admin_client.post(reverse("organization-switch"), {"organization": skyline.pk})
    assert response.status_code == 403
    assert ACTIVE_ORGANIZATION_SESSION_KEY not in admin_client.session


def test_navigation_shows_only_sections_the_role_may_open(sign_in, homely):
    client = sign_in(Role.PARTNER_USER, homely)
    body = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("dashboard")}"' in body
    assert f'href="{reverse("partner-list")}"' not in body
    assert f'href="{reverse("job-list")}"' not in body


def test_inactive_organization_membership_does_not_grant_access(sign_in):
    dormant = OrganizationFactory(slug="dormant", is_active=False)
    client = sign_in(Role.PARTNER_USER, dormant)
    assert client.get(reverse("dashboard")).status_code == 403


def test_missing_record_gets_the_styled_not_found_page(manager_client):
    response = manager_client.get(reverse("partner-detail", args=[999_999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="xmkt-rail"' in response.content.decode()


def test_partner_organization_admin_cannot_open_platform_partner_pages(sign_in, homely):
    client = sign_in(Role.ADMIN, homely)
    response = client.get(reverse("partner-list"))
    assert response.status_code == 403
    assert "This page is for the platform&#x27;s staff." in response.content.decode()
