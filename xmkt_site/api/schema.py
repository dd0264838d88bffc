"""OpenAPI schema helpers shared by every app's API layer."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework.views import APIView


def name_nested_serializers(namespace: dict) -> None:
    """Schema component names from the view (`CampaignCreateInput`), so nested `InputSerializer`s never collide."""
    for view in [v for v in namespace.values() if isinstance(v, type) and issubclass(v, APIView)]:
        for attribute, suffix in (("InputSerializer", "Input"), ("OutputSerializer", "Output")):
            serializer = view.__dict__.get(attribute)
            if serializer is not None:
                extend_schema_serializer(component_name=view.__name__.removesuffix("Api") + suffix)(serializer)
