"""Audience definitions: segment ids plus rules on demographics, behaviour and catalogue activity.

The definition is stored on the campaign as JSON; `analytics.selectors.experiments.audience_consumers` resolves it
(segments and events live in analytics). Whatever the rules say, only consumers whose marketing_contact consent is in
force ever enter an audience.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

from campaigns.models import Consumer
from xmkt_site.errors import ApplicationError

# Behaviour rules name event types; campaigns cannot import analytics, so the list is repeated here (a test checks it).
EVENT_TYPES = ("view", "click", "add_to_cart", "purchase", "refund", "enroll", "complete", "rating", "share")
# Their labels, with analytics.models.EventType's msgids, for the audience form and the campaign page.
EVENT_TYPE_LABELS = {
    "view": gettext_lazy("View"),
    "click": gettext_lazy("Click"),
    "add_to_cart": gettext_lazy("Add to cart"),
    "purchase": gettext_lazy("Purchase"),
    "refund": gettext_lazy("Refund"),
    "enroll": gettext_lazy("Enrol"),
    "complete": gettext_lazy("Complete"),
    "rating": gettext_lazy("Rating"),
    "share": gettext_lazy("Share"),
}
CITY_TIER_LABELS = {tier: lazy(lambda n: gettext("Tier %(n)s city") % {"n": n}, str)(tier) for tier in range(1, 6)}

RULES: dict[str, str] = {
    # demographics
    "age_bands": "list of Consumer.AgeBand",
    "genders": "list of Consumer.Gender",
    "city_tiers": "list of 1..5",
    "cities": "list of city names",
    # behaviour: at least `min_events` events of `event_types` within `active_within_days`
    "event_types": "list of event types",
    "min_events": "integer >= 1",
    "active_within_days": "integer 1..730",
    # catalogue activity: any event on an item of these categories / kinds (within active_within_days if given)
    "categories": "list of catalogue categories",
    "item_kinds": "list of CatalogItem.Kind",
}


# The schema of the list rules: element type, longest element and most elements. Anything else (nested lists,
# objects, numbers for names) is refused with the rule's name rather than reaching the audience query.
MAX_RULE_VALUES = 500
LIST_RULES: dict[str, tuple[type, int]] = {
    "age_bands": (str, 16),
    "genders": (str, 16),
    "city_tiers": (int, 0),
    "cities": (str, 64),  # Consumer.city
    "event_types": (str, 32),
    "categories": (str, 100),  # CatalogItem.category
    "item_kinds": (str, 16),
}


def _list(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise ApplicationError(f"Audience rule {name} must be a list.", fields={f"rules.{name}": ["Must be a list."]})
    if len(value) > MAX_RULE_VALUES:
        raise ApplicationError(
            f"Audience rule {name} lists more than {MAX_RULE_VALUES} values.",
            fields={f"rules.{name}": [f"At most {MAX_RULE_VALUES} values."]},
        )
    kind, max_length = LIST_RULES[name]
    for index, element in enumerate(value):
        if kind is int:
            ok = isinstance(element, int) and not isinstance(element, bool)
        else:
            ok = isinstance(element, str) and 0 < len(element) <= max_length and "\x00" not in element
        if not ok:
            expected = "a whole number" if kind is int else f"a text of 1 to {max_length} characters"
            raise ApplicationError(
                f"Audience rule {name}: value {index} must be {expected}.",
                fields={f"rules.{name}[{index}]": [f"Must be {expected}."]},
            )
    return value


def audience_definition_clean(*, segment_ids: Iterable[int], rules: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a definition: {"segment_ids": [...], "rules": {...}} with only known, non-empty rules."""
    try:
        segments = sorted({int(s) for s in segment_ids})
    except (TypeError, ValueError):
        raise ApplicationError("Segment ids must be integers.", fields={"segment_ids": ["Must be integers."]}) from None
    if not isinstance(rules, dict):
        raise ApplicationError("Rules must be an object.", fields={"rules": ["Must be an object."]})
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ApplicationError(
            f"Unknown audience rules: {', '.join(unknown)}", fields={"rules": [f"Unknown: {', '.join(unknown)}"]}
        )
    clean: dict[str, Any] = {}
    checks = {
        "age_bands": set(Consumer.AgeBand.values),
        "genders": set(Consumer.Gender.values),
        "city_tiers": {1, 2, 3, 4, 5},
        "event_types": set(EVENT_TYPES),
        "item_kinds": {"course", "product", "listing", "service"},
    }
    for name, value in rules.items():
        if value in (None, [], ""):
            continue
        if name in ("min_events", "active_within_days"):
            limit = 730 if name == "active_within_days" else 1_000_000
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
                raise ApplicationError(
                    f"Audience rule {name} must be an integer between 1 and {limit}.",
                    fields={f"rules.{name}": ["Out of range."]},
                )
            clean[name] = value
            continue
        values = _list(value, name)
        allowed = checks.get(name)
        if allowed is not None:
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ApplicationError(
                    f"Audience rule {name} has unknown values: {bad}", fields={f"rules.{name}": ["Unknown values."]}
                )
        clean[name] = sorted(set(values), key=str)
    if "min_events" in clean and "event_types" not in clean:
        raise ApplicationError(
            "min_events needs event_types.", fields={"rules.min_events": ["Name the event types to count."]}
        )
    return {"segment_ids": segments, "rules": clean}
