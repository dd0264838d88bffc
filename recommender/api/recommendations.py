"""Serving API: recommendations for a consumer, similar items, feedback on what was served."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import ApiScope
from recommender.models import RecommendationFeedback
from recommender.services.feedback import recommendation_feedback_record
from recommender.services.serving import NonPersonalizedReason, recommendations_serve, similar_items_serve
from xmkt_site.access import actor_for_request
from xmkt_site.api.validation import query_params_validated
from xmkt_site.roles import Capability, roles_with

MAX_K = 50


class ServedItemSerializer(serializers.Serializer):
    external_ref = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    reason = serializers.CharField()


class RecommendationListApi(APIView):
    """Top-k of a target catalogue for one consumer, from the champion's precomputed list, re-ranked by events that
    arrived since training. `personalized` is false for consumers without personalization consent and cold starts;
    `non_personalized_reason` then says which (null for a personalised list)."""

    allowed_roles = roles_with(Capability.READ_RECOMMENDATIONS)
    required_scopes = (ApiScope.RECOMMENDATIONS_READ,)

    @extend_schema_serializer(component_name="RecommendationListInput")
    class InputSerializer(serializers.Serializer):
        consumer = serializers.CharField(max_length=128)
        catalog = serializers.SlugField(max_length=64)
        k = serializers.IntegerField(min_value=1, max_value=MAX_K, default=10)
        consumer_org = serializers.SlugField(max_length=64, required=False)

    @extend_schema_serializer(component_name="RecommendationListOutput")
    class OutputSerializer(serializers.Serializer):
        recommendation_id = serializers.UUIDField()
        model_version = serializers.IntegerField(allow_null=True)
        personalized = serializers.BooleanField()
        non_personalized_reason = serializers.ChoiceField(
            choices=NonPersonalizedReason.choices,
            allow_null=True,
            required=False,
            help_text="Why the list is not personalised; null when it is.",
        )
        items = ServedItemSerializer(many=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer, operation_id="recommendations_list")
    def get(self, request):
        params = query_params_validated(self.InputSerializer, request.query_params)
        served = recommendations_serve(
            actor=actor_for_request(request),
            consumer_ref=params["consumer"],
            catalog_slug=params["catalog"],
            k=params["k"],
            consumer_org_slug=params.get("consumer_org"),
        )
        # Built by hand: on this hot path a nested serializer costs more than the queries (OutputSerializer documents).
        return Response(
            {
                "recommendation_id": served.recommendation_id,
                "model_version": served.model_version,
                "personalized": served.personalized,
                "non_personalized_reason": served.non_personalized_reason,
                "items": [
                    {"external_ref": i.external_ref, "title": i.title, "score": i.score, "reason": i.reason}
                    for i in served.items
                ],
            }
        )


class ItemSimilarListApi(APIView):
    """Items of the same catalogue most often chosen together with this one (the champion's item-item weights)."""

    allowed_roles = roles_with(Capability.READ_RECOMMENDATIONS)
    required_scopes = (ApiScope.RECOMMENDATIONS_READ,)

    @extend_schema_serializer(component_name="ItemSimilarListInput")
    class InputSerializer(serializers.Serializer):
        k = serializers.IntegerField(min_value=1, max_value=MAX_K, default=10)

    @extend_schema_serializer(component_name="ItemSimilarListOutput")
    class OutputSerializer(serializers.Serializer):
        item = serializers.CharField()
        items = ServedItemSerializer(many=True)

    @extend_schema(
        parameters=[InputSerializer, OpenApiParameter("item_id", int, OpenApiParameter.PATH)],
        responses=OutputSerializer,
        operation_id="items_similar_list",
    )
    def get(self, request, item_id: int):
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        item, similar = similar_items_serve(
            actor=actor_for_request(request), item_id=item_id, k=params.validated_data["k"]
        )
        return Response(self.OutputSerializer({"item": item.external_ref, "items": similar}).data)


class RecommendationFeedbackCreateApi(APIView):
    """Shown, clicked or converted, for an item of a served list. Repeating the same feedback is a no-op (200)."""

    allowed_roles = roles_with(Capability.READ_RECOMMENDATIONS)
    required_scopes = (ApiScope.RECOMMENDATIONS_READ,)

    @extend_schema_serializer(component_name="RecommendationFeedbackCreateInput")
    class InputSerializer(serializers.Serializer):
        item = serializers.CharField(max_length=128, help_text="external_ref of the served item")
        kind = serializers.ChoiceField(choices=RecommendationFeedback.Kind.choices)
        campaign = serializers.IntegerField(required=False, min_value=1)
        occurred_at = serializers.DateTimeField(required=False)

    @extend_schema_serializer(component_name="RecommendationFeedbackCreateOutput")
    class OutputSerializer(serializers.Serializer):
        recommendation_id = serializers.UUIDField(source="served.recommendation_id")
        item = serializers.CharField(source="item.external_ref")
        kind = serializers.CharField()
        occurred_at = serializers.DateTimeField()
        created = serializers.BooleanField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, operation_id="recommendations_feedback_create")
    def post(self, request, recommendation_id):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback, created = recommendation_feedback_record(
            actor=actor_for_request(request),
            recommendation_id=str(recommendation_id),
            item_ref=data.validated_data["item"],
            kind=data.validated_data["kind"],
            campaign_id=data.validated_data.get("campaign"),
            occurred_at=data.validated_data.get("occurred_at"),
        )
        feedback.created = created
        return Response(
            self.OutputSerializer(feedback).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
