"""Serializer fields shared by the API layers of every app."""

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
