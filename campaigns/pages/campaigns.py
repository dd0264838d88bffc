"""Campaign pages: the list (filters, status tags), the create/edit flow, and the detail page with the state
actions, the review report, variants, co-branding and the audience definition."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns.models import (
    AllocationPolicy,
    AttributionModel,
    Campaign,
    CoBranding,
    Consumer,
    DataCategory,
    DataPurpose,
    Organization,
)
from campaigns.selectors.campaigns import campaign_get, campaign_list, campaign_offer_stats
from campaigns.selectors.partners import partners_visible_to
from campaigns.services.audiences import CITY_TIER_LABELS, EVENT_TYPE_LABELS, EVENT_TYPES
from campaigns.services.campaigns import (
    ACTIONS,
    campaign_apply_action,
    campaign_audience_set,
    campaign_create,
    campaign_update,
)
from campaigns.services.offers import OFFER_EDITABLE_STATES, POOL_CLOSED_STATES
from campaigns.services.review_messages import review_report_localized
from campaigns.services.variants import co_branding_set, variant_create
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

PAGE_SIZE = 25

# Which buttons a state shows, in order; each posts to campaign-action (review posts to campaign-review).
STATE_ACTIONS = {
    Campaign.Status.DRAFT: ["cancel"],
    Campaign.Status.APPROVED: ["launch", "schedule", "reopen", "cancel"],
    Campaign.Status.SCHEDULED: ["launch", "reopen", "cancel"],
    Campaign.Status.RUNNING: ["pause", "complete", "cancel"],
    Campaign.Status.PAUSED: ["resume", "complete", "cancel"],
}
ACTION_LABELS = {
    "schedule": gettext_lazy("Schedule"),
    "launch": gettext_lazy("Launch now"),
    "pause": gettext_lazy("Pause"),
    "resume": gettext_lazy("Resume"),
    "complete": gettext_lazy("Complete"),
    "cancel": gettext_lazy("Cancel campaign"),
    "reopen": gettext_lazy("Back to draft"),
}
CHECK_LABELS = {
    "partners": gettext_lazy("Partners"),
    "agreement": gettext_lazy("Data-sharing agreement"),
    "audience": gettext_lazy("Audience consent coverage"),
    "dates": gettext_lazy("Dates"),
    "budget": gettext_lazy("Budget"),
    "co_branding": gettext_lazy("Co-branding"),
    "variants": gettext_lazy("Variants"),
}


def _messages_from(request: HttpRequest, error: ApplicationError) -> None:
    details = "; ".join(f"{k}: {', '.join(v)}" for k, v in error.fields.items())
    messages.error(request, f"{error.message} {details}".strip())


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Partners"),
        queryset=Organization.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    budget = forms.DecimalField(label=gettext_lazy("Budget (CNY)"), min_value=0, max_digits=14, decimal_places=2)
    purposes = forms.MultipleChoiceField(
        label=gettext_lazy("Purposes"), choices=DataPurpose.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    data_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Data categories"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    allocation_policy = forms.ChoiceField(label=gettext_lazy("Allocation policy"), choices=AllocationPolicy.choices)
    attribution_model = forms.ChoiceField(label=gettext_lazy("Attribution model"), choices=AttributionModel.choices)
    attribution_window_days = forms.IntegerField(
        label=gettext_lazy("Attribution window (days)"), min_value=1, max_value=90, initial=7
    )
    frequency_cap = forms.IntegerField(
        label=gettext_lazy("Frequency cap (running campaigns per consumer, 0 = none)"),
        min_value=0,
        max_value=100,
        initial=0,
    )
    allowed_redirect_hosts = forms.CharField(
        label=gettext_lazy("Allowed redirect hosts (comma-separated)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Organization.objects.filter(
            kind=Organization.Kind.PARTNER, is_active=True
        ).order_by("name")

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["allowed_redirect_hosts"] = [h for h in data["allowed_redirect_hosts"].split(",") if h.strip()]
        return data


class VariantsForm(forms.Form):
    control_name = forms.CharField(label=gettext_lazy("Control variant"), max_length=200)
    treatment_name = forms.CharField(label=gettext_lazy("Treatment variant"), max_length=200)
    treatment_creative = forms.CharField(label=gettext_lazy("Treatment creative"), required=False)


class CoBrandingForm(forms.Form):
    display_name = forms.CharField(label=gettext_lazy("Display name"), max_length=200)
    logo = forms.FileField(label=gettext_lazy("Logo (PNG or JPEG, at most 512 KB)"), required=False)
    landing_copy_zh = forms.CharField(
        label=gettext_lazy("Landing copy (Chinese)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    landing_copy_en = forms.CharField(
        label=gettext_lazy("Landing copy (English)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AudienceForm(forms.Form):
    age_bands = forms.MultipleChoiceField(
        label=gettext_lazy("Age bands"),
        choices=Consumer.AgeBand.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    city_tiers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("City tiers"),
        choices=list(CITY_TIER_LABELS.items()),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Did at least once"),
        choices=[(e, EVENT_TYPE_LABELS[e]) for e in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    active_within_days = forms.IntegerField(
        label=gettext_lazy("Active within (days)"), min_value=1, max_value=730, required=False
    )
    categories = forms.CharField(label=gettext_lazy("Catalogue categories (comma-separated)"), required=False)
    segment_ids = forms.CharField(label=gettext_lazy("Segment ids (comma-separated)"), required=False)


@role_required(Capability.BROWSE_CAMPAIGNS)
def campaign_list_view(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    partner_param = request.GET.get("partner", "")
    partner = (
        partners_visible_to(actor).filter(pk=int(partner_param)).first()
        if actor.is_platform and partner_param.isascii() and partner_param.isdigit()
        else None
    )
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "status": request.GET.get("status", "") if request.GET.get("status", "") in Campaign.Status.values else "",
        "sort": request.GET.get("sort", "-created"),
        "partner": partner,
    }
    campaigns = campaign_list(
        organization=actor.organization,
        status=filters["status"],
        q=filters["q"],
        sort=filters["sort"],
        partner_id=partner.pk if partner is not None else None,
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "statuses": Campaign.Status.choices,
        "is_filtered": bool(filters["q"] or filters["status"] or partner is not None),
        "can_manage": actor.can(Capability.MANAGE_CAMPAIGNS) and actor.is_platform,
    }
    template = "campaigns/campaigns/_table.html" if request.htmx else "campaigns/campaigns/list.html"
    return render(request, template, context)


@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, initial={"purposes": [DataPurpose.MARKETING_CONTACT], "budget": 0})
    variants = VariantsForm(
        request.POST or None, initial={"control_name": _("Control"), "treatment_name": _("Treatment")}
    )
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        values = form.values()
        partners = values.pop("partners")
        try:
            campaign = campaign_create(
                organization=request.actor.organization, by=request.user, partners=partners, **values
            )
            variant_create(
                campaign=campaign,
                key="control",
                name=variants.cleaned_data["control_name"],
                is_control=True,
                by=request.user,
            )
            variant_create(
                campaign=campaign,
                key="treatment",
                name=variants.cleaned_data["treatment_name"],
                creative=variants.cleaned_data["treatment_creative"],
                by=request.user,
            )
        except ApplicationError as error:
            _messages_from(request, error)
        else:
            messages.success(
                request, _("Campaign created. Complete co-branding and the audience, then submit it for review.")
            )
            return redirect("campaign-detail", pk=campaign.pk)
    return render(request, "campaigns/campaigns/form.html", {"form": form, "variants": variants, "campaign": None})


@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    initial = {
        "name": campaign.name,
        "description": campaign.description,
        "partners": list(campaign.partners.all()),
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "budget": campaign.budget,
        "purposes": campaign.purposes,
        "data_categories": campaign.data_categories,
        "allocation_policy": campaign.allocation_policy,
        "attribution_model": campaign.attribution_model,
        "attribution_window_days": campaign.attribution_window_days,
        "frequency_cap": campaign.frequency_cap,
        "allowed_redirect_hosts": ", ".join(campaign.allowed_redirect_hosts),
    }
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        partners = values.pop("partners")
        try:
            campaign_update(campaign=campaign, by=request.user, partners=partners, **values)
        except ApplicationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaign-detail", pk=campaign.pk)
    return render(request, "campaigns/campaigns/form.html", {"form": form, "variants": None, "campaign": campaign})


def _campaign_or_404(request: HttpRequest, pk: int, *, for_write: bool = False) -> Campaign:
    try:
        return campaign_get(actor=request.actor, pk=pk, for_write=for_write)
    except NotFoundError:
        raise Http404(_("Campaign not found.")) from None


@role_required(Capability.READ_CAMPAIGNS, platform_only=True)
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    brandings = {b.partner_id: b for b in CoBranding.objects.filter(campaign=campaign)}
    partners = []
    for partner in campaign.partners.order_by("name"):
        branding = brandings.get(partner.pk)
        form = CoBrandingForm(
            initial={
                "display_name": branding.display_name if branding else partner.name,
                "landing_copy_zh": branding.landing_copy_zh if branding else "",
                "landing_copy_en": branding.landing_copy_en if branding else "",
            },
            prefix=f"p{partner.pk}",
        )
        partners.append({"partner": partner, "branding": branding, "form": form})
    rules = (campaign.audience or {}).get("rules", {})
    audience_form = AudienceForm(
        initial={
            **rules,
            "categories": ", ".join(rules.get("categories", [])),
            "segment_ids": ", ".join(str(s) for s in (campaign.audience or {}).get("segment_ids", [])),
        }
    )
    checks = [
        {**check, "label": CHECK_LABELS.get(check["key"], check["key"])}
        for check in review_report_localized(campaign.review_report)["checks"]
    ]
    can_manage = request.actor.can(Capability.MANAGE_CAMPAIGNS)
    offers, budget = campaign_offer_stats(campaign=campaign)
    context = {
        "campaign": campaign,
        "variants": list(campaign.variants.select_related("offer").order_by("position", "id")),
        "partners": partners,
        "audience_form": audience_form,
        "checks": checks,
        "review_passed": (campaign.review_report or {}).get("passed"),
        "actions": [(a, ACTION_LABELS[a]) for a in STATE_ACTIONS.get(campaign.status, [])] if can_manage else [],
        "can_manage": can_manage,
        "editable": can_manage and campaign.status == Campaign.Status.DRAFT,
        "offers": offers,
        "budget": budget,
        "can_edit_offers": can_manage and campaign.status in OFFER_EDITABLE_STATES,
        "can_add_pools": can_manage and campaign.status not in POOL_CLOSED_STATES,
    }
    return render(request, "campaigns/campaigns/detail.html", context)


@require_POST
@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    if action not in ACTIONS:
        raise Http404(_("Unknown action."))
    try:
        campaign = campaign_apply_action(campaign=campaign, action=action, by=request.user)
    except ApplicationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("The campaign is now %(status)s.") % {"status": campaign.get_status_display()})
    return redirect("campaign-detail", pk=pk)


@require_POST
@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_co_branding_view(request: HttpRequest, pk: int, partner_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    partner = campaign.partners.filter(pk=partner_id).first()
    if partner is None:
        raise Http404(_("The partner is not a party of this campaign."))
    form = CoBrandingForm(request.POST, request.FILES, prefix=f"p{partner.pk}")
    if not form.is_valid():
        messages.error(request, _("Co-branding not saved: fill in every field."))
        return redirect("campaign-detail", pk=pk)
    upload = form.cleaned_data.get("logo")
    try:
        co_branding_set(
            campaign=campaign,
            partner=partner,
            by=request.user,
            display_name=form.cleaned_data["display_name"],
            landing_copy_zh=form.cleaned_data["landing_copy_zh"],
            landing_copy_en=form.cleaned_data["landing_copy_en"],
            logo=upload.read(512 * 1024 + 1) if upload else None,
        )
    except ApplicationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Co-branding for %(partner)s saved.") % {"partner": partner.name})
    return redirect("campaign-detail", pk=pk)


@require_POST
@role_required(Capability.MANAGE_CAMPAIGNS, platform_only=True)
def campaign_audience_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    form = AudienceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Audience not saved: check the values."))
        return redirect("campaign-detail", pk=pk)
    data = form.cleaned_data
    rules = {
        "age_bands": data["age_bands"],
        "city_tiers": data["city_tiers"],
        "event_types": data["event_types"],
        "active_within_days": data["active_within_days"],
        "categories": [c.strip() for c in data["categories"].split(",") if c.strip()],
    }
    try:
        segment_ids = [int(s) for s in data["segment_ids"].split(",") if s.strip()]
        campaign_audience_set(campaign=campaign, by=request.user, segment_ids=segment_ids, rules=rules)
    except ValueError:
        messages.error(request, _("Segment ids must be numbers."))
    except ApplicationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("Audience saved."))
    return redirect("campaign-detail", pk=pk)


@role_required(Capability.BROWSE_CAMPAIGNS)
def campaign_logo_view(request: HttpRequest, pk: int, partner_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    branding = CoBranding.objects.filter(campaign=campaign, partner_id=partner_id).first()
    if branding is None or not branding.logo:
        raise Http404(_("No logo."))
    response = HttpResponse(bytes(branding.logo), content_type=branding.logo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
