"""Personal-information impact assessments (PIPL Arts. 55-56; GDPR Art. 35), generated from an agreement's or a
campaign's settings, reviewed and signed by a privacy administrator, then kept at least three years."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.error_codes import PrivacyErrorCode
from campaigns.models import (
    IMPACT_ASSESSMENT_MIN_RETENTION_YEARS,
    Campaign,
    DataCategory,
    DataPurpose,
    DataSharingAgreement,
    ImpactAssessment,
    Organization,
    User,
    add_years,
)
from campaigns.selectors.consent import consented_consumers
from campaigns.services.audit import audit_record
from xmkt_site.errors import ApplicationError, ConflictError

CONTENT_VERSION = 1
# Safeguards the platform applies to every agreement; each is a code the pages translate.
BASE_SAFEGUARDS = [
    "pseudonymous_consumers",
    "keyed_hash_identifiers",
    "separate_partner_consent",
    "aggregates_only",
    "audit_log",
    "data_subject_rights",
]


def _agreement_section(agreement: DataSharingAgreement, *, on: date) -> dict:
    consented = consented_consumers(
        organization=agreement.platform, purpose=DataPurpose.PARTNER_SHARING, recipient=agreement.partner
    ).count()
    return {
        "id": agreement.pk,
        "title": agreement.title,
        "platform": {"id": agreement.platform_id, "name": agreement.platform.name, "slug": agreement.platform.slug},
        "partner": {"id": agreement.partner_id, "name": agreement.partner.name, "slug": agreement.partner.slug},
        "status": agreement.status,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "purposes": sorted(agreement.purposes),
        "data_types": sorted(agreement.data_categories),
        "k": agreement.min_aggregate_size,
        "noise": {
            "mechanism": "opendp" if agreement.dp_epsilon_budget else None,
            "epsilon_budget": agreement.dp_epsilon_budget,
            "epsilon_spent": agreement.dp_epsilon_spent,
        },
        "retention_days": agreement.retention_days,
        "consumers_consenting_to_sharing": consented,
        "assessed_on": on.isoformat(),
    }


def _risks(sections: list[dict]) -> list[dict]:
    """Rule-based risks with their level and the mitigation the reviewer should check."""
    risks: list[dict] = []
    for section in sections:
        ref = section["id"]
        if section["k"] < 50:
            risks.append({"code": "small_cells", "level": "high" if section["k"] < 10 else "medium", "agreement": ref})
        if not section["noise"]["mechanism"]:
            risks.append({"code": "difference_attack", "level": "medium", "agreement": ref})
        if section["retention_days"] is None:
            risks.append({"code": "indefinite_retention", "level": "high", "agreement": ref})
        if DataCategory.CONTACT_HASHES in section["data_types"]:
            risks.append({"code": "reidentification", "level": "medium", "agreement": ref})
        if DataPurpose.MARKETING_CONTACT in section["purposes"]:
            risks.append({"code": "unwanted_contact", "level": "low", "agreement": ref})
        if section["status"] != DataSharingAgreement.Status.ACTIVE:
            risks.append({"code": "agreement_not_active", "level": "medium", "agreement": ref})
    return risks


def _content(*, agreements: list[DataSharingAgreement], campaign: Campaign | None, now: datetime) -> dict:
    today = timezone.localdate(now)
    sections = [_agreement_section(a, on=today) for a in agreements]
    safeguards = list(BASE_SAFEGUARDS)
    if any(s["noise"]["mechanism"] for s in sections):
        safeguards.append("differential_privacy")
    if all(s["retention_days"] is not None for s in sections) and sections:
        safeguards.append("retention_limit")
    return {
        "version": CONTENT_VERSION,
        "generated_at": now.isoformat(),
        "campaign": {"id": campaign.pk, "name": campaign.name, "status": campaign.status} if campaign else None,
        "agreements": sections,
        "purposes": sorted({p for s in sections for p in s["purposes"]}),
        "data_types": sorted({d for s in sections for d in s["data_types"]}),
        "recipients": sorted({s["partner"]["name"] for s in sections}),
        "k": min((s["k"] for s in sections), default=None),
        "noise": [{"agreement": s["id"], **s["noise"]} for s in sections],
        "retention_days": {str(s["id"]): s["retention_days"] for s in sections},
        "safeguards": safeguards,
        "risks": _risks(sections),
    }


def impact_assessment_generate(
    *,
    organization: Organization,
    agreement: DataSharingAgreement | None = None,
    campaign: Campaign | None = None,
    by: User | None = None,
) -> ImpactAssessment:
    """A draft assessment of an agreement, or of a campaign and the agreements with its partners."""
    if (agreement is None) == (campaign is None):
        raise ApplicationError(_("Assess either an agreement or a campaign."))
    now = timezone.now()
    if agreement is not None:
        if organization.pk not in (agreement.platform_id, agreement.partner_id):
            raise ApplicationError(_("Your organization is not a party to this agreement."), status_code=404)
        agreements = [agreement]
        title = _("Impact assessment: %(subject)s") % {"subject": agreement.title}
    else:
        if campaign.organization_id != organization.pk:
            raise ApplicationError(_("This campaign belongs to another organization."), status_code=404)
        agreements = list(
            DataSharingAgreement.objects.filter(
                platform=campaign.organization, partner__in=campaign.partners.all()
            ).select_related("platform", "partner")
        )
        title = _("Impact assessment: %(subject)s") % {"subject": campaign.name}
    assessment = ImpactAssessment(
        organization=organization,
        agreement=agreement,
        campaign=campaign,
        title=title[:300],
        content=_content(agreements=agreements, campaign=campaign, now=now),
        created_by=by,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(action="impact_assessment.generate", user=by, organization=organization, target=assessment)
    return assessment


def impact_assessment_sign(
    *, assessment: ImpactAssessment, by: User, retain_until: date | None = None, now: datetime | None = None
) -> ImpactAssessment:
    """Sign a reviewed draft; its content is frozen from now on and kept at least three years (PIPL Art. 56)."""
    now = now or timezone.now()
    minimum = add_years(timezone.localdate(now), IMPACT_ASSESSMENT_MIN_RETENTION_YEARS)
    if retain_until is not None and retain_until < minimum:
        raise ApplicationError(
            _("A signed impact assessment must be kept at least three years."),
            fields={"retain_until": [_("at least %(date)s") % {"date": minimum.isoformat()}]},
        )
    with transaction.atomic():
        locked = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status == ImpactAssessment.Status.SIGNED:
            raise ConflictError(_("This assessment is already signed."))
        locked.status = ImpactAssessment.Status.SIGNED
        locked.signed_by = by
        locked.signed_at = now
        locked.retain_until = retain_until or minimum
        locked.full_clean()
        locked.save()
        audit_record(
            action="impact_assessment.sign",
            user=by,
            organization=locked.organization,
            target=locked,
            metadata={"retain_until": locked.retain_until.isoformat()},
        )
    return locked


def impact_assessment_delete(*, assessment: ImpactAssessment, by: User, now: datetime | None = None) -> None:
    """Drafts may go at any time; a signed assessment only once its retention period has passed."""
    today = timezone.localdate(now or timezone.now())
    if assessment.status == ImpactAssessment.Status.SIGNED and assessment.retain_until > today:
        raise ConflictError(
            _("A signed impact assessment must be kept until %(date)s.") % {"date": assessment.retain_until},
            code=PrivacyErrorCode.RETENTION_NOT_OVER,
        )
    with transaction.atomic():
        audit_record(
            action="impact_assessment.delete",
            user=by,
            organization=assessment.organization,
            metadata={"assessment_id": assessment.pk, "status": assessment.status},
        )
        assessment.delete()
