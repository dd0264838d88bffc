"""Campaign APIs: create and edit, state actions, audience definition, variants and co-branding. One view per
operation."""

import base64
import binascii

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import (
    AllocationPolicy,
    ApiScope,
    AttributionModel,
    DataCategory,
    DataPurpose,
    Offer,
    Organization,
    Variant,
)
from campaigns.selectors.campaigns import campaign_get, campaign_list
from campaigns.services.campaigns import campaign_apply_action, campaign_audience_set, campaign_create, campaign_update
from campaigns.services.review_messages import review_report_localized
from campaigns.services.variants import co_branding_set, variant_create
from xmkt_site.access import actor_for_request
from xmkt_site.api.parsers import SafeJSONParser
from xmkt_site.api.schema import name_nested_serializers
from xmkt_site.errors import ApplicationError, NotFoundError
from xmkt_site.roles import Capability, roles_with


def _partners(actor, ids: list[int]) -> list[Organization]:
    partners = list(Organization.objects.filter(pk__in=ids, kind=Organization.Kind.PARTNER, is_active=True))
    if len(partners) != len(set(ids)):
        raise ApplicationError("Unknown partner.", fields={"partners": ["Unknown partner id."]})
    return partners


class CampaignOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    partners = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    purposes = serializers.ListField(child=serializers.CharField())
    data_categories = serializers.ListField(child=serializers.CharField())
    audience = serializers.JSONField()
    allocation_policy = serializers.CharField()
    allocation_floor = serializers.FloatField()
    frequency_cap = serializers.IntegerField()
    attribution_window_days = serializers.IntegerField()
    attribution_model = serializers.CharField()
    allowed_redirect_hosts = serializers.ListField(child=serializers.CharField())
    review_report = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()

    def get_partners(self, campaign) -> list[dict]:
        return [{"id": p.pk, "slug": p.slug, "name": p.name} for p in campaign.partners.all()]

    def get_review_report(self, campaign) -> dict:
        """Each check with its stable `code` and `params` and a `message` in the request's language."""
        return review_report_localized(campaign.review_report)

    def get_variants(self, campaign) -> list[dict]:
        return [
            {
                "id": v.pk,
                "key": v.key,
                "name": v.name,
                "is_control": v.is_control,
                "weight": v.weight,
                "channel": v.channel,
            }
            for v in campaign.variants.order_by("position", "id")
        ]


class PartnerCampaignOutputSerializer(serializers.Serializer):
    """What a partner's key sees of a campaign it is a party of: no audience, budget or review internals."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    variants = serializers.SerializerMethodField()

    def get_variants(self, campaign) -> list[dict]:
        return [{"key": v.key, "name": v.name, "is_control": v.is_control} for v in campaign.variants.all()]


class _PartnerCampaignOutputIsClosed(OpenApiSerializerExtension):
    """The partner view is documented as holding no other field. That keeps the two views of a campaign apart in the
    schema's oneOf (a platform answer would otherwise also pass as a partner one), and makes a field leaking into the
    partner view a schema violation."""

    target_class = PartnerCampaignOutputSerializer

    def map_serializer(self, auto_schema, direction):
        return {**super().map_serializer(auto_schema, direction), "additionalProperties": False}


def _campaign_for_caller(*, many: bool = False) -> PolymorphicProxySerializer:
    """The schema of `_campaign_out`: the whole campaign for the platform's callers, the partner view for a key."""
    return PolymorphicProxySerializer(
        component_name="CampaignForCaller",
        serializers=[CampaignOutputSerializer, PartnerCampaignOutputSerializer],
        resource_type_field_name=None,
        many=many,
    )


def _campaign_out(actor, campaign) -> dict:
    if actor.is_platform:
        return CampaignOutputSerializer(campaign).data
    return PartnerCampaignOutputSerializer(campaign).data


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    partners = serializers.ListField(child=serializers.IntegerField(), required=False)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    purposes = serializers.ListField(child=serializers.ChoiceField(DataPurpose.choices), required=False)
    data_categories = serializers.ListField(child=serializers.ChoiceField(DataCategory.choices), required=False)
    allocation_policy = serializers.ChoiceField(AllocationPolicy.choices, required=False)
    allocation_floor = serializers.FloatField(min_value=0.01, max_value=0.5, required=False)
    frequency_cap = serializers.IntegerField(min_value=0, max_value=100, required=False)
    attribution_window_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    attribution_model = serializers.ChoiceField(AttributionModel.choices, required=False)
    allowed_redirect_hosts = serializers.ListField(child=serializers.CharField(max_length=253), required=False)


class CampaignListApi(APIView):
    allowed_roles = roles_with(Capability.READ_CAMPAIGNS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    class FilterSerializer(serializers.Serializer):
        status = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="campaign_list", parameters=[FilterSerializer], responses=_campaign_for_caller(many=True)
    )
    def get(self, request):
        actor = actor_for_request(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        campaigns = campaign_list(organization=actor.organization, status=filters.validated_data.get("status", ""))
        return Response([_campaign_out(actor, c) for c in campaigns[:500]])


class CampaignCreateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None  # campaigns are the platform's: partners take part, they do not create them

    InputSerializer = CampaignInputSerializer
    OutputSerializer = CampaignOutputSerializer

    @extend_schema(operation_id="campaign_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        actor = actor_for_request(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partners = _partners(actor, values.pop("partners", []))
        campaign = campaign_create(organization=actor.organization, by=actor.user, partners=partners, **values)
        return Response(self.OutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    allowed_roles = roles_with(Capability.READ_CAMPAIGNS_API)
    required_scopes = (ApiScope.CAMPAIGNS_READ,)

    @extend_schema(operation_id="campaign_detail", responses=_campaign_for_caller())
    def get(self, request, pk: int):
        actor = actor_for_request(request)
        return Response(_campaign_out(actor, campaign_get(actor=actor, pk=pk)))


class CampaignUpdateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    class InputSerializer(CampaignInputSerializer):
        name = serializers.CharField(max_length=200, required=False)

    @extend_schema(operation_id="campaign_update", request=InputSerializer, responses=CampaignOutputSerializer)
    def patch(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        partners = _partners(actor, values.pop("partners")) if "partners" in values else None
        campaign = campaign_update(campaign=campaign, by=actor.user, partners=partners, **values)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignActionApi(APIView):
    """schedule, launch, pause, resume, complete, cancel, reopen. (Review: POST .../review/.)"""

    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    @extend_schema(operation_id="campaign_action", request=None, responses=CampaignOutputSerializer)
    def post(self, request, pk: int, action: str):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        campaign = campaign_apply_action(campaign=campaign, action=action, by=actor.user)
        return Response(CampaignOutputSerializer(campaign).data)


class CampaignAudienceSetApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        segment_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
        rules = serializers.DictField(required=False)

    @extend_schema(operation_id="campaign_audience_set", request=InputSerializer, responses=CampaignOutputSerializer)
    def put(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = campaign_audience_set(
            campaign=campaign,
            by=actor.user,
            segment_ids=data.validated_data.get("segment_ids", []),
            rules=data.validated_data.get("rules", {}),
        )
        return Response(CampaignOutputSerializer(campaign).data)


class VariantCreateApi(APIView):
    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None

    class InputSerializer(serializers.Serializer):
        key = serializers.SlugField(max_length=32)
        name = serializers.CharField(max_length=200)
        is_control = serializers.BooleanField(default=False)
        creative = serializers.CharField(required=False, allow_blank=True, default="")
        offer = serializers.IntegerField(required=False, allow_null=True)
        channel = serializers.ChoiceField(Variant.Channel.choices, default=Variant.Channel.WEB)
        weight = serializers.FloatField(min_value=0, max_value=1, default=0.0)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        key = serializers.CharField()
        name = serializers.CharField()
        is_control = serializers.BooleanField()
        channel = serializers.CharField()
        weight = serializers.FloatField()

    @extend_schema(operation_id="variant_create", request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request, pk: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        offer_id = values.pop("offer", None)
        offer = Offer.objects.filter(pk=offer_id, campaign=campaign).first() if offer_id else None
        if offer_id and offer is None:
            raise ApplicationError("Unknown offer.", fields={"offer": ["Not an offer of this campaign."]})
        variant = variant_create(campaign=campaign, by=actor.user, offer=offer, **values)
        return Response(self.OutputSerializer(variant).data, status=status.HTTP_201_CREATED)


class CoBrandingSetApi(APIView):
    """Per partner: display name, logo (PNG/JPEG ≤ 512 KB, as a multipart file or base64 `logo_base64`), copy."""

    allowed_roles = roles_with(Capability.MANAGE_CAMPAIGNS)
    required_scopes = None
    parser_classes = [SafeJSONParser, MultiPartParser]

    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=200, required=False)
        landing_copy_zh = serializers.CharField(required=False, allow_blank=True)
        landing_copy_en = serializers.CharField(required=False, allow_blank=True)
        logo = serializers.FileField(required=False)
        logo_base64 = serializers.CharField(required=False)

    class OutputSerializer(serializers.Serializer):
        partner = serializers.IntegerField(source="partner_id")
        display_name = serializers.CharField()
        has_logo = serializers.SerializerMethodField()
        missing = serializers.ListField(child=serializers.CharField())

        def get_has_logo(self, branding) -> bool:
            return bool(branding.logo)

    @extend_schema(operation_id="co_branding_set", request=InputSerializer, responses=OutputSerializer)
    def put(self, request, pk: int, partner_id: int):
        actor = actor_for_request(request)
        campaign = campaign_get(actor=actor, pk=pk, for_write=True)
        partner = campaign.partners.filter(pk=partner_id).first()
        if partner is None:
            raise NotFoundError("The partner is not a party of the campaign.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        logo = None
        if values.get("logo") is not None:
            upload = values.pop("logo")
            logo = upload.read(512 * 1024 + 1)
        if values.get("logo_base64"):
            try:
                logo = base64.b64decode(values.pop("logo_base64"), validate=True)
            except (binascii.Error, ValueError):
                raise ApplicationError("logo_base64 is not base64.", fields={"logo_base64": ["Invalid."]}) from None
        values.pop("logo", None)
        values.pop("logo_base64", None)
        branding = co_branding_set(campaign=campaign, partner=partner, by=actor.user, logo=logo, **values)
        return Response(self.OutputSerializer(branding).data)


name_nested_serializers(globals())
