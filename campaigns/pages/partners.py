"""Partner pages: the list, a partner's agreements, data activity and API keys."""

import csv
from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from campaigns.models import ApiScope, Organization
from campaigns.selectors.ingests import recent_ingests
from campaigns.selectors.partners import (
    PartnerFilters,
    api_key_state,
    partner_activity,
    partner_agreements,
    partner_api_key_get,
    partner_api_keys,
    partner_get,
    partner_list,
)
from campaigns.services.api_keys import api_key_create, api_key_revoke
from campaigns.services.campaigns import active_agreement
from xmkt_site.errors import ApplicationError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability
from xmkt_site.spreadsheets import spreadsheet_safe

PAGE_SIZE = 20
ISSUED_SECRET_SESSION_KEY = "xmkt_issued_api_key"


@role_required(Capability.READ_PARTNERS, platform_only=True)
def partner_list_view(request: HttpRequest) -> HttpResponse:
    filters = PartnerFilters(
        query=request.GET.get("q", "").strip()[:100],
        industry=request.GET.get("industry", ""),
        active=request.GET.get("active", ""),
        sort=request.GET.get("sort", "name"),
    )
    partners = partner_list(actor=request.actor, filters=filters)
    if request.GET.get("export") == "csv":
        return _partners_csv(partners)
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    export_params = request.GET.copy()
    export_params.pop("page", None)
    export_params["export"] = "csv"
    context = {
        "export_query": export_params.urlencode(),
        "page": page,
        "filters": filters,
        "industries": Organization.Industry.choices,
        "is_filtered": bool(filters.query or filters.industry or filters.active),
    }
    template = "campaigns/partners/_table.html" if request.htmx else "campaigns/partners/list.html"
    return render(request, template, context)


def _partners_csv(partners) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese names correctly)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partners.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Name"), _("Slug"), _("Industry"), _("State"), _("Active agreements"), _("Active API keys")])
    for partner in partners:
        state = (
            pgettext("organization state", "Active")
            if partner.is_active
            else pgettext("organization state", "Inactive")
        )
        writer.writerow(
            [
                spreadsheet_safe(partner.name),
                partner.slug,
                partner.get_industry_display(),
                state,
                partner.active_agreement_count,
                partner.active_key_count,
            ]
        )
    return response


@role_required(Capability.VIEW_PARTNER)
def partner_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_get(actor=request.actor, pk=pk)
    api_keys = [(key, api_key_state(key)) for key in partner_api_keys(partner=partner)]
    # What a partner sent (volumes, batches, who sent them) is shown to the partner itself and to a platform it has an
    # agreement in force with, not to every platform organization.
    shows_data_activity = not request.actor.is_platform or (
        active_agreement(platform=request.actor.organization, partner=partner, on=timezone.localdate()) is not None
    )
    context = {
        "partner": partner,
        "agreements": partner_agreements(partner=partner),
        "api_keys": api_keys,
        "can_manage_keys": _can_manage_keys(request),
        "activity": partner_activity(actor=request.actor, partner=partner),
        "shows_data_activity": shows_data_activity,
        "ingests": recent_ingests(organization=partner, limit=5) if shows_data_activity else [],
    }
    return render(request, "campaigns/partners/detail.html", context)


def _can_manage_keys(request: HttpRequest) -> bool:
    return request.actor.is_platform and request.actor.can(Capability.MANAGE_API_KEYS)


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("For example: Order sync")
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Grant only what the partner's system needs."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The key stops working at the end of this day. Leave empty for no expiry."),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is not None and expires_on < timezone.localdate():
            raise forms.ValidationError(gettext_lazy("Choose today or a later day."))
        return expires_on

    def expires_at(self) -> datetime | None:
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on is None:
            return None
        return timezone.make_aware(datetime.combine(expires_on, time(23, 59, 59)))


@require_http_methods(["GET", "POST"])
@role_required(Capability.MANAGE_API_KEYS, platform_only=True)
def api_key_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    partner = partner_get(actor=request.actor, pk=pk)
    form = ApiKeyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_key_create(
                organization=partner,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                by=request.user,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            # Held in the session only until the next page shows it; that page removes it (shown exactly once).
            request.session[ISSUED_SECRET_SESSION_KEY] = {"key_id": issued.api_key.pk, "secret": issued.secret}
            return redirect("api-key-issued", pk=partner.pk, key_pk=issued.api_key.pk)
    return render(request, "campaigns/partners/api_key_form.html", {"partner": partner, "form": form})


@role_required(Capability.MANAGE_API_KEYS, platform_only=True)
def api_key_issued_view(request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
    partner = partner_get(actor=request.actor, pk=pk)
    api_key = partner_api_key_get(partner=partner, pk=key_pk)
    issued = request.session.pop(ISSUED_SECRET_SESSION_KEY, None)
    secret = issued["secret"] if issued and issued.get("key_id") == api_key.pk else None
    response = render(
        request, "campaigns/partners/api_key_issued.html", {"partner": partner, "api_key": api_key, "secret": secret}
    )
    response["Cache-Control"] = "no-store"  # the secret must not linger in the browser's cache either
    return response


@require_http_methods(["GET", "POST"])
@role_required(Capability.MANAGE_API_KEYS, platform_only=True)
def api_key_revoke_view(request: HttpRequest, pk: int, key_pk: int) -> HttpResponse:
    partner = partner_get(actor=request.actor, pk=pk)
    api_key = partner_api_key_get(partner=partner, pk=key_pk)
    if request.method == "POST":
        api_key_revoke(api_key=api_key, by=request.user)
        messages.success(request, _("API key “%(name)s” was revoked.") % {"name": api_key.name})
        return redirect("partner-detail", pk=partner.pk)
    if api_key.revoked_at is not None:
        raise Http404("Already revoked.")
    return render(request, "campaigns/partners/api_key_revoke.html", {"partner": partner, "api_key": api_key})
