"""seed_demo: deterministic, idempotent, consent-correct demo data whose tastes carry across organizations."""

import hashlib
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from analytics.models import DailyEventRollup, Event
from campaigns.models import (
    Campaign,
    CatalogItem,
    ConsentPolicy,
    ConsentRecord,
    Consumer,
    DataSharingAgreement,
    ErasureTombstone,
    Membership,
    Organization,
    Role,
)
from campaigns.services.privacy import consumer_ref_hash
from demo import catalogue as cat
from demo.model import DemoSpec, T, generate
from demo.writer import demo_logins_read, demo_seed
from xmkt_site.errors import ApplicationError

END = date(2026, 11, 20)  # a 30-day window ending here contains Double-11
SMALL = {"consumers": 200, "days": 30, "end_date": END}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at Django's default cost is most of a small seed's time; the hasher is not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def logins_file(tmp_path) -> Path:
    return tmp_path / "var" / "demo-logins.txt"


def _event_digest() -> str:
    rows = Event.objects.order_by("organization__slug", "external_id").values_list(
        "organization__slug",
        "external_id",
        "consumer__external_ref",
        "item__external_ref",
        "type",
        "quantity",
        "value",
        "rating",
        "occurred_at",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _consumer_digest() -> str:
    rows = Consumer.objects.order_by("organization__slug", "external_ref").values_list(
        "organization__slug", "external_ref", "phone_hash", "age_band", "gender", "city", "city_tier"
    )
    consents = ConsentRecord.objects.order_by("consumer__external_ref", "recorded_at", "purpose", "id").values_list(
        "consumer__external_ref", "purpose", "recipient__slug", "granted", "policy_version", "recorded_at"
    )
    return hashlib.sha256(repr((list(rows), list(consents))).encode()).hexdigest()


def _wipe_people_and_events() -> None:
    Event.objects.all().delete()
    Consumer.objects.all().delete()  # consent records cascade


def _run_command(logins_file: Path) -> StringIO:
    out = StringIO()
    args = ["--consumers", "200", "--days", "30", "--end-date", END.isoformat(), "--logins-file", str(logins_file)]
    call_command("seed_demo", *args, stdout=out, verbosity=0)
    return out


# --- what a run creates --------------------------------------------------------------------------------------------


def test_seed_demo_creates_the_platform_two_partners_catalogues_agreements_and_a_draft_campaign(db, logins_file):
    # given an empty database / when the demo is seeded at a small size
    report = demo_seed(**SMALL, logins_file=logins_file)

    # then the three organizations exist with their bilingual catalogues
    assert {o.slug: o.kind for o in Organization.objects.all()} == {
        "zhixue": "platform",
        "homely": "partner",
        "skyline": "partner",
    }
    per_org = dict(CatalogItem.objects.values_list("organization__slug").annotate(n=Count("id")))
    assert per_org == {"zhixue": 44, "homely": 60, "skyline": 16}
    assert CatalogItem.objects.filter(title__contains=" · ", price__gte=0).count() == 120
    # and each partner has one active agreement with k = 50, one of them with a privacy budget
    agreements = DataSharingAgreement.objects.filter(status="active")
    assert sorted(agreements.values_list("partner__slug", flat=True)) == ["homely", "skyline"]
    assert set(agreements.values_list("min_aggregate_size", flat=True)) == {50}
    assert agreements.filter(dp_epsilon_budget__gt=0).count() == 1
    # and a draft campaign is co-branded with the furnishing partner
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.DRAFT
    assert list(campaign.partners.values_list("slug", flat=True)) == ["homely"]
    # and every role has a member, one partner user per partner
    roles = sorted(Membership.objects.values_list("organization__slug", "role"))
    assert roles == sorted(
        [
            ("zhixue", Role.ADMIN),
            ("zhixue", Role.CAMPAIGN_MANAGER),
            ("zhixue", Role.ANALYST),
            ("zhixue", Role.PRIVACY_ADMIN),
            ("homely", Role.PARTNER_USER),
            ("skyline", Role.PARTNER_USER),
        ]
    )
    # and consumers are fewer on the partners' side, with events on all three sides
    consumers = dict(Consumer.objects.values_list("organization__slug").annotate(n=Count("id")))
    assert consumers == {"zhixue": 200, "homely": 80, "skyline": 30}
    assert report.created["events"] == Event.objects.count() > 1_000
    assert set(Event.objects.values_list("organization__slug", flat=True).distinct()) == {"zhixue", "homely", "skyline"}
    # and the dashboard's daily rollup already counts them
    assert DailyEventRollup.objects.aggregate(n=Sum("events"))["n"] == Event.objects.count()


def test_events_lie_in_the_window_and_purchases_carry_the_item_price(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)

    # then every event is on a day of the window (local time) and in the past
    zone = timezone.get_current_timezone()
    first = timezone.localtime(Event.objects.earliest("occurred_at").occurred_at, zone).date()
    last = timezone.localtime(Event.objects.latest("occurred_at").occurred_at, zone).date()
    assert END - timedelta(days=29) <= first and last <= END
    # and a purchase is worth its unit price (or the promotion price) times its quantity
    for event in Event.objects.filter(type="purchase", item__price__gt=0).select_related("item")[:200]:
        unit = event.value / event.quantity
        assert unit <= event.item.price
        assert unit >= event.item.price * 8 / 10 - 1


# --- idempotence and determinism -------------------------------------------------------------------------------------


def test_a_second_run_with_the_same_arguments_creates_nothing_and_says_so(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)
    counts = (Event.objects.count(), Consumer.objects.count(), ConsentRecord.objects.count())
    digest = _event_digest()

    # when the command runs again
    out = _run_command(logins_file)

    # then nothing was created and the output says so
    assert "nothing changed" in out.getvalue()
    assert (Event.objects.count(), Consumer.objects.count(), ConsentRecord.objects.count()) == counts
    assert _event_digest() == digest


def test_a_rerun_on_a_later_day_keeps_the_first_runs_window(db, logins_file):
    # given a demo seeded with a window ending on END
    demo_seed(**SMALL, logins_file=logins_file)
    events = Event.objects.count()

    # when it is re-run without an end date (as `make run` does on any later day)
    report = demo_seed(consumers=200, days=30, logins_file=logins_file)

    # then the recorded window is reused and nothing is added
    assert report.spec.end_date == END
    assert not report.changed_anything
    assert Event.objects.count() == events
    # and asking for another window with the same seed is refused rather than mixed in
    with pytest.raises(ApplicationError, match="window ending 2026-11-20"):
        demo_seed(consumers=200, days=30, end_date=END + timedelta(days=1), logins_file=logins_file)


def test_the_same_seed_regenerates_identical_data_and_another_seed_does_not(db, logins_file):
    # given a seeded demo and its fingerprints
    demo_seed(**SMALL, logins_file=logins_file)
    events, people = _event_digest(), _consumer_digest()

    # when its people and events are removed and the same arguments run again
    _wipe_people_and_events()
    demo_seed(**SMALL, logins_file=logins_file)

    # then the same rows come back
    assert (_event_digest(), _consumer_digest()) == (events, people)

    # and another seed gives other data
    _wipe_people_and_events()
    demo_seed(**{**SMALL, "seed": 7}, logins_file=logins_file)
    assert _event_digest() != events


def test_the_generator_is_deterministic_in_its_spec():
    spec = DemoSpec(consumers=300, days=40, end_date=END, seed=3)
    first, second = generate(spec), generate(spec)
    for slug in first.events:
        a, b = first.events[slug], second.events[slug]
        assert np.array_equal(a.timestamp, b.timestamp) and np.array_equal(a.item, b.item)
        assert np.array_equal(a.type, b.type) and np.array_equal(a.value_cents, b.value_cents)
    assert first.people.phone == second.people.phone


def test_consumers_erased_by_a_data_subject_request_are_not_recreated(db, logins_file):
    # given a seeded demo whose consumer was erased (deleted, leaving a tombstone of the keyed ref hash)
    demo_seed(**SMALL, logins_file=logins_file)
    consumer = Consumer.objects.filter(organization__slug="homely", events__isnull=False).distinct().first()
    ref, organization = consumer.external_ref, consumer.organization
    Event.objects.filter(consumer=consumer).delete()
    consumer.delete()
    ErasureTombstone.objects.create(
        organization=organization, ref_hash=consumer_ref_hash(ref), erased_at=timezone.now()
    )

    # when the demo is seeded again
    report = demo_seed(**SMALL, logins_file=logins_file)

    # then the person stays erased, with no events brought back
    assert not Consumer.objects.filter(organization=organization, external_ref=ref).exists()
    assert report.skipped_erased == 1
    assert report.created["consumers"] == 0 and report.created["events"] == 0


# --- people, identity and consent ----------------------------------------------------------------------------------


def test_people_on_two_sides_share_a_keyed_phone_hash_and_no_raw_phone_is_stored(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)

    # then some partner consumers have the same phone hash as a platform consumer (clean-room overlap can match)
    platform = set(Consumer.objects.filter(organization__slug="zhixue").values_list("phone_hash", flat=True))
    homely = set(Consumer.objects.filter(organization__slug="homely").values_list("phone_hash", flat=True))
    assert 0.2 * len(homely) <= len(platform & homely) <= 0.5 * len(homely)
    # and only 64-hex-digit keyed hashes are stored, never a number
    hashes = list(Consumer.objects.values_list("phone_hash", flat=True))
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    assert not Consumer.objects.filter(Q(phone_hash__startswith="+86") | Q(phone_hash__regex=r"^1[3-9]\d{9}$"))
    # and partners' references do not reveal the platform's numbering
    assert not (
        set(Consumer.objects.filter(organization__slug="zhixue").values_list("external_ref", flat=True))
        & set(Consumer.objects.filter(organization__slug="homely").values_list("external_ref", flat=True))
    )


def test_consent_records_obey_the_model_rules(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)
    records = list(ConsentRecord.objects.select_related("consumer", "recipient"))
    published = {(p.purpose, p.version): p.published_at for p in ConsentPolicy.objects.all()}
    agreements = list(DataSharingAgreement.objects.filter(status="active"))

    for record in records:
        # then partner sharing always names another organization as recipient, and only partner sharing does
        if record.purpose == "partner_sharing":
            assert record.recipient is not None
            assert record.recipient_id != record.consumer.organization_id
            if record.granted:
                # and a grant names the data types and falls within an active agreement between the two
                assert record.data_categories
                day = timezone.localdate(record.recorded_at)
                parties = {record.recipient_id, record.consumer.organization_id}
                assert any(
                    {a.platform_id, a.partner_id} == parties and a.valid_from <= day <= a.valid_until
                    for a in agreements
                )
        else:
            assert record.recipient is None
        # and every record names a policy version published before it, and lies in the past
        assert published[(record.purpose, record.policy_version)] <= record.recorded_at
        assert record.recorded_at <= timezone.now()


def test_the_consent_mix_is_realistic_and_changes_of_mind_are_new_records(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)
    latest: dict[tuple, bool] = {}
    history: dict[tuple, list[bool]] = {}
    for consumer_id, purpose, recipient_id, granted in ConsentRecord.objects.order_by("recorded_at", "id").values_list(
        "consumer_id", "purpose", "recipient_id", "granted"
    ):
        key = (consumer_id, purpose, recipient_id)
        latest[key] = granted
        history.setdefault(key, []).append(granted)

    def rate(purpose: str) -> float:
        values = [g for (_c, p, _r), g in latest.items() if p == purpose]
        return sum(values) / len(values)

    # then most consumers allow personalisation, fewer marketing contact, a minority sharing with each partner
    assert 0.65 <= rate("personalization") <= 0.92
    assert 0.30 <= rate("marketing_contact") <= 0.60
    assert 0.20 <= rate("partner_sharing") <= 0.50
    # and some people changed their mind, as a later record (append-only history)
    assert any(h[0] and not h[-1] for h in history.values())
    # and every consumer has a personalization record
    assert {c for (c, p, _r) in latest if p == "personalization"} == set(Consumer.objects.values_list("id", flat=True))


# --- logins --------------------------------------------------------------------------------------------------------


def test_the_logins_file_is_written_and_every_password_works(db, logins_file):
    # when the demo is seeded
    report = demo_seed(**SMALL, logins_file=logins_file)

    # then the file has one `role username password` line per demo user, readable only by its owner
    lines = logins_file.read_text().splitlines()
    assert len(lines) == 6 and all(len(line.split()) == 3 for line in lines)
    assert logins_file.stat().st_mode & 0o077 == 0
    assert {line.split()[0] for line in lines} == {r.value for r in Role}
    # and each password signs its user in
    for username, password in demo_logins_read(path=logins_file).items():
        assert authenticate(username=username, password=password) is not None
    assert [login.username for login in report.logins] == [line.split()[1] for line in lines]


def test_a_rerun_keeps_the_passwords_in_the_logins_file(db, logins_file):
    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)
    before = logins_file.read_text()

    # when it runs again
    report = demo_seed(**SMALL, logins_file=logins_file)

    # then the users keep their passwords and the file is unchanged
    assert report.passwords_reset == 0
    assert logins_file.read_text() == before


def test_a_lost_logins_file_gets_new_passwords_that_work(db, logins_file, tmp_path):
    # given a seeded demo whose logins file was lost
    demo_seed(**SMALL, logins_file=logins_file)
    old = demo_logins_read(path=logins_file)
    logins_file.unlink()

    # when it runs again
    report = demo_seed(**SMALL, logins_file=logins_file)

    # then every user got a new password, written down, and it works while the old one does not
    assert report.passwords_reset == 6
    new = demo_logins_read(path=logins_file)
    for username, password in new.items():
        assert password != old[username]
        assert authenticate(username=username, password=password) is not None
        assert authenticate(username=username, password=old[username]) is None


def test_the_command_prints_counts_and_logins(db, logins_file):
    out = _run_command(logins_file)
    text = out.getvalue()
    assert "events:" in text and "consumers: 310" in text
    for username in demo_logins_read(path=logins_file):
        assert username in text


def test_the_command_refuses_a_size_too_small_to_model(db, logins_file):
    with pytest.raises(CommandError, match="at least 10 consumers"):
        call_command("seed_demo", "--consumers", "3", "--logins-file", str(logins_file), verbosity=0)


# --- the signal later features should find -------------------------------------------------------------------------


def _storage_purchases(world, slug: str = "homely") -> np.ndarray:
    storage = np.array([item.category == "storage" for item in cat.CATALOGUES[slug]])
    events = world.events[slug]
    bought = (events.type == T["purchase"]) & storage[events.item]
    return np.bincount(events.consumer[bought], minlength=len(world.consumers[slug].person))


def test_consumers_with_a_taste_for_home_organisation_buy_more_partner_storage():
    # given the generated world at a moderate size
    world = generate(DemoSpec(consumers=1000, days=120, end_date=END, seed=11))
    homely = world.consumers["homely"]
    taste = world.people.taste[homely.person, cat.THEMES.index("organisation")]
    purchases = _storage_purchases(world)

    # then the top quarter by home-organisation taste buys storage far more often than the rest
    high = taste >= np.quantile(taste, 0.75)
    assert purchases[high].mean() > 3 * purchases[~high].mean()


def test_platform_learners_of_home_organisation_buy_more_storage_at_the_partner(db, logins_file):
    # given a seeded demo, matched across the two sides by keyed phone hash as a clean room would
    demo_seed(consumers=600, days=90, end_date=END, logins_file=logins_file)
    learners = set(
        Event.objects.filter(
            organization__slug="zhixue", type="enroll", item__category="home_organisation"
        ).values_list("consumer__phone_hash", flat=True)
    )
    platform = set(Consumer.objects.filter(organization__slug="zhixue").values_list("phone_hash", flat=True))
    storage = dict(
        Event.objects.filter(organization__slug="homely", type="purchase", item__category="storage")
        .values_list("consumer__phone_hash")
        .annotate(n=Count("id"))
    )
    shared = Consumer.objects.filter(organization__slug="homely", phone_hash__in=platform)
    learner_buys = [storage.get(c.phone_hash, 0) for c in shared if c.phone_hash in learners]
    other_buys = [storage.get(c.phone_hash, 0) for c in shared if c.phone_hash not in learners]

    # then those who studied home organisation on the platform buy more storage from the furnishing partner
    assert len(learner_buys) >= 10 and len(other_buys) >= 10
    assert np.mean(learner_buys) > 2 * np.mean(other_buys)


def test_apartment_buyers_turn_to_renovation_courses_afterwards():
    # given the generated world, and the platform enrolments of people who bought or booked at Skyline
    world = generate(DemoSpec(consumers=3000, days=180, end_date=END, seed=5))
    renovation = np.array([item.category == "renovation" for item in cat.CATALOGUES[cat.PLATFORM.slug]])
    events = world.events["zhixue"]
    first_day = (events.timestamp.min() + 8 * 3600) // 86400
    day = (events.timestamp + 8 * 3600) // 86400 - first_day
    person = world.consumers["zhixue"].person[events.consumer]
    buyer_enrolments = (events.type == T["enroll"]) & (world.home_event_day[person] < world.spec.days)
    after = day >= world.home_event_day[person]

    # then renovation takes a larger share of their enrolments after the life event than before it
    share_before = renovation[events.item[buyer_enrolments & ~after]].mean()
    share_after = renovation[events.item[buyer_enrolments & after]].mean()
    assert (buyer_enrolments & after).sum() >= 30
    assert share_after > 1.5 * share_before


def test_double_eleven_and_weekends_are_peaks_for_the_furnishing_partner():
    # given the generated world over a window containing 11 November
    world = generate(DemoSpec(consumers=1000, days=60, end_date=END, seed=2))
    events = world.events["homely"]
    local_day = (events.timestamp + 8 * 3600) // 86400
    dates = np.array([date(1970, 1, 1) + timedelta(days=int(d)) for d in np.unique(local_day)])
    purchases = np.bincount(local_day[events.type == T["purchase"]] - local_day.min(), minlength=len(dates))
    views = np.bincount(local_day[events.type == T["view"]] - local_day.min(), minlength=len(dates))

    # then 11 November has at least twice the purchases of the median day
    double11 = int(np.flatnonzero(dates == date(2026, 11, 11))[0])
    assert purchases[double11] > 2 * np.median(purchases)
    # and outside the festival, weekend days draw more visits than weekdays
    ordinary = np.array([not (date(2026, 10, 20) <= d <= date(2026, 11, 14)) for d in dates])
    weekend = np.array([d.weekday() >= 5 for d in dates])
    assert views[ordinary & weekend].mean() > 1.2 * views[ordinary & ~weekend].mean()


def test_platform_consumers_carry_clean_room_tokens_for_each_sharing_agreement(db, logins_file):
    from analytics.models import OverlapMatchToken
    from campaigns.models import DataSharingAgreement

    # given a seeded demo
    demo_seed(**SMALL, logins_file=logins_file)

    # then every platform consumer has one matching token per active agreement, and partner consumers have none
    platform_consumers = Consumer.objects.filter(organization__slug="zhixue").count()
    agreements = DataSharingAgreement.objects.filter(platform__slug="zhixue", status="active").count()
    assert agreements == 2
    assert OverlapMatchToken.objects.filter(consumer__organization__slug="zhixue").count() == platform_consumers * 2
    assert not OverlapMatchToken.objects.exclude(consumer__organization__slug="zhixue").exists()
