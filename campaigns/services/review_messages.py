"""The review report's reasons as codes with parameters, rendered in the reader's language.

A check is stored as {"key", "passed", "code", "params", "reason", ...details}. `code` is stable (clients may branch
on it), `params` hold the values a message needs (names, counts, lists of purpose or field values), and `reason` is
the English text kept for readers of old reports. Pages and the API render `message` at read time with
`review_message`, so a zh-hans reader sees Chinese whatever language the reviewer used.
"""

from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from campaigns.models import DataCategory, DataPurpose
from xmkt_site.templatetags.xmkt import count, money  # the pages' formats: ¥12,345.00, 1.2万 / 12,000

MESSAGES = {
    "partners_missing": _("A co-branded campaign needs at least one partner."),
    "agreement_missing": _("No active data-sharing agreement with %(partner)s."),
    "agreement_incomplete": _("The agreement with %(partner)s does not cover: %(missing)s."),
    "agreement_ok": _("Agreement “%(agreement)s” with %(partner)s covers the campaign's purposes and data."),
    "audience_not_estimated": _("The audience has not been estimated."),
    "audience_no_consent": _("Nobody in the audience has marketing-contact consent."),
    "audience_ok": _(
        "%(contactable)s of %(matching)s matching consumers have marketing-contact consent (%(coverage)s); "
        "only they enter the audience."
    ),
    "dates_missing": _("Start and end dates are required."),
    "dates_past": _("The campaign would end in the past."),
    "dates_ok": _("Start and end dates are set and the end is in the future."),
    "budget_missing": _("A budget greater than zero is required."),
    "budget_ok": _("Budget %(budget)s."),
    "co_branding_incomplete": _("Co-branding for %(partner)s is missing: %(missing)s."),
    "co_branding_ok": _("Co-branding for %(partner)s is complete."),
    "variants_invalid": _("At least two variants are needed, exactly one of them the control."),
    "variants_ok": _("%(count)s variants, one control."),
}

CO_BRANDING_FIELDS = {
    "display_name": _("display name"),
    "logo": _("logo"),
    "landing_copy_zh": _("landing copy (Chinese)"),
    "landing_copy_en": _("landing copy (English)"),
}


def _is_chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def _joined(labels: list[str]) -> str:
    return ("、" if _is_chinese() else ", ").join(labels)


def _label(value: str) -> str:
    for choices in (DataPurpose, DataCategory):
        if value in choices.values:
            return str(choices(value).label)
    return str(CO_BRANDING_FIELDS.get(value, value))


def _rendered_params(params: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(params)
    for name in ("contactable", "matching", "count"):
        if name in params:
            rendered[name] = count(params[name])
    if "missing" in params:
        rendered["missing"] = _joined([_label(v) for v in params["missing"]])
    if "coverage" in params:
        rendered["coverage"] = f"{float(params['coverage']):.0%}"
    if "budget" in params:
        rendered["budget"] = money(Decimal(params["budget"]), params.get("currency", "CNY"))
    return rendered


def review_message(check: dict[str, Any]) -> str:
    """The check's reason in the active language; reports written before codes existed keep their stored text."""
    template = MESSAGES.get(check.get("code", ""))
    if template is None:
        return str(check.get("reason", ""))
    return str(template) % _rendered_params(check.get("params") or {})


def review_check(key: str, passed: bool, code: str, params: dict[str, Any] | None = None, **details: Any) -> dict:
    """One stored check: the code and parameters, plus the English reason for old readers and the audit trail."""
    params = params or {}
    check = {"key": key, "passed": bool(passed), "code": code, "params": params, **details}
    with translation.override("en"):
        check["reason"] = review_message(check)
    return check


def review_report_localized(report: dict[str, Any] | None) -> dict[str, Any]:
    """The stored report with each check's `message` in the active language (for the API and pages)."""
    report = dict(report or {})
    report["checks"] = [{**check, "message": review_message(check)} for check in report.get("checks", [])]
    return report
