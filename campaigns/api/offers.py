"""Offer APIs: offers of a campaign, their code pools, and redeeming a code. One view per operation."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import (
    CatalogItem,
    Consumer,
    Offer,
)
from campaigns.selectors.campaigns import campaign_get, campaign_offer_stats, code_pool_get
from campaigns.services.offers import (
    code_pool_create,
    code_redeem,
    codes_generate,
    codes_import,
    offer_create,
    offer_update,
)
from xmkt_site.access import actor_for_request
from xmkt_site.api.schema import name_nested_serializers
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.roles import Capability, roles_with


def _offer_references(campaign, values: dict) -> dict:
    """Catalogue items and the voucher partner named by id in the input, as objects (400 naming the field if not)."""
    resolved = {}
    for key in ("course", "voucher_item"):
        if key not in values:
            continue
        item_id = values.pop(key)
        found = CatalogItem.objects.filter(pk=item_id).first() if item_id else None
        if item_id and found is None:
            raise ApplicationError("Unknown catalogue item.", fields={key: ["Unknown item."]})
        resolved[key] = found
    if "partner" in values:
        partner_id = values.pop("partner")
        partner = campaign.partners.filter(pk=partner_id).first() if partner_id else None
        if partner_id and partner is None:
            raise ApplicationError("The partner is not a party of the campaign.", fields={"partner": ["Not a party."]})
        resolved["partner"] = partner
    return resolved


class PoolStatsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pool.id")
    name = serializers.CharField(source="pool.name")
    total = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    remaining = serializers.IntegerField()


class OfferCreateApi(APIView):
    """GET: the campaign's offers with their code pools (total / redeemed / remaining) and spend against the budget.
    POST: a new offer (a course with a partner voucher, its price and cost per redemption)."""

    allowed_roles = roles_with(Capability.MANAGE_OFFERS)
    required_scopes = None

    @extend_schema_serializer(component_name="OfferListOutput")
    class ListOutputSerializer(serializers.Serializer):
        class OfferRowSerializer(serializers.Serializer):
            id = serializers.IntegerField(source="offer.id")
            name = serializers.CharField(source="offer.name")
            course = serializers.IntegerField(source="offer.course_id", allow_null=True)
            partner = serializers.IntegerField(source="offer.partner_id", allow_null=True)
            voucher_item = serializers.IntegerField(source="offer.voucher_item_id", allow_null=True)
            voucher_value = serializers.DecimalField(source="offer.voucher_value", max_digits=12, decimal_places=2)
            bundle_price = serializers.DecimalField(source="offer.bundle_price", max_digits=12, decimal_places=2)
            unit_cost = serializers.DecimalField(source="offer.unit_cost", max_digits=12, decimal_places=2)
            redeemed = serializers.IntegerField()
            spend = serializers.DecimalField(max_digits=14, decimal_places=2)
            pools = PoolStatsSerializer(many=True)

        offers = OfferRowSerializer(many=True)
        budget = serializers.DecimalField(max_digits=14, decimal_places=2)
        spent = serializers.DecimalField(max_digits=14, decimal_places=2)
        remaining = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(operation_id="offer_list", responses=ListOutputSerializer)
    def get(self, request, pk: int):
        campaign = campaign_get(actor=actor_for_request(request), pk=pk)
        offers, budget = campaign_offer_stats(campaign=campaign)
        return Response(
            self.ListOutputSerializer(
                {"offers": offers, "budget": budget.budget, "spent": budget.spent, "remaining": budget.remaining}
            ).data
        )

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        course = serializers.IntegerField(required=False, allow_null=True)
        partner = serializers.IntegerField(required=False, allow_null=True)
        voucher_item = serializers.IntegerField(required=False, allow_null=True)
        voucher_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
        bundle_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
        unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        voucher_value = serializers.DecimalField(max_digits=12, decimal_places=2)
        bundle_price = serializers.DecimalField(max_digits=12, decimal_places=2)
        unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)

    @extend_schema(operation_id="offer_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        references = _offer_references(
            campaign, {k: values.pop(k, None) for k in ("course", "voucher_item", "partner")}
        )
        offer = offer_create(campaign=campaign, by=actor.user, **references, **values)
        return Response(self.OutputSerializer(offer).data, status=status.HTTP_201_CREATED)


class OfferUpdateApi(APIView):
    """Change an offer's terms before the campaign launches (409 `offer_frozen` afterwards). Only the fields sent."""

    allowed_roles = roles_with(Capability.MANAGE_OFFERS)
    required_scopes = None

    @extend_schema_serializer(component_name="OfferUpdateInput")
    class InputSerializer(OfferCreateApi.InputSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, partial=True, **kwargs)

    @extend_schema(operation_id="offer_update", request=InputSerializer, responses=OfferCreateApi.OutputSerializer)
    def patch(self, request, pk: int, offer_id: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        offer = Offer.objects.filter(pk=offer_id, campaign=campaign).first()
        if offer is None:
            raise NotFoundError("Offer not found.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        references = _offer_references(
            campaign, {k: values.pop(k) for k in ("course", "voucher_item", "partner") if k in values}
        )
        offer = offer_update(offer=offer, by=actor.user, **references, **values)
        return Response(OfferCreateApi.OutputSerializer(offer).data)


class CodePoolCreateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_OFFERS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        codes = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
        generate = serializers.IntegerField(min_value=1, max_value=100_000, required=False)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        added = serializers.IntegerField()
        duplicates = serializers.IntegerField()

    @extend_schema(operation_id="code_pool_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk: int, offer_id: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        offer = Offer.objects.filter(pk=offer_id, campaign=campaign).first()
        if offer is None:
            raise NotFoundError("Offer not found.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pool = code_pool_create(offer=offer, name=data.validated_data["name"], by=actor.user)
        added = duplicates = 0
        if data.validated_data.get("codes"):
            result = codes_import(pool=pool, codes=data.validated_data["codes"], by=actor.user)
            added, duplicates = result.added, result.duplicates
        if data.validated_data.get("generate"):
            added += codes_generate(pool=pool, count=data.validated_data["generate"], by=actor.user).added
        return Response({"id": pool.pk, "added": added, "duplicates": duplicates}, status=status.HTTP_201_CREATED)


class CodeRedeemApi(APIView):
    """Hand one code of the pool to a consumer. Replaying the same redemption_ref returns the same code."""

    allowed_roles = roles_with(Capability.MANAGE_OFFERS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        redemption_ref = serializers.CharField(max_length=128)
        consumer = serializers.CharField(max_length=128, required=False)

    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        redeemed_at = serializers.DateTimeField()

    @extend_schema(operation_id="code_redeem", request=InputSerializer, responses=OutputSerializer)
    def post(self, request, pool_id: int):
        actor = actor_for_request(request)
        pool = code_pool_get(actor=actor, pk=pool_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consumer = None
        if data.validated_data.get("consumer"):
            consumer = Consumer.objects.filter(
                organization=actor.organization, external_ref=data.validated_data["consumer"]
            ).first()
            if consumer is None:
                raise NotFoundError("Unknown consumer.")
        code = code_redeem(pool=pool, consumer=consumer, redemption_ref=data.validated_data["redemption_ref"])
        return Response(self.OutputSerializer(code).data)


name_nested_serializers(globals())
