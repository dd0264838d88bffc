"""The campaign page's stored audience as labelled rows. Segments belong to analytics, which campaigns cannot
import: their names come from whoever answers campaigns.signals.audience_segment_names_wanted."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, Consumer
from campaigns.services.audiences import CITY_TIER_LABELS, EVENT_TYPE_LABELS
from campaigns.signals import audience_segment_names_wanted
from xmkt_site.templatetags.xmkt import is_chinese

register = template.Library()

# What each stored audience rule is called on the campaign page (campaigns.services.audiences.RULES).
AUDIENCE_RULE_LABELS = {
    "age_bands": gettext_lazy("Age bands"),
    "genders": gettext_lazy("Genders"),
    "city_tiers": gettext_lazy("City tiers"),
    "event_types": gettext_lazy("Did at least once"),
    "min_events": gettext_lazy("At least this many of those events"),
    "item_kinds": gettext_lazy("Item kinds"),
    "active_within_days": gettext_lazy("Active within (days)"),
    "categories": gettext_lazy("Catalogue categories"),
}


def _segment_names(organization, segment_ids: list[int]) -> dict[int, str]:
    """{segment id: name in the reader's language} from the receivers; an id nobody names is missing."""
    chinese = is_chinese()
    names: dict[int, str] = {}
    for _receiver, answer in audience_segment_names_wanted.send(
        sender=Campaign, organization=organization, segment_ids=segment_ids
    ):
        for pk, (name_zh, name_en) in (answer or {}).items():
            names[pk] = (name_zh if chinese else name_en) or f"#{pk}"
    return names


@register.simple_tag
def audience_rows(audience, organization) -> list[tuple[str, str]]:
    """A campaign's stored audience as (label, value) rows: segments by name, rules with translated labels.

    Empty when the audience is everyone the purposes allow."""
    audience = audience or {}
    separator = "、" if is_chinese() else ", "
    rows: list[tuple[str, str]] = []
    segment_ids = audience.get("segment_ids") or []
    if segment_ids:
        names = _segment_names(organization, segment_ids)
        rows.append((_("Segments"), separator.join(names.get(pk, f"#{pk}") for pk in segment_ids)))
    value_labels = {
        "age_bands": dict(Consumer.AgeBand.choices),
        "genders": dict(Consumer.Gender.choices),
        "event_types": EVENT_TYPE_LABELS,
        "city_tiers": CITY_TIER_LABELS,
    }
    for key, value in (audience.get("rules") or {}).items():
        if value in (None, "", []):
            continue
        labels = value_labels.get(key, {})
        values = value if isinstance(value, list) else [value]
        shown = separator.join(str(labels.get(item, item)) for item in values)
        rows.append((str(AUDIENCE_RULE_LABELS.get(key, key)), shown))
    return rows
