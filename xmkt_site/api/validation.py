"""Query-string validation for hot read endpoints without building a serializer per request.

`Serializer(data=...)` deep-copies its declared fields on every instantiation, which costs more than the database
work of a precomputed-recommendations request. The fields themselves are stateless while validating, so they are
built once per serializer class and reused; the errors have the serializer's shape and messages (in the request's
language, since DRF's messages are lazy).
"""

import threading

from rest_framework import serializers
from rest_framework.fields import SkipField

_fields: dict[type[serializers.Serializer], dict[str, serializers.Field]] = {}
_lock = threading.Lock()


def query_params_validated(serializer_class: type[serializers.Serializer], query) -> dict:
    """The serializer's field-level validation of `query`; raises ValidationError({field: [messages]}) like is_valid.
    Only for plain input serializers: validate() and validate_<field> hooks are not run (and refused)."""
    fields = _fields.get(serializer_class)
    if fields is None:
        with _lock:
            fields = _fields.setdefault(serializer_class, _bound_fields(serializer_class))
    data, errors = {}, {}
    for name, field in fields.items():
        try:
            data[name] = field.run_validation(field.get_value(query))
        except SkipField:
            continue
        except serializers.ValidationError as exc:
            errors[name] = exc.detail
    if errors:
        raise serializers.ValidationError(errors)
    return data


def _bound_fields(serializer_class: type[serializers.Serializer]) -> dict[str, serializers.Field]:
    inherited = set(dir(serializers.Serializer))
    hooks = [name for name in dir(serializer_class) if name.startswith("validate_") and name not in inherited]
    if hooks or serializer_class.validate is not serializers.Serializer.validate:
        raise TypeError(f"{serializer_class.__name__} has validation hooks; use is_valid() instead")
    return dict(serializer_class().fields)
