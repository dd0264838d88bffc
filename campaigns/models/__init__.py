"""The system of record, one module per domain; `from campaigns.models import X` reaches every table."""

from .agreements import DataCategory, DataPurpose, DataSharingAgreement, DataSharingAgreementQuerySet
from .audit import AuditEvent
from .campaigns import AllocationPolicy, AttributionModel, Campaign, CoBranding, TrackingLink, Variant
from .catalogue import CatalogItem
from .consumers import ConsentPolicy, ConsentRecord, Consumer
from .experiments import AllocationChange, Assignment, Conversion, Exposure
from .jobs import TaskRun
from .offers import CodePool, DiscountCode, Offer
from .privacy import (
    IMPACT_ASSESSMENT_MIN_RETENTION_YEARS,
    DataSubjectRequest,
    ErasureTombstone,
    ImpactAssessment,
    PersonalTagDeletion,
    add_years,
)
from .tenancy import ApiScope, Membership, Organization, PartnerApiKey, Role, User

__all__ = [
    "AllocationChange",
    "AllocationPolicy",
    "ApiScope",
    "Assignment",
    "AttributionModel",
    "AuditEvent",
    "Campaign",
    "CatalogItem",
    "CoBranding",
    "CodePool",
    "ConsentPolicy",
    "ConsentRecord",
    "Consumer",
    "Conversion",
    "DataCategory",
    "DataPurpose",
    "DataSharingAgreement",
    "DataSharingAgreementQuerySet",
    "DataSubjectRequest",
    "DiscountCode",
    "ErasureTombstone",
    "Exposure",
    "IMPACT_ASSESSMENT_MIN_RETENTION_YEARS",
    "ImpactAssessment",
    "Membership",
    "Offer",
    "Organization",
    "PartnerApiKey",
    "PersonalTagDeletion",
    "Role",
    "TaskRun",
    "TrackingLink",
    "User",
    "Variant",
    "add_years",
]
