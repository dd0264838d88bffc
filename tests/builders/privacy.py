"""What a row says in words, to look for personal data left behind after an erasure."""

from django.db import models


def text_values(instance: models.Model) -> list[str]:
    """The non-empty text, char and JSON fields of a row, as strings."""
    values = []
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(field, (models.CharField, models.TextField, models.JSONField)) and value:
            values.append(str(value))
    return values
