"""Security plumbing named in settings: the login-throttling backend and the lockout page (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes on every sign-in that comes with a request (the login page, the admin). Callers without a request
    (management commands, `authenticate()` in scripts) are not throttled: axes needs the client address."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with a translated explanation and HTTP 429."""
    form = AuthenticationForm(request)
    form.lockout_message = _(
        "Too many failed sign-in attempts for this account from your address. Try again later or ask an administrator."
    )
    form._errors = {"__all__": form.error_class([form.lockout_message])}
    return render(request, "registration/login.html", {"form": form, "next": ""}, status=429)
