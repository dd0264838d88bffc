"""Clean-room queries a partner cannot pick apart: the difference check over matched people, complementary
suppression, noise on every partner release, and expiry of the stored query sets."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from analytics.models import OverlapQuery
from analytics.services import overlap as overlap_service
from analytics.services.overlap import agreement_matching_key, overlap_run, overlap_tokens_mint
from campaigns.models import ApiScope, Consumer, DataPurpose, DataSharingAgreement
from campaigns.services.identity import normalize_phone
from tests.factories import AgreementFactory, ConsentRecordFactory, ConsumerFactory
from xmkt_site.errors import ApplicationError, ConflictError

K = 5
MEMBERS = 110  # platform consumers 0..109, all consenting to sharing with the partner


def phone(n: int) -> str:
    return f"+86 138-{n:04d}-{n:04d}"


def tokens_for(agreement: DataSharingAgreement, numbers) -> list[str]:
    """What the partner computes on its side (docs/clean-room.md): HMAC-SHA256 of the normalised phone under K_a."""
    key = agreement_matching_key(agreement=agreement)
    return [hmac.new(key, normalize_phone(phone(n)).encode(), hashlib.sha256).hexdigest() for n in numbers]


def random_tokens(seed: str, count: int) -> list[str]:
    """Tokens that match nobody: the padding of the attack."""
    return [hashlib.sha256(f"{seed}-{n}".encode()).hexdigest() for n in range(count)]


@pytest.fixture
def noise_free(monkeypatch):
    """Replace the Laplace draw by the exact values, to check counting and suppression with hand-computed figures
    (opendp's own mechanism is checked in test_overlap.py's budget tests)."""
    monkeypatch.setattr(overlap_service, "laplace_noise", lambda values, epsilon: list(values), raising=False)


def make_members(agreement: DataSharingAgreement, numbers, *, gender: str = Consumer.Gender.FEMALE) -> None:
    for n in numbers:
        consumer = ConsumerFactory(organization=agreement.platform, gender=gender)
        overlap_tokens_mint(agreement=agreement, consumer=consumer, phone=phone(n))
        ConsentRecordFactory(
            consumer=consumer,
            purpose=DataPurpose.PARTNER_SHARING,
            recipient=agreement.partner,
            data_categories=["segments"],
        )


@pytest.fixture
def agreement(platform, partner):
    agreement = AgreementFactory(platform=platform, partner=partner, min_aggregate_size=K, dp_epsilon_budget=50.0)
    make_members(agreement, range(MEMBERS))
    return agreement


class TestPaddingAttack:
    """Base 100 + 50 random tokens, then base 100 + target + 50 other random tokens: the uploads differ by 101
    tokens, the matched sets by one person (the target) or none."""

    def test_padding_around_a_consenting_member_is_refused(self, agreement):
        base = tokens_for(agreement, range(100))
        overlap_run(agreement=agreement, hashed_identifiers=base + random_tokens("first", 50), epsilon=1.0)
        target = tokens_for(agreement, [105])  # a consenting platform member
        with pytest.raises(ConflictError) as refused:
            overlap_run(
                agreement=agreement, hashed_identifiers=base + target + random_tokens("second", 50), epsilon=1.0
            )
        assert refused.value.code == "difference_query"

    def test_padding_around_a_stranger_is_refused_the_same_way(self, agreement):
        # the refusal must not itself tell member from stranger
        base = tokens_for(agreement, range(100))
        overlap_run(agreement=agreement, hashed_identifiers=base + random_tokens("first", 50), epsilon=1.0)
        stranger = tokens_for(agreement, [900])  # nobody on the platform
        with pytest.raises(ConflictError) as refused:
            overlap_run(
                agreement=agreement, hashed_identifiers=base + stranger + random_tokens("second", 50), epsilon=1.0
            )
        assert refused.value.code == "difference_query"

    def test_removing_one_matched_person_with_a_breakdown_is_refused(self, agreement):
        overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100)), epsilon=1.0)
        with pytest.raises(ConflictError) as refused:
            overlap_run(
                agreement=agreement,
                hashed_identifiers=tokens_for(agreement, range(1, 100)) + random_tokens("pad", 40),
                breakdown="gender",
                epsilon=1.0,
            )
        assert refused.value.code == "difference_query"

    def test_a_query_matching_k_more_people_is_answered(self, agreement):
        overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100)), epsilon=1.0)
        result = overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100 + K)), epsilon=1.0)
        assert result.query.pk is not None

    def test_the_same_upload_again_is_answered(self, agreement):
        tokens = tokens_for(agreement, range(100))
        overlap_run(agreement=agreement, hashed_identifiers=tokens, epsilon=1.0)
        result = overlap_run(agreement=agreement, hashed_identifiers=list(reversed(tokens)), epsilon=1.0)
        assert result.query.pk is not None

    def test_the_same_upload_after_one_more_person_consented_is_refused(self, agreement):
        # the matched set moved by one person between two identical uploads: their answers differ by that person
        tokens = tokens_for(agreement, range(100)) + tokens_for(agreement, [700])
        overlap_run(agreement=agreement, hashed_identifiers=tokens, epsilon=1.0)
        make_members(agreement, [700])
        with pytest.raises(ConflictError):
            overlap_run(agreement=agreement, hashed_identifiers=tokens, epsilon=1.0)

    def test_a_refused_noisy_query_still_spends_its_epsilon(self, agreement):
        # the refusal is an answer too: probing with refusals is paid for
        overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100)), epsilon=1.0)
        with pytest.raises(ConflictError):
            overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(99)), epsilon=0.5)
        agreement.refresh_from_db()
        assert agreement.dp_epsilon_spent == pytest.approx(1.5)
        assert OverlapQuery.objects.count() == 1


class TestComplementarySuppression:
    @pytest.mark.parametrize(
        ("total", "cells", "k", "suppressed"),
        [
            # total 66, female 65, male 1: the male cell alone would be 66 - 65
            (66, [65, 1], 50, {0, 1}),
            # two small cells summing to 3 < k: their sum would be disclosed, so the next-smallest joins them
            (33, [1, 2, 10, 20], 5, {0, 1, 2}),
            # two suppressed cells whose sum is at least k: nothing more to hide
            (36, [3, 3, 30], 5, {0, 1}),
            # one empty cell is a suppressed cell too
            (90, [0, 40, 50], 5, {0, 1}),
            # nothing below k: everything released
            (60, [10, 20, 30], 5, set()),
        ],
    )
    def test_no_suppressed_cell_follows_from_the_total_and_its_siblings(self, total, cells, k, suppressed):
        total_suppressed, hidden = overlap_service.suppress_cells(total=total, cells=cells, k=k)
        assert not total_suppressed
        assert hidden == suppressed

    def test_a_total_below_k_hides_the_total_and_every_cell_below_k(self):
        total_suppressed, hidden = overlap_service.suppress_cells(total=4, cells=[1, 3], k=5)
        assert total_suppressed and hidden == {0, 1}

    def test_a_breakdown_with_one_small_gender_hides_its_sibling(self, platform, partner, noise_free):
        # given 65 matched women and 1 matched man under k = 50
        agreement = AgreementFactory(platform=platform, partner=partner, min_aggregate_size=50, dp_epsilon_budget=5.0)
        make_members(agreement, range(65))
        make_members(agreement, [200], gender=Consumer.Gender.MALE)
        # when the partner asks for the gender breakdown
        result = overlap_run(
            agreement=agreement, hashed_identifiers=tokens_for(agreement, [*range(65), 200]), breakdown="gender"
        )
        # then the total is released but neither gender cell, so the man's cell cannot be computed as 66 - 65
        assert result.overlap_size == 66
        cells = {cell["attribute"]: cell for cell in result.cells}
        assert cells["female"]["count"] is None and cells["male"]["count"] is None
        assert all(cell["count"] is None for cell in result.cells)

    def test_every_attribute_value_is_listed_so_an_absent_cell_says_nothing(self, agreement, noise_free):
        # given only women matched
        result = overlap_run(
            agreement=agreement, hashed_identifiers=tokens_for(agreement, range(20)), breakdown="gender"
        )
        # then the men's cell is present (suppressed), as it would be with one man in it
        attributes = {cell["attribute"] for cell in result.cells}
        assert {"female", "male", "unknown"} <= attributes


class TestNoFreeExactCounts:
    def test_a_query_without_epsilon_is_noised_and_spends_the_default(self, agreement, partner_key_client):
        client = partner_key_client([ApiScope.OVERLAP_RUN])
        response = client.post(
            f"/api/v1/agreements/{agreement.pk}/overlap/",
            {"hashed_identifiers": tokens_for(agreement, range(60))},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["mechanism"] == "laplace"
        assert body["epsilon_spent"] == pytest.approx(settings.OVERLAP_DEFAULT_EPSILON)
        agreement.refresh_from_db()
        assert agreement.dp_epsilon_spent == pytest.approx(settings.OVERLAP_DEFAULT_EPSILON)

    def test_an_agreement_without_a_budget_releases_no_exact_counts(self, agreement, partner_key_client):
        DataSharingAgreement.objects.filter(pk=agreement.pk).update(dp_epsilon_budget=None)
        client = partner_key_client([ApiScope.OVERLAP_RUN])
        response = client.post(
            f"/api/v1/agreements/{agreement.pk}/overlap/",
            {"hashed_identifiers": tokens_for(agreement, range(60))},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "no_budget"
        assert not OverlapQuery.objects.exists()

    def test_the_service_never_releases_without_noise(self, agreement):
        result = overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(60)))
        assert result.mechanism == OverlapQuery.Mechanism.LAPLACE
        assert result.epsilon_spent > 0


class TestExpiry:
    def test_query_sets_older_than_the_retention_are_cleared(self, agreement):
        old = overlap_run(agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100)), epsilon=1.0).query
        recent = overlap_run(
            agreement=agreement, hashed_identifiers=tokens_for(agreement, range(50)), epsilon=1.0
        ).query
        days = settings.OVERLAP_QUERY_RETENTION_DAYS
        OverlapQuery.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=days + 1))
        cleared = overlap_service.overlap_query_sets_expire()
        assert cleared == 1
        old.refresh_from_db()
        recent.refresh_from_db()
        assert old.matched_set == [] and old.audience_fingerprint == "" and old.sets_expired_at is not None
        assert len(recent.matched_set) == 50
        # what was released stays, as the record of what left the platform
        assert old.released

    def test_the_nightly_task_runs_the_expiry(self, agreement):
        from analytics.tasks.overlap import overlap_query_sets_expire

        query = overlap_run(
            agreement=agreement, hashed_identifiers=tokens_for(agreement, range(100)), epsilon=1.0
        ).query
        days = settings.OVERLAP_QUERY_RETENTION_DAYS
        OverlapQuery.objects.filter(pk=query.pk).update(created_at=timezone.now() - timedelta(days=days + 1))
        assert overlap_query_sets_expire.apply().get() == {"cleared": 1}
        scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert overlap_query_sets_expire.name in scheduled

    def test_stored_sets_are_salted_digests_never_consumer_ids_or_tokens(self, agreement):
        tokens = tokens_for(agreement, range(30))
        query = overlap_run(agreement=agreement, hashed_identifiers=tokens, epsilon=1.0).query
        ids = {str(pk) for pk in Consumer.objects.values_list("pk", flat=True)}
        assert len(query.matched_set) == 30
        assert not set(query.matched_set) & ids
        assert not set(query.matched_set) & set(tokens)


def test_bad_input_is_refused_before_anything_is_spent(agreement):
    with pytest.raises(ApplicationError):
        overlap_run(agreement=agreement, hashed_identifiers=[], epsilon=1.0)
    agreement.refresh_from_db()
    assert agreement.dp_epsilon_spent == 0
