"""Serializer fields shared by the API layers of every app."""

from django.conf import settings
from rest_framework import serializers

from xmkt_site.event_times import event_time_problem


class EventTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time inside the event-time window (xmkt_site.event_times); outside it is a field error."""

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        problem = event_time_problem(moment)
        if problem is not None:
            raise serializers.ValidationError(problem, code="out_of_range")
        return moment


class CappedListField(serializers.ListField):
    """A ListField whose length cap is a setting, read when validating, and checked before any element is parsed (a
    plain ListField validates every element of an oversized list first, then refuses it)."""

    def __init__(self, *, max_length_setting: str, **kwargs):
        self.max_length_setting = max_length_setting
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        limit = getattr(settings, self.max_length_setting)
        if isinstance(data, list) and len(data) > limit:
            self.fail("max_length", max_length=limit)
        return super().to_internal_value(data)
