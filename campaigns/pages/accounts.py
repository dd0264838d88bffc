"""Account pages: sign-in, the organization switch and the password change."""

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login  # noqa: F401
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns.services.audit import audit_record
from xmkt_site.access import ACTIVE_ORGANIZATION_SESSION_KEY, memberships_of
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

PAGE_SIZE = 20
ISSUED_SECRET_SESSION_KEY = "xmkt_issued_api_key"


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
@role_required(Capability.MANAGE_OWN_ACCOUNT)
def organization_switch(request: HttpRequest) -> HttpResponseRedirect:
    """Act for another organization the user belongs to; the choice lives in the session."""
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        organization_id = None
    membership = next((m for m in memberships_of(request.user) if m.organization_id == organization_id), None)
    if membership is None:
        raise PermissionDenied(gettext_lazy("You are not a member of that organization."))
    request.session[ACTIVE_ORGANIZATION_SESSION_KEY] = membership.organization_id
    messages.success(request, _("You now act for %(organization)s.") % {"organization": membership.organization.name})
    # The page we came from may not be open to the new role, so always land on the dashboard.
    return redirect("dashboard")


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The current password is checked through authenticate() with the request, so django-axes counts wrong guesses
    here as it does on the sign-in page (check_password alone would let a borrowed session guess without limit)."""

    def __init__(self, user, *args, request: HttpRequest, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) is None:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new one twice, the password validators; other sessions of the user
    are signed out, this one stays), audited. The audit event names the user, never the password. Wrong current
    passwords count towards the sign-in lockout; once locked, the session is signed out."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password-change-done")
    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form) -> HttpResponse:
        credentials = {"username": self.request.user.get_username()}
        if AxesProxyHandler.is_locked(self.request, credentials=credentials):
            logout(self.request)
            messages.error(
                self.request,
                _(
                    "Too many wrong passwords: you were signed out. Sign in again, or ask an administrator to unlock "
                    "your account."
                ),
            )
            return redirect("login")
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():  # no password change without its audit event
            response = super().form_valid(form)
            audit_record(
                action="user.password_change",
                user=self.request.user,
                organization=self.request.actor.organization,
                target=self.request.user,
            )
        return response


# Every signed-in member may change their own password: role_required sends anonymous callers to sign in, like every
# other page, and gives the view the actor whose organization the audit event names.
password_change_view = role_required(Capability.MANAGE_OWN_ACCOUNT)(PasswordChangeView.as_view())
password_change_done_view = role_required(Capability.MANAGE_OWN_ACCOUNT)(
    auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html")
)
