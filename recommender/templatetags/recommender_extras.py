from django import template

register = template.Library()


@register.filter
def get_metric(metrics, name: str) -> str:
    """A metric from a ModelVersion's metric dict, four decimals; "—" when the split had nothing to measure."""
    value = (metrics or {}).get(name) if isinstance(metrics, dict) else None
    return "—" if value is None else f"{float(value):.4f}"
