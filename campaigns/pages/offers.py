"""Offer pages of the campaign flow: create and edit an offer (course + partner voucher bundle and its cost per
redemption), and create a discount-code pool by generating codes or importing a CSV / pasted list (all or nothing,
every bad row reported with its line). Managers of the owning platform only; partners never."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, CatalogItem, CodePool, Offer, Organization
from campaigns.pages.campaigns import _campaign_or_404, _messages_from
from campaigns.services.offers import (
    MAX_CODES_PER_CALL,
    OFFER_EDITABLE_STATES,
    POOL_CLOSED_STATES,
    CodeImportRejected,
    code_pool_create_with_codes,
    codes_add,
    offer_create,
    offer_update,
)
from xmkt_site.errors import ApplicationError
from xmkt_site.pages.access import role_required
from xmkt_site.roles import Capability

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
PROBLEM_LABELS = {
    "invalid_characters": gettext_lazy("only letters, digits, - and _ are allowed"),
    "too_long": gettext_lazy("longer than 64 characters"),
    "duplicate_in_file": gettext_lazy("appears twice in the file"),
    "already_in_pool": gettext_lazy("already in this pool"),
    "too_many": gettext_lazy("more codes than one import may hold"),
}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def _control(attrs: dict | None = None) -> dict:
    return {"class": "form-control", **(attrs or {})}


class OfferForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, widget=forms.TextInput(attrs=_control()))
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"),
        queryset=CatalogItem.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Voucher partner"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    voucher_item = forms.ModelChoiceField(
        label=gettext_lazy("Voucher item (from the partner's catalogue)"),
        queryset=CatalogItem.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    voucher_value = forms.DecimalField(
        label=gettext_lazy("Voucher value (CNY)"), initial=0, widget=forms.NumberInput(attrs=_control()), **MONEY
    )
    bundle_price = forms.DecimalField(
        label=gettext_lazy("Bundle price (CNY)"), initial=0, widget=forms.NumberInput(attrs=_control()), **MONEY
    )
    unit_cost = forms.DecimalField(
        label=gettext_lazy("Cost per redemption, charged to the budget (CNY)"),
        initial=0,
        widget=forms.NumberInput(attrs=_control()),
        **MONEY,
    )

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        partners = campaign.partners.order_by("name")
        self.fields["course"].queryset = CatalogItem.objects.filter(
            organization=campaign.organization, kind=CatalogItem.Kind.COURSE, active=True
        ).order_by("title")
        self.fields["partner"].queryset = partners
        self.fields["voucher_item"].queryset = (
            CatalogItem.objects.filter(Q(organization__in=partners), active=True)
            .select_related("organization")
            .order_by("organization__name", "title")
        )
        self.fields["voucher_item"].label_from_instance = lambda item: f"{item.organization.name} · {item.title}"


class CodePoolForm(forms.Form):
    SOURCES = [("generate", gettext_lazy("Generate codes")), ("import", gettext_lazy("Import a list or CSV file"))]

    name = forms.CharField(label=gettext_lazy("Pool name"), max_length=100, widget=forms.TextInput(attrs=_control()))
    source = forms.ChoiceField(
        label=gettext_lazy("Codes"), choices=SOURCES, initial="generate", widget=forms.RadioSelect
    )
    generate = forms.IntegerField(
        label=gettext_lazy("How many codes to generate"),
        min_value=1,
        max_value=MAX_CODES_PER_CALL,
        required=False,
        widget=forms.NumberInput(attrs=_control()),
    )
    codes = forms.CharField(
        label=gettext_lazy("Paste codes, one per line"),
        required=False,
        widget=forms.Textarea(attrs=_control({"rows": 6, "spellcheck": "false"})),
    )
    codes_file = forms.FileField(
        label=gettext_lazy("Or upload a CSV / text file (first column; at most 2 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=_control({"accept": ".csv,.txt,text/csv,text/plain"})),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == "generate":
            if not data.get("generate"):
                self.add_error("generate", _("Say how many codes to generate."))
            data["text"] = ""
            return data
        upload = data.get("codes_file")
        text = data.get("codes") or ""
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("codes_file", _("The file is larger than 2 MB."))
                return data
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gb18030", errors="replace")  # spreadsheets saved on Chinese Windows
        if not text.strip():
            self.add_error("codes", _("Paste codes or choose a file."))
        data["text"] = text
        data["generate"] = 0
        return data


class CodeTopUpForm(CodePoolForm):
    """More codes for an existing pool: the same choices without a name."""

    name = None


def _detail_url(campaign: Campaign) -> str:
    return reverse("campaign-detail", args=[campaign.pk])


def _offer_or_404(campaign: Campaign, offer_id: int) -> Offer:
    offer = Offer.objects.filter(pk=offer_id, campaign=campaign).select_related("campaign").first()
    if offer is None:
        raise Http404(_("Offer not found."))
    return offer


def _offer_page(request: HttpRequest, campaign: Campaign, offer: Offer | None) -> HttpResponse:
    """The offer form, for a new offer (offer=None) or an existing one; open only before launch."""
    if campaign.status not in OFFER_EDITABLE_STATES:
        messages.error(request, _("An offer's terms are fixed once the campaign has launched."))
        return redirect("campaign-detail", pk=campaign.pk)
    initial = {field: getattr(offer, field) for field in OfferForm.base_fields} if offer else None
    form = OfferForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if offer is None:
                offer_create(campaign=campaign, by=request.user, **form.cleaned_data)
            else:
                offer_update(offer=offer, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _messages_from(request, error)
        else:
            done = _("Offer saved.") if offer else _("Offer created. Add a discount-code pool to it next.")
            messages.success(request, done)
            return redirect(f"{_detail_url(campaign)}#offers")
    return render(request, "campaigns/offers/offer_form.html", {"campaign": campaign, "form": form, "offer": offer})


@role_required(Capability.MANAGE_OFFERS, platform_only=True)
def offer_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, _campaign_or_404(request, pk, for_write=True), None)


@role_required(Capability.MANAGE_OFFERS, platform_only=True)
def offer_edit_view(request: HttpRequest, pk: int, offer_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    return _offer_page(request, campaign, _offer_or_404(campaign, offer_id))


def _codes_page(request: HttpRequest, campaign: Campaign, offer: Offer, pool: CodePool | None) -> HttpResponse:
    """A new pool (pool=None) or more codes for an existing one: generated, or a strict import whose refused rows
    are listed with their line and reason."""
    if campaign.status in POOL_CLOSED_STATES:
        messages.error(request, _("The campaign has ended: no new codes."))
        return redirect("campaign-detail", pk=campaign.pk)
    form_class = CodePoolForm if pool is None else CodeTopUpForm
    form = form_class(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        codes = {"by": request.user, "text": data["text"], "generate": data["generate"] or 0}
        try:
            if pool is None:
                _pool, result = code_pool_create_with_codes(offer=offer, name=data["name"], **codes)
            else:
                result = codes_add(pool=pool, **codes)
        except CodeImportRejected as error:
            problems = [
                {
                    "line": p.line,
                    "value": p.value,
                    "reason": PROBLEM_LABELS.get(p.reason, p.reason),
                    "first": p.first_line,
                }
                for p in error.problems
            ]
        except ApplicationError as error:
            _messages_from(request, error)
        else:
            done = _("Code pool created with %(count)s codes.") if pool is None else _("%(count)s codes added.")
            messages.success(request, done % {"count": result.added})
            return redirect(f"{_detail_url(campaign)}#offers")
    context = {
        "campaign": campaign,
        "offer": offer,
        "pool": pool,
        "form": form,
        "problems": problems[:200],
        "problem_count": len(problems),
    }
    return render(request, "campaigns/offers/code_pool_form.html", context)


@role_required(Capability.MANAGE_OFFERS, platform_only=True)
def code_pool_create_view(request: HttpRequest, pk: int, offer_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    return _codes_page(request, campaign, _offer_or_404(campaign, offer_id), None)


@role_required(Capability.MANAGE_OFFERS, platform_only=True)
def code_pool_add_view(request: HttpRequest, pk: int, pool_id: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk, for_write=True)
    pool = CodePool.objects.filter(pk=pool_id, offer__campaign=campaign).select_related("offer__campaign").first()
    if pool is None:
        raise Http404(_("Code pool not found."))
    return _codes_page(request, campaign, pool.offer, pool)
