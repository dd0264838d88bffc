"""The sign-in page mentions the demo's logins file only where "make run" wrote one."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NOTE = "var/demo-logins.txt"


def test_the_demo_logins_note_is_hidden_where_no_demo_wrote_its_logins(settings, tmp_path):
    # Given an installation without a demo logins file
    settings.DEMO_LOGINS_FILE = tmp_path / "demo-logins.txt"
    # When anyone opens the sign-in page
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    # Then it says nothing about the developer's demo
    assert 'id="demo-logins-note"' not in html and NOTE not in html


def test_the_demo_logins_note_shows_once_make_run_wrote_the_file(settings, tmp_path):
    # Given the demo wrote its logins
    logins = tmp_path / "demo-logins.txt"
    logins.write_text("manager / secret\n")
    settings.DEMO_LOGINS_FILE = logins
    # When the sign-in page is opened
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    # Then it points at the file
    assert 'id="demo-logins-note"' in html and NOTE in html
