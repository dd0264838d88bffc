"""Clean-room overlap with known sets: exact counts above k, suppression below k, the ε budget, difference queries."""

import hashlib
import hmac

import pytest

from analytics.models import OverlapMatchToken, OverlapQuery, Segment, SegmentMembership, SegmentRun
from analytics.services import overlap as overlap_service
from analytics.services.overlap import agreement_matching_key, overlap_run, overlap_tokens_mint
from campaigns.models import ApiScope, AuditEvent, Consumer, DataPurpose, DataSharingAgreement
from campaigns.services.identity import normalize_phone
from tests.factories import AgreementFactory, ConsentRecordFactory, ConsumerFactory, OrganizationFactory
from xmkt_site.errors import ApplicationError, ConflictError, PermissionDeniedError

K = 5


def phone(n: int) -> str:
    return f"+86 139-{n:04d}-{n:04d}"


def partner_token(agreement_key: bytes, raw_phone: str) -> str:
    """What the partner runs on its side (docs/clean-room.md): HMAC-SHA256 of the normalised phone under K_a."""
    return hmac.new(agreement_key, normalize_phone(raw_phone).encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def noise_free(monkeypatch):
    """Every release is noised; these tests check counting and suppression, so the draw returns the exact values
    (TestBudget runs opendp's mechanism itself)."""
    monkeypatch.setattr(overlap_service, "laplace_noise", lambda values, epsilon: list(values))


@pytest.fixture
def world(platform, partner):
    """30 platform consumers with phones 0..29; 0..24 allow sharing with the partner, 25..29 do not.
    Consumers 0..14 are women in segment 1, 15..29 men in segment 2."""
    agreement = AgreementFactory(platform=platform, partner=partner, min_aggregate_size=K, dp_epsilon_budget=1.0)
    run = SegmentRun.objects.create(organization=platform, k=2)
    segments = {
        key: Segment.objects.create(organization=platform, run=run, key=key, name_zh=f"段{key}", name_en=f"S{key}")
        for key in (1, 2)
    }
    for n in range(30):
        consumer = ConsumerFactory(
            organization=platform, gender=Consumer.Gender.FEMALE if n < 15 else Consumer.Gender.MALE
        )
        overlap_tokens_mint(agreement=agreement, consumer=consumer, phone=phone(n))
        SegmentMembership.objects.create(segment=segments[1 if n < 15 else 2], consumer=consumer)
        if n < 25:
            ConsentRecordFactory(
                consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, data_categories=["segments"]
            )
    return agreement


def upload(agreement, numbers) -> list[str]:
    key = agreement_matching_key(agreement=agreement)
    return [partner_token(key, phone(n)) for n in numbers]


class TestMatching:
    def test_only_tokens_are_stored_never_the_phone_number(self, world):
        # given the minted tokens, when we look for the raw or normalised phone, then it is nowhere
        stored = list(OverlapMatchToken.objects.values_list("token", flat=True))
        assert len(stored) == 30
        assert not any(normalize_phone(phone(0)) in token for token in stored)

    def test_tokens_of_two_agreements_for_the_same_person_differ(self, world, platform):
        # given a second agreement with another partner
        other = AgreementFactory(platform=platform, partner=OrganizationFactory())
        # then the same phone gives unlinkable tokens
        assert upload(world, [0]) != upload(other, [0])


@pytest.mark.usefixtures("noise_free")
class TestExactCounts:
    def test_the_overlap_counts_only_consumers_who_allow_sharing_with_this_partner(self, world):
        # given the partner holds phones 10..29 plus 7 strangers (20 shared, of which 10..24 consented = 15)
        tokens = upload(world, range(10, 30)) + upload(world, range(100, 107))
        # when it runs the overlap without noise
        result = overlap_run(agreement=world, hashed_identifiers=tokens)
        # then exactly the 15 consenting matches are counted: 5 in segment 1, 10 in segment 2, none without one;
        # the empty cell is withheld, and segment 1's 5 with it, or the empty cell would be 15 - 5 - 10
        assert result.overlap_size == 15
        assert result.mechanism == OverlapQuery.Mechanism.LAPLACE
        assert {(c["segment"], c["count"]) for c in result.cells} == {("1", None), ("2", 10), ("none", None)}

    def test_cells_below_k_are_suppressed_and_counted(self, world):
        # given phones 12..24: segment 1 has 12,13,14 (3 < k), segment 2 has 15..24 (10)
        result = overlap_run(agreement=world, hashed_identifiers=upload(world, range(12, 25)), breakdown="gender")
        # then the small cell is withheld and counted as suppressed
        cells = {(c["segment"], c["attribute"]): c for c in result.cells}
        assert cells[("1", "female")] == {"segment": "1", "attribute": "female", "count": None, "suppressed": True}
        # and so is segment 2's 10, or segment 1's women would be 13 - 10 = 3: every one of the 3 segments x 4
        # genders is withheld, only the total is released
        assert cells[("2", "male")]["count"] is None
        assert result.suppressed_cells == 12
        assert result.overlap_size == 13

    def test_a_total_below_k_is_suppressed_too(self, world):
        result = overlap_run(agreement=world, hashed_identifiers=upload(world, range(22, 30)))
        assert result.overlap_size is None and result.overlap_suppressed

    def test_each_query_is_audited_with_counts_only(self, world):
        overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20)))
        event = AuditEvent.objects.get(action="overlap.run")
        assert event.metadata["audience"] == 20
        assert set(event.metadata) == {"agreement", "audience", "cells", "suppressed", "epsilon"}


class TestBudget:
    def test_a_noisy_query_spends_its_epsilon_and_reports_what_remains(self, world):
        result = overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 25)), epsilon=0.4)
        world.refresh_from_db()
        assert world.dp_epsilon_spent == pytest.approx(0.4)
        assert result.epsilon_spent == pytest.approx(0.4) and result.epsilon_remaining == pytest.approx(0.6)
        assert result.mechanism == OverlapQuery.Mechanism.LAPLACE

    def test_a_query_beyond_the_budget_is_refused_and_spends_nothing(self, world):
        overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 25)), epsilon=0.8)
        with pytest.raises(ConflictError) as refused:
            overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 25)), epsilon=0.3)
        assert refused.value.code == "budget_exhausted"
        world.refresh_from_db()
        assert world.dp_epsilon_spent == pytest.approx(0.8)
        assert OverlapQuery.objects.count() == 1

    def test_noise_needs_a_budget_on_the_agreement(self, world):
        DataSharingAgreement.objects.filter(pk=world.pk).update(dp_epsilon_budget=None)
        world.refresh_from_db()
        with pytest.raises(ApplicationError):
            overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 25)), epsilon=0.1)


@pytest.mark.usefixtures("noise_free")
class TestDifferenceAttack:
    def test_an_audience_differing_by_fewer_than_k_people_is_refused(self, world):
        # given a first query over 0..19
        overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20)))
        # when the partner repeats it without person 3 (a difference of one)
        with pytest.raises(ConflictError) as refused:
            overlap_run(agreement=world, hashed_identifiers=upload(world, [n for n in range(0, 20) if n != 3]))
        # then it is refused
        assert refused.value.code == "difference_query"

    def test_an_audience_differing_by_k_or_more_is_answered(self, world):
        overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20)))
        result = overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20 + K)))
        assert result.overlap_size == 25 - 0  # 0..24 consent


class TestAgreementRules:
    def test_an_inactive_agreement_refuses(self, world):
        DataSharingAgreement.objects.filter(pk=world.pk).update(status=DataSharingAgreement.Status.SUSPENDED)
        world.refresh_from_db()
        with pytest.raises(PermissionDeniedError):
            overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20)))

    def test_an_agreement_without_partner_sharing_refuses(self, world):
        DataSharingAgreement.objects.filter(pk=world.pk).update(purposes=[DataPurpose.MARKETING_CONTACT])
        world.refresh_from_db()
        with pytest.raises(PermissionDeniedError):
            overlap_run(agreement=world, hashed_identifiers=upload(world, range(0, 20)))


@pytest.mark.usefixtures("noise_free")
class TestOverlapApi:
    def test_the_partner_key_gets_aggregates_only(self, world, partner_key_client):
        client = partner_key_client([ApiScope.OVERLAP_RUN])
        response = client.post(
            f"/api/v1/agreements/{world.pk}/overlap/",
            {"hashed_identifiers": upload(world, range(0, 20)), "breakdown": "gender"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["overlap_size"] == 20
        assert set(body) == {
            "query", "overlap_size", "overlap_suppressed", "breakdown", "cells", "suppressed_cells",
            "min_cell_size", "mechanism", "epsilon_spent", "epsilon_budget", "epsilon_remaining",
        }  # fmt: skip
        assert all(set(cell) == {"segment", "attribute", "count", "suppressed"} for cell in body["cells"])

    def test_another_partner_cannot_run_this_agreement(self, world, other_partner, partner_key_client):
        client = partner_key_client([ApiScope.OVERLAP_RUN], organization=other_partner)
        response = client.post(
            f"/api/v1/agreements/{world.pk}/overlap/", {"hashed_identifiers": upload(world, [1])}, format="json"
        )
        assert response.status_code == 404

    def test_a_key_without_the_overlap_scope_is_refused(self, world, partner_key_client):
        client = partner_key_client([ApiScope.CONSENTS_WRITE])
        response = client.post(
            f"/api/v1/agreements/{world.pk}/overlap/", {"hashed_identifiers": upload(world, [1])}, format="json"
        )
        assert response.status_code == 403

    def test_budget_exhaustion_answers_409(self, world, partner_key_client):
        client = partner_key_client([ApiScope.OVERLAP_RUN])
        url = f"/api/v1/agreements/{world.pk}/overlap/"
        body = {"hashed_identifiers": upload(world, range(0, 25)), "epsilon": 1.0}
        assert client.post(url, body, format="json").status_code == 200
        assert client.post(url, body, format="json").status_code == 409


class TestTokensFromIngestion:
    def test_consumers_sent_through_the_batch_api_become_matchable_without_storing_their_phone(
        self, platform, partner, api_client, noise_free
    ):
        # given an active sharing agreement and a platform key
        from tests.factories import issue_api_key

        agreement = AgreementFactory(platform=platform, partner=partner, min_aggregate_size=2, dp_epsilon_budget=1.0)
        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(platform, ['consumers:write'])}")
        # when three consumers with phones arrive through the batch API, two of whom allow sharing with the partner
        rows = [{"external_ref": f"learner-{n}", "phone": phone(n)} for n in range(3)]
        assert api_client.post("/api/v1/consumers/batch/", {"consumers": rows}, format="json").status_code == 200
        for consumer in Consumer.objects.filter(external_ref__in=["learner-0", "learner-1"]):
            ConsentRecordFactory(
                consumer=consumer, purpose=DataPurpose.PARTNER_SHARING, recipient=partner, data_categories=["segments"]
            )
        # then the partner's hashed list of all three matches the two who consented
        result = overlap_run(agreement=agreement, hashed_identifiers=upload(agreement, range(3)))
        assert result.overlap_size == 2
        # and the raw number is stored nowhere: the consumer holds a keyed hash, the token table only tokens
        assert OverlapMatchToken.objects.count() == 3
        stored = list(Consumer.objects.values_list("phone_hash", flat=True)) + list(
            OverlapMatchToken.objects.values_list("token", flat=True)
        )
        assert not any(normalize_phone(phone(0)) in value for value in stored)

    def test_no_tokens_are_minted_without_an_active_sharing_agreement(self, platform, api_client):
        from tests.factories import issue_api_key

        api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issue_api_key(platform, ['consumers:write'])}")
        rows = [{"external_ref": "learner-9", "phone": phone(9)}]
        assert api_client.post("/api/v1/consumers/batch/", {"consumers": rows}, format="json").status_code == 200
        assert not OverlapMatchToken.objects.exists()
