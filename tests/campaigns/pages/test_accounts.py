"""Change password: Django's own views behind the user menu, in both languages, audited without the secret."""

import pytest
from django.test import Client

from campaigns.models import AuditEvent, Role
from tests.factories import MembershipFactory

OLD_PASSWORD = "correct-horse-battery"  # what the factories give every user
NEW_PASSWORD = "Lantern-Orchid-2026-xmkt"
LANGUAGES = {
    "en": {
        "menu": "Change password",
        "done": "Your password was changed.",
        "wrong_old": "Your old password was entered incorrectly.",
    },
    "zh-hans": {"menu": "修改密码", "done": "密码已修改。", "wrong_old": "当前密码不正确，请重新输入。"},
}
# The labels follow the page's lead ("Enter your current password ..."), not Django's 旧密码 / 新密码确认.
LABELS = {
    "en": {
        "old_password": "Current password",
        "new_password1": "New password",
        "new_password2": "Confirm new password",
    },
    "zh-hans": {"old_password": "当前密码", "new_password1": "新密码", "new_password2": "确认新密码"},
}


@pytest.fixture
def member(platform_org):
    return MembershipFactory(organization=platform_org, role=Role.ANALYST).user


def signed_in(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def signs_in(username: str, password: str) -> bool:
    """Through the real sign-in form, as a fresh browser would."""
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_user_menu_leads_to_the_password_change_form(member, language):
    html = signed_in(member, language).get("/").content.decode()
    assert 'href="/accounts/password/change/"' in html and LANGUAGES[language]["menu"] in html

    form = signed_in(member, language).get("/accounts/password/change/")
    assert form.status_code == 200
    assert 'name="old_password"' in form.content.decode() and LANGUAGES[language]["menu"] in form.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_labels_match_the_lead_and_keep_djangos_field_names(member, language):
    # when the form is opened
    html = signed_in(member, language).get("/accounts/password/change/").content.decode()
    # then each field carries our label, tied to Django's field by its id
    for name, label in LABELS[language].items():
        assert f'<label class="form-label" for="id_{name}">{label}</label>' in html
        assert f'name="{name}"' in html
    assert "旧密码" not in html and "新密码确认" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_signed_in_user_changes_the_password_and_signs_in_with_the_new_one_only(member, language):
    client = signed_in(member, language)

    # when they submit the old password and the new one twice
    response = client.post(
        "/accounts/password/change/",
        {"old_password": OLD_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    # then they land on the translated confirmation, still signed in, and the new password is the one that works
    assert response.redirect_chain == [("/accounts/password/change/done/", 302)]
    assert LANGUAGES[language]["done"] in response.content.decode()
    assert client.get("/accounts/password/change/").status_code == 200
    assert signs_in(member.username, NEW_PASSWORD)
    assert not signs_in(member.username, OLD_PASSWORD)


def test_a_password_change_is_audited_without_the_secret(member, platform_org):
    signed_in(member, "en").post(
        "/accounts/password/change/",
        {"old_password": OLD_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == member and event.organization == platform_org
    assert (event.target_type, event.target_id) == ("campaigns.user", str(member.pk))
    assert OLD_PASSWORD not in str(event.metadata) and NEW_PASSWORD not in str(event.metadata)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_old_password_gives_a_translated_form_error_and_changes_nothing(member, language):
    response = signed_in(member, language).post(
        "/accounts/password/change/",
        {"old_password": "not-my-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert LANGUAGES[language]["wrong_old"] in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(OLD_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


@pytest.mark.parametrize("path", ["/accounts/password/change/", "/accounts/password/change/done/"])
def test_anonymous_users_are_sent_to_sign_in(db, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_an_anonymous_post_changes_no_password(member):
    response = Client().post(
        "/accounts/password/change/",
        {"old_password": OLD_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    member.refresh_from_db()
    assert member.check_password(OLD_PASSWORD)
