"""Privacy pages for privacy administrators and administrators: overview, data-subject request queue, audit log,
impact assessments. Thin: selectors read, services write, every privileged read is audited."""

import json
from datetime import date

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from campaigns.models import DataPurpose, DataSubjectRequest, ImpactAssessment
from campaigns.selectors.consent import consent_history, consent_rates, consent_record_counts, consent_state
from campaigns.selectors.privacy import (
    assessable_agreements,
    assessable_campaigns,
    audit_action_names,
    audit_event_list,
    audit_visible_organizations,
    consumer_find,
    dsr_counts,
    dsr_get,
    dsr_is_overdue,
    dsr_list,
    impact_assessment_get,
    impact_assessment_list,
    tombstone_count,
)
from campaigns.services.audit import audit_record
from campaigns.services.impact_assessments import impact_assessment_generate, impact_assessment_sign
from campaigns.services.privacy import dsr_create, dsr_execute, dsr_reject, is_erased
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50

SAFEGUARD_LABELS = {
    "pseudonymous_consumers": gettext_lazy("Consumers are pseudonymous (external references only)"),
    "keyed_hash_identifiers": gettext_lazy("Phone numbers and e-mail addresses stored only as keyed hashes"),
    "separate_partner_consent": gettext_lazy("Separate consent per recipient partner, naming purpose and data types"),
    "aggregates_only": gettext_lazy("Partners receive aggregates only, with a minimum cell size k"),
    "audit_log": gettext_lazy("Every privileged read and write is audited"),
    "data_subject_rights": gettext_lazy("Access and erasure requests answered within 15 days"),
    "differential_privacy": gettext_lazy("Differential-privacy noise with a spent and shown budget"),
    "retention_limit": gettext_lazy("Partner-derived data deleted after the agreed retention"),
}
RISK_LABELS = {
    "small_cells": gettext_lazy("Small aggregate cells could single people out"),
    "difference_attack": gettext_lazy("Without noise, differences between queries could reveal individuals"),
    "indefinite_retention": gettext_lazy("No retention period: partner data would be kept indefinitely"),
    "reidentification": gettext_lazy("Hashed contact identifiers allow matching with the partner's records"),
    "unwanted_contact": gettext_lazy("Marketing contact may reach people who do not want it"),
    "agreement_not_active": gettext_lazy("The agreement is not active"),
}
RISK_LEVELS = {"high": gettext_lazy("High"), "medium": gettext_lazy("Medium"), "low": gettext_lazy("Low")}


def _or_404(selector, **kwargs):
    try:
        return selector(**kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _audit(request: HttpRequest, action: str, **kwargs) -> None:
    audit_record(action=action, user=request.user, organization=request.actor.organization, **kwargs)


# --- overview ----------------------------------------------------------------------------------------------------


@role_required(Capability.MANAGE_PRIVACY)
def privacy_home_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    labels = dict(DataPurpose.choices)
    rates = [{**row, "purpose_label": labels[row["purpose"]]} for row in consent_rates(organization=organization)]
    context = {
        "consent_rates": rates,
        "consent_counts": consent_record_counts(organization=organization),
        "request_counts": dsr_counts(organization=organization),
        "tombstones": tombstone_count(organization=organization),
        "assessments": impact_assessment_list(organization=organization).count(),
        "signed_assessments": impact_assessment_list(organization=organization)
        .filter(status=ImpactAssessment.Status.SIGNED)
        .count(),
    }
    return render(request, "campaigns/privacy/home.html", context)


@role_required(Capability.MANAGE_PRIVACY)
def privacy_consent_lookup_view(request: HttpRequest) -> HttpResponse:
    """One consumer's consent: the record in force per purpose and recipient, and the full history."""
    organization = request.actor.organization
    ref = request.GET.get("ref", "").strip()[:128]
    consumer = consumer_find(organization=organization, external_ref=ref)
    context = {"ref": ref, "consumer": consumer, "erased": False, "states": [], "history": []}
    if consumer is not None:
        labels = dict(DataPurpose.choices)
        context["states"] = [(state, labels[state.purpose]) for state in consent_state(consumer=consumer)]
        context["history"] = list(consent_history(consumer=consumer)[:200])
        _audit(request, "consent.history.read", metadata={"records": len(context["history"])})
    elif ref:
        context["erased"] = is_erased(organization=organization, external_ref=ref)
    return render(request, "campaigns/privacy/consent_lookup.html", context)


# --- data-subject requests ---------------------------------------------------------------------------------------


class RequestCreateForm(forms.Form):
    consumer = forms.CharField(label=gettext_lazy("Consumer reference"), max_length=128)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DataSubjectRequest.Kind.choices)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


@role_required(Capability.MANAGE_PRIVACY)
@require_http_methods(["GET", "POST"])
def privacy_request_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    form = RequestCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = dsr_create(
                organization=organization,
                external_ref=form.cleaned_data["consumer"].strip(),
                kind=form.cleaned_data["kind"],
                notes=form.cleaned_data["notes"],
                by=request.user,
            )
        except ApplicationError as exc:
            form.add_error("consumer", exc.message)
        else:
            messages.success(
                request,
                _("Request #%(id)d registered; it is due %(due)s.")
                % {"id": created.pk, "due": timezone.localtime(created.due_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("privacy-request-detail", pk=created.pk)
    status = request.GET.get("status", "open")
    if status not in ("", "open", *DataSubjectRequest.Status.values):
        status = "open"
    page = Paginator(dsr_list(organization=organization, status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [{"request": r, "overdue": dsr_is_overdue(r, now=now)} for r in page.object_list]
    _audit(request, "dsr.list.read", metadata={"count": len(rows)})
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "status": status,
        "statuses": [("open", _("Open")), *DataSubjectRequest.Status.choices, ("", _("All"))],
        "counts": dsr_counts(organization=organization, now=now),
    }
    return render(request, "campaigns/privacy/request_list.html", context, status=400 if form.errors else 200)


@role_required(Capability.MANAGE_PRIVACY)
@require_http_methods(["GET", "POST"])
def privacy_request_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _or_404(dsr_get, organization=request.actor.organization, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "execute":
                dsr_execute(request=found, by=request.user)
                messages.success(request, _("The request has been carried out."))
            elif action == "reject":
                dsr_reject(request=found, reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, _("The request has been rejected."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("privacy-request-detail", pk=found.pk)
    _audit(request, "dsr.read", target=found)
    context = {
        "item": found,
        "overdue": dsr_is_overdue(found),
        "export_counts": (found.export or {}).get("counts", {}),
    }
    return render(request, "campaigns/privacy/request_detail.html", context)


@role_required(Capability.MANAGE_PRIVACY)
def privacy_request_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _or_404(dsr_get, organization=request.actor.organization, pk=pk)
    if found.export is None:
        raise Http404(_("This request has no export."))
    _audit(request, "dsr.export.download", target=found)
    response = HttpResponse(
        json.dumps(found.export, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="access-request-{found.pk}.json"'
    return response


# --- audit log ---------------------------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=gettext_lazy("Action"), required=False, max_length=64)
    actor = forms.CharField(label=gettext_lazy("User"), required=False, max_length=150)
    organization = forms.IntegerField(label=gettext_lazy("Organization"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@role_required(Capability.MANAGE_PRIVACY)
def privacy_audit_log_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"] or "",
            "actor_username": data["actor"] or "",
            "organization_id": data["organization"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    events = audit_event_list(actor=request.actor, **filters)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    _audit(request, "audit_log.read", metadata={"count": len(page.object_list), "filtered": bool(filters)})
    context = {
        "page": page,
        "form": form,
        "organizations": audit_visible_organizations(actor=request.actor),
        "actions": audit_action_names(actor=request.actor),
        "selected_organization": (filters.get("organization_id") or ""),
    }
    template = (
        "campaigns/privacy/partials/audit_table.html"
        if getattr(request, "htmx", False)
        else "campaigns/privacy/audit_log.html"
    )
    return render(request, template, context)


# --- impact assessments ------------------------------------------------------------------------------------------


@role_required(Capability.MANAGE_PRIVACY)
@require_http_methods(["GET", "POST"])
def privacy_assessment_list_view(request: HttpRequest) -> HttpResponse:
    organization = request.actor.organization
    agreements = assessable_agreements(organization=organization)
    campaigns = assessable_campaigns(organization=organization)
    if request.method == "POST":
        agreement = agreements.filter(pk=_int(request.POST.get("agreement"))).first()
        campaign = campaigns.filter(pk=_int(request.POST.get("campaign"))).first() if agreement is None else None
        if agreement is None and campaign is None:
            messages.error(request, _("Choose an agreement or a campaign to assess."))
            return redirect("privacy-assessments")
        assessment = impact_assessment_generate(
            organization=organization, agreement=agreement, campaign=campaign, by=request.user
        )
        messages.success(request, _("A draft assessment has been generated; review it and sign it."))
        return redirect("privacy-assessment-detail", pk=assessment.pk)
    page = Paginator(impact_assessment_list(organization=organization), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "agreements": agreements, "campaigns": campaigns}
    return render(request, "campaigns/privacy/assessment_list.html", context)


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _assessment_context(assessment: ImpactAssessment) -> dict:
    content = assessment.content or {}
    return {
        "assessment": assessment,
        "content": content,
        "safeguards": [SAFEGUARD_LABELS.get(code, code) for code in content.get("safeguards", [])],
        "risks": [
            {
                "label": RISK_LABELS.get(risk["code"], risk["code"]),
                "level": risk["level"],
                "level_label": RISK_LEVELS.get(risk["level"], risk["level"]),
                "agreement": risk.get("agreement"),
            }
            for risk in content.get("risks", [])
        ],
    }


@role_required(Capability.MANAGE_PRIVACY)
@require_http_methods(["GET", "POST"])
def privacy_assessment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _or_404(impact_assessment_get, organization=request.actor.organization, pk=pk)
    if request.method == "POST":
        try:
            retain_until = (
                date.fromisoformat(request.POST["retain_until"]) if request.POST.get("retain_until") else None
            )
            impact_assessment_sign(assessment=assessment, by=request.user, retain_until=retain_until)
        except ValueError:
            messages.error(request, _("Enter the retention date as YYYY-MM-DD."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The assessment is signed and will be kept at least three years."))
        return redirect("privacy-assessment-detail", pk=assessment.pk)
    return render(request, "campaigns/privacy/assessment_detail.html", _assessment_context(assessment))


@role_required(Capability.MANAGE_PRIVACY)
def privacy_assessment_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _or_404(impact_assessment_get, organization=request.actor.organization, pk=pk)
    _audit(request, "impact_assessment.export", target=assessment)
    body = {
        "id": assessment.pk,
        "title": assessment.title,
        "status": assessment.status,
        "organization": assessment.organization.slug,
        "signed_by": assessment.signed_by.get_username() if assessment.signed_by else None,
        "signed_at": assessment.signed_at,
        "retain_until": assessment.retain_until,
        "content": assessment.content,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="impact-assessment-{assessment.pk}.json"'
    return response


@role_required(Capability.MANAGE_PRIVACY)
def privacy_assessment_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _or_404(impact_assessment_get, organization=request.actor.organization, pk=pk)
    _audit(request, "impact_assessment.export", target=assessment, metadata={"format": "html"})
    return render(request, "campaigns/privacy/assessment_print.html", _assessment_context(assessment))
