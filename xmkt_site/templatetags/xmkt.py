"""Formatting the UI spec asks for: ¥12,345.00, 1.2万 / 12,345, 2026-11-28 14:05, coloured status tags."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from xmkt_site.stored_messages import translated_stored_message

register = template.Library()

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JP¥"}

# Status value -> Bootstrap colour. Grey drafts, blue reviews, green running/healthy, orange paused, red failures.
STATUS_COLOURS = {
    "draft": "secondary",
    "queued": "secondary",
    "in_review": "primary",
    "approved": "primary",
    "scheduled": "info",
    "running": "success",
    "active": "success",
    "succeeded": "success",
    "granted": "success",
    "champion": "success",  # the model version serving the API; candidates stay grey
    "completed": "dark",
    "paused": "warning",
    "suspended": "warning",
    "expiring": "warning",
    "expired": "secondary",
    "failed": "danger",
    "revoked": "danger",
    "terminated": "danger",
    "cancelled": "secondary",
    "inactive": "secondary",
}


# What the Jobs page calls each background task; a task not listed shows its Celery name.
TASK_LABELS = {
    "analytics.tasks.rollup.rollup_events": gettext_lazy("Daily event rollup"),
    "analytics.tasks.rollup.rollup_events_all_organizations": gettext_lazy("Nightly rollup of all organizations"),
    "analytics.seed_demo": gettext_lazy("Demo data"),
    "campaigns.tasks.retention.retention_apply": gettext_lazy("Retention clean-up"),
    "analytics.tasks.overlap.overlap_query_sets_expire": gettext_lazy("Clean-room query set expiry"),
    "analytics.tasks.pipeline.build_profiles": gettext_lazy("Consumer profiles"),
    "analytics.tasks.pipeline.segment_consumers": gettext_lazy("Behavioural segments"),
    "analytics.tasks.pipeline.forecast_demand": gettext_lazy("Demand forecasts"),
    "analytics.tasks.pipeline.run_analytics_pipeline": gettext_lazy("Analytics pipeline"),
    "analytics.tasks.experiments.campaigns_reweight": gettext_lazy("Bandit re-weighting"),
    "campaigns.tasks.campaigns.campaigns_start_end_due": gettext_lazy("Start and end scheduled campaigns"),
    "recommender.tasks.training.train_recommender": gettext_lazy("Recommender training"),
}


def is_chinese() -> bool:
    """Whether the reader reads Chinese (zh-hans), which picks separators, units and which name of a thing to show."""
    return (get_language() or "").lower().startswith("zh")


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value, currency: str = "CNY") -> str:
    """¥12,345.00 for CNY; other currencies keep their own symbol or code."""
    amount = _to_decimal(value)
    if amount is None:
        return "—"
    currency = (currency or "CNY").upper()
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    quantized = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    return f"{sign}{symbol}{abs(quantized):,.2f}"


@register.filter
def count(value) -> str:
    """Large counts the way readers expect: 1.2万 / 3.4亿 in Chinese, 12,345 in English."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    if is_chinese():
        for size, unit in ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万")):
            if abs(number) >= size:
                scaled = (number / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                text = f"{scaled:f}".rstrip("0").rstrip(".")
                return f"{text}{unit}"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


@register.filter
def decimal(value, digits: int = 2) -> str:
    """A measured value with thousands separators in both languages: 3,104.40 (floatformat's "g" groups nothing
    in zh-hans, whose locale has no thousands separator, while text built with f"{x:,.2f}" does)."""
    number = _to_decimal(value)
    if number is None:
        return "—"
    return f"{number:,.{int(digits)}f}"


@register.filter
def percent(value, digits: int = 1) -> str:
    number = _to_decimal(value)
    if number is None:
        return "—"
    return f"{number * 100:.{int(digits)}f}%"


@register.filter
def task_label(task_name: str) -> str:
    return str(TASK_LABELS.get(task_name, task_name))


@register.filter
def dt(value) -> str:
    """2026-11-28 14:05 in the site's time zone; dates alone as 2026-11-28."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


@register.filter
def duration(seconds) -> str:
    """A job's run time in words: < 1 s, 42 s, 3 min 5 s, 2 h 10 min."""
    if seconds is None:
        return "—"
    if float(seconds) < 0.5:  # would round to "0 s", which reads as "did not run"
        return _("< 1 s")
    total = int(round(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    return ngettext("%(s)d s", "%(s)d s", secs) % {"s": secs}


@register.simple_tag
def status_tag(value: str, label=None) -> str:
    """A coloured tag; the label is the translated display value (get_status_display)."""
    colour = STATUS_COLOURS.get(str(value), "secondary")
    text_class = " text-dark" if colour in {"warning", "info", "light"} else ""
    return format_html(
        '<span class="badge rounded-pill text-bg-{}{} status-tag" data-status="{}">{}</span>',
        colour,
        text_class,
        value,
        label if label is not None else value,
    )


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label) -> str:
    """A column header that sorts by `field`, flipping direction on a second click, keeping the other filters."""
    request = context["request"]
    current = request.GET.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    descending = current == field
    params["sort"] = f"-{field}" if descending else field
    arrow = " ↕"
    if current == field:
        arrow = " ▲"
    elif current == f"-{field}":
        arrow = " ▼"
    return format_html(
        '<a href="?{}" class="sort-link">{}<span class="sort-arrow" aria-hidden="true">{}</span></a>',
        params.urlencode(),
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context, page_number: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = page_number
    return "?" + params.urlencode()


def _choice_sets() -> dict:
    from campaigns.models import ApiScope, DataCategory, DataPurpose

    return {"purpose": DataPurpose, "category": DataCategory, "scope": ApiScope}


@register.filter
def choice_labels(values, kind: str) -> str:
    """A stored list of choice values (purposes, data categories, scopes) as translated labels, comma separated."""
    labels = dict(_choice_sets()[kind].choices)
    separator = "、" if is_chinese() else ", "
    return separator.join(str(labels.get(value, value)) for value in (values or []))


@register.filter
def audit_target(event) -> str:
    """An audit event's target as "<model verbose name> #<id>" ("consent record #53305", 同意记录 #53305)."""
    from django.apps import apps

    if not event.target_type:
        return "—"
    try:
        name = str(apps.get_model(event.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = event.target_type
    return f"{name} #{event.target_id}" if event.target_id else name


def _metadata_value(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_metadata_value(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key}={_metadata_value(item)}" for key, item in value.items()) or "—"
    return "—" if value is None or value == "" else str(value)


@register.filter
def metadata_pairs(metadata) -> list[tuple[str, str]]:
    """An audit event's metadata as (key, value) pairs for a key: value list instead of a Python dict."""
    if not isinstance(metadata, dict):
        return [("", str(metadata))] if metadata else []
    return [(str(key), _metadata_value(value)) for key, value in metadata.items()]


@register.simple_tag
def demo_logins_written() -> bool:
    """Whether the sign-in page may point at the demo's logins file: only when "make run" wrote it (DEMO_LOGINS_FILE,
    default var/demo-logins.txt, exists). make run runs without DEBUG, so DEBUG alone cannot tell a demo."""
    from pathlib import Path

    from django.conf import settings

    path = getattr(settings, "DEMO_LOGINS_FILE", None) or Path(settings.BASE_DIR) / "var" / "demo-logins.txt"
    return Path(path).is_file()


@register.filter
def stored_message(text: str) -> str:
    """A job's stored progress message in the reader's language (see xmkt_site.stored_messages)."""
    return translated_stored_message(text)
