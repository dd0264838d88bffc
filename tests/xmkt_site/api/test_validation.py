import pytest
from django.http import QueryDict
from django.utils import translation
from rest_framework import serializers

from xmkt_site.api.validation import query_params_validated


class ListQuery(serializers.Serializer):
    consumer = serializers.CharField(max_length=8)
    k = serializers.IntegerField(min_value=1, max_value=50, default=10)
    region = serializers.SlugField(required=False)


def test_valid_query_gives_typed_values_and_defaults_and_leaves_out_absent_optional_fields():
    assert query_params_validated(ListQuery, QueryDict("consumer=c1")) == {"consumer": "c1", "k": 10}
    assert query_params_validated(ListQuery, QueryDict("consumer=c1&k=3&region=north")) == {
        "consumer": "c1",
        "k": 3,
        "region": "north",
    }


@pytest.mark.parametrize(
    "query", ["k=3", "consumer=c1&k=0", "consumer=c1&k=x", "consumer=toolongvalue", "consumer=c1&region=a b"]
)
def test_invalid_query_reports_the_same_errors_as_the_serializer(query):
    serializer = ListQuery(data=QueryDict(query))
    assert not serializer.is_valid()
    with pytest.raises(serializers.ValidationError) as raised:
        query_params_validated(ListQuery, QueryDict(query))
    assert raised.value.detail == serializer.errors


def test_messages_follow_the_active_language_although_the_fields_are_reused():
    with translation.override("en"), pytest.raises(serializers.ValidationError) as english:
        query_params_validated(ListQuery, QueryDict("k=3"))
    with translation.override("zh-hans"), pytest.raises(serializers.ValidationError) as chinese:
        query_params_validated(ListQuery, QueryDict("k=3"))
    assert str(english.value.detail["consumer"][0]) == "This field is required."
    assert str(chinese.value.detail["consumer"][0]) != str(english.value.detail["consumer"][0])


def test_serializers_with_validation_hooks_are_refused():
    class Hooked(ListQuery):
        def validate_consumer(self, value):
            return value

    with pytest.raises(TypeError):
        query_params_validated(Hooked, QueryDict("consumer=c1"))
