from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from analytics.models import Event
from campaigns.models import (
    AuditEvent,
    ConsentRecord,
    Consumer,
    DataPurpose,
    DataSubjectRequest,
    ErasureTombstone,
    PersonalTagDeletion,
)
from campaigns.services.consent import consent_record
from campaigns.services.identity import hash_email, hash_phone, keyed_hash
from campaigns.services.privacy import (
    DSR_RESPONSE_DAYS,
    dsr_access_export,
    dsr_create,
    dsr_erase,
    dsr_reject,
    erased_contact_hashes,
    erased_refs,
    is_erased,
)
from tests.builders.privacy import text_values
from tests.factories import ConsumerFactory, EventFactory, UserFactory
from xmkt_site.errors import ApplicationError


@pytest.fixture
def person(platform):
    """A consumer with hashed contacts, a consent, events and a deleted tag."""
    consumer = ConsumerFactory(
        organization=platform,
        external_ref="learner-4711",
        phone_hash=hash_phone("+86 138-0013-8000"),
        email_hash=hash_email("Li.Hua@example.cn"),
    )
    consent_record(
        consumer=consumer, purpose=DataPurpose.PERSONALIZATION, granted=True, policy_version="2026-01", source="app"
    )
    EventFactory(organization=platform, consumer=consumer, external_id="evt-a")
    EventFactory(organization=platform, consumer=consumer, external_id="evt-b")
    PersonalTagDeletion.objects.create(consumer=consumer, kind="topic", key="parenting", deleted_at=timezone.now())
    return consumer


@pytest.mark.django_db
class TestRequests:
    def test_a_request_is_due_fifteen_days_after_it_was_received(self, platform, person):
        received = timezone.now() - timedelta(days=2)
        request = dsr_create(
            organization=platform, external_ref=person.external_ref, kind="access", received_at=received
        )
        assert request.due_at == received + timedelta(days=DSR_RESPONSE_DAYS) == received + timedelta(days=15)
        assert request.status == DataSubjectRequest.Status.RECEIVED

    def test_a_request_cannot_be_received_in_the_future(self, platform, person):
        with pytest.raises(ApplicationError):
            dsr_create(
                organization=platform,
                external_ref=person.external_ref,
                kind="access",
                received_at=timezone.now() + timedelta(days=1),
            )
        assert not DataSubjectRequest.objects.exists()

    def test_a_request_for_a_consumer_of_another_organization_is_not_found(self, partner, person):
        with pytest.raises(ApplicationError) as error:
            dsr_create(organization=partner, external_ref=person.external_ref, kind="access")
        assert error.value.status_code == 404

    def test_a_second_open_request_of_the_same_kind_is_refused(self, platform, person):
        dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        with pytest.raises(ApplicationError) as error:
            dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        assert error.value.status_code == 409

    def test_a_rejected_request_is_closed_with_its_reason_and_cannot_be_executed(self, platform, person):
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
        dsr_reject(request=request, reason="identity not verified", by=UserFactory())
        request.refresh_from_db()
        assert request.status == DataSubjectRequest.Status.REJECTED and request.completed_at is not None
        with pytest.raises(ApplicationError):
            dsr_erase(request=request)
        assert Consumer.objects.filter(pk=person.pk).exists()

    def test_every_step_is_audited_without_personal_data(self, platform, person):
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        dsr_access_export(request=request)
        events = AuditEvent.objects.filter(target_type="campaigns.datasubjectrequest", target_id=str(request.pk))
        assert {e.action for e in events} == {"dsr.create", "dsr.access_export"}
        assert person.external_ref not in str([e.metadata for e in events])


@pytest.mark.django_db
class TestAccessExport:
    def test_the_export_holds_the_record_consents_and_rows_of_every_related_model(self, platform, person):
        # given
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        # when
        export = dsr_access_export(request=request)
        # then: the consumer, consents, and rows from analytics (found through model meta, not imports)
        assert export["consumer"]["fields"]["external_ref"] == "learner-4711"
        assert export["consumer"]["fields"]["phone_hash"] == person.phone_hash
        assert [c["purpose"] for c in export["consents"]] == ["personalization"]
        assert {row["fields"]["external_id"] for row in export["related"]["analytics.event"]} == {"evt-a", "evt-b"}
        assert export["related"]["campaigns.personaltagdeletion"][0]["fields"]["key"] == "parenting"
        assert export["related"]["campaigns.consentrecord"][0]["fields"]["granted"] is True
        assert export["counts"]["analytics.event"] == 2
        request.refresh_from_db()
        assert request.status == DataSubjectRequest.Status.COMPLETED and request.export == export

    def test_every_model_pointing_at_consumers_appears_in_the_export(self, platform, person):
        """Whatever app adds a foreign key to Consumer later, a row of it shows up in the export."""
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        export = dsr_access_export(request=request)
        pointing = {
            rel.related_model._meta.label_lower
            for rel in Consumer._meta.related_objects
            if rel.related_model._base_manager.filter(**{rel.field.name: person}).exists()
        }
        assert pointing <= set(export["related"])
        assert "campaigns.datasubjectrequest" in export["related"]

    def test_the_export_leaves_out_other_consumers_rows(self, platform, person):
        EventFactory(organization=platform, external_id="someone-else")
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        export = dsr_access_export(request=request)
        assert "someone-else" not in {row["fields"]["external_id"] for row in export["related"]["analytics.event"]}


@pytest.mark.django_db
class TestErasure:
    def test_after_erasure_only_the_tombstone_knows_the_person(self, platform, person):
        # given: an earlier access export (it contains the person's data) and an erasure request
        earlier = dsr_create(organization=platform, external_ref=person.external_ref, kind="access")
        dsr_access_export(request=earlier)
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
        consumer_id = person.pk
        LogEntry.objects.create(  # a Django admin edit of the consumer, named by str(consumer)
            user=UserFactory(),
            content_type=ContentType.objects.get_for_model(Consumer),
            object_id=str(person.pk),
            object_repr=str(person),
            action_flag=CHANGE,
            change_message="[]",
        )
        secrets = {person.external_ref, keyed_hash(person.external_ref), person.phone_hash, person.email_hash}
        # when
        tombstone = dsr_erase(request=request, by=UserFactory())
        # then: no text, char or JSON field of any row of any model holds an identifier, except the tombstone
        holders = []
        for model in apps.get_models():
            if model is ErasureTombstone:
                continue
            for instance in model._base_manager.all():
                text = " ".join(text_values(instance))
                if any(secret in text for secret in secrets):
                    holders.append(f"{model._meta.label_lower}#{instance.pk}")
                for field in instance._meta.concrete_fields:
                    if field.is_relation and field.related_model is Consumer:
                        assert getattr(instance, field.attname) != consumer_id
        assert holders == []
        assert not Consumer.objects.filter(pk=consumer_id).exists()
        assert not Event.objects.filter(consumer_id=consumer_id).exists()
        assert not ConsentRecord.objects.filter(consumer_id=consumer_id).exists()
        assert tombstone.ref_hash == keyed_hash("learner-4711")
        assert (tombstone.phone_hash, tombstone.email_hash) == (person.phone_hash, person.email_hash)
        request.refresh_from_db()
        earlier.refresh_from_db()
        assert request.status == DataSubjectRequest.Status.COMPLETED and request.consumer is None
        assert earlier.export is None and earlier.consumer_ref_hash == ""

    def test_an_erased_person_is_recognised_by_reference_phone_or_email(self, platform, partner, person):
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
        dsr_erase(request=request)
        assert is_erased(organization=platform, external_ref="learner-4711")
        assert is_erased(organization=platform, phone_hash=hash_phone("13800138000"))
        assert is_erased(organization=platform, email_hash=hash_email("li.hua@example.cn"))
        assert not is_erased(organization=platform, external_ref="learner-4712")
        assert not is_erased(organization=partner, external_ref="learner-4711")
        assert not is_erased(organization=platform)

    def test_the_bulk_check_returns_exactly_the_erased_references(self, platform, person):
        dsr_erase(request=dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure"))
        refs = ["learner-4711", "learner-1", "", "learner-2"]
        assert erased_refs(organization=platform, external_refs=refs) == {"learner-4711"}
        assert erased_contact_hashes(
            organization=platform, phone_hashes=[person.phone_hash, "x"], email_hashes=["y"]
        ) == {person.phone_hash}

    def test_a_second_erasure_of_the_same_person_is_refused(self, platform, person):
        dsr_erase(request=dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure"))
        with pytest.raises(ApplicationError) as error:
            dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
        assert error.value.code == "already_erased"

    def test_erasure_is_audited_with_counts_only(self, platform, person):
        request = dsr_create(organization=platform, external_ref=person.external_ref, kind="erasure")
        dsr_erase(request=request)
        audit = AuditEvent.objects.get(action="dsr.erase")
        assert audit.metadata["per_model"]["analytics.event"] == 2
        assert audit.metadata["per_model"]["campaigns.consumer"] == 1
