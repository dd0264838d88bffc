"""Writes the demo world into the system of record, idempotently.

Every row has a key derived from the seed and size (organization slugs, usernames, catalogue refs, consumer refs and
event ids that contain `DemoSpec.run_key`), so a second run finds its rows and creates nothing. The window's last
day is remembered in the seeding TaskRun, so a re-run on a later day regenerates the same events rather than a
shifted copy. Consumers erased through a data-subject request stay erased: their tombstone keeps them out.
"""

import csv
import io
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from analytics.models import Event
from analytics.services.overlap import overlap_tokens_mint_for_contacts
from analytics.services.rollup import rollup_events
from campaigns.models import (
    Campaign,
    CatalogItem,
    ConsentPolicy,
    ConsentRecord,
    Consumer,
    DataSharingAgreement,
    Membership,
    Organization,
    Role,
    TaskRun,
    User,
)
from campaigns.services.identity import hash_phone
from campaigns.services.privacy import erased_refs
from demo import catalogue as cat
from demo.model import (
    AGE_BANDS,
    AGREEMENT_START_DAY,
    EVENT_TYPES,
    GENDERS,
    POLICY_UPDATE_DAY,
    PRE_WINDOW_SIGNUP_DAYS,
    PURPOSES,
    SHARING_CATEGORIES,
    DemoSpec,
    DemoWorld,
    generate,
)
from xmkt_site.errors import ApplicationError

SEED_TASK_NAME = "analytics.seed_demo"
BATCH_SIZE = 5_000
DEFAULT_LOGINS_FILE = Path(settings.BASE_DIR) / "var" / "demo-logins.txt"
NEW_POLICY_VERSION_SUFFIX = "-demo"

Row = TypeVar("Row")
Progress = Callable[[Iterable[Row], str, int], Iterable[Row]]


def _no_progress(rows: Iterable[Row], description: str, total: int) -> Iterable[Row]:
    return rows


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


@dataclass
class DemoSeedReport:
    spec: DemoSpec
    created: dict[str, int] = field(default_factory=dict)
    skipped_erased: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    logins_file: Path | None = None
    passwords_reset: int = 0
    organizations_with_new_events: list[Organization] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return any(self.created.values()) or self.passwords_reset > 0


def _batched(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _db_datetimes(epoch_seconds: np.ndarray) -> list[str]:
    """UTC timestamps as 'YYYY-MM-DD HH:MM:SS': what Django stores on SQLite, and read as UTC by PostgreSQL (Django
    sets the session time zone to UTC when USE_TZ is on)."""
    if len(epoch_seconds) == 0:
        return []
    text = np.datetime_as_string(np.asarray(epoch_seconds, dtype="int64").astype("datetime64[s]"), unit="s")
    return np.char.replace(text, "T", " ").tolist()


def _db_default(field: models.Field) -> Any:
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _insert_rows(model: type[models.Model], columns: dict[str, list[Any]]) -> int:
    """Insert many rows of one model as fast as the database allows: COPY on PostgreSQL, one prepared statement
    (executemany) elsewhere. The Django ORM costs ~50 µs per row here, which is most of a 250k-event seed.

    `columns` maps field attnames to values already in database form (ints, strings, None; datetimes from
    `_db_datetimes`, decimals and JSON as text). Fields not given get their default, `auto_now(_add)` fields now.
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError("all columns need the same number of rows")
    n = lengths.pop()
    if n == 0:
        return 0
    now = _db_datetimes(np.array([int(timezone.now().timestamp())]))[0]
    names, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        if model_field.attname in columns:
            column = columns[model_field.attname]
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            column = [now] * n
        elif model_field.has_default() or model_field.null:
            column = [_db_default(model_field) if model_field.has_default() else None] * n
        else:
            raise ValueError(f"{model.__name__}.{model_field.name} has no value and no default")
        names.append(model_field.column)
        values.append(column)
    rows = list(zip(*values, strict=True))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(name) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)  # None -> empty unquoted field -> NULL
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})", rows)
    return n


# --- end of the window ---------------------------------------------------------------------------------------------


def demo_end_date_resolve(*, run_key: str, requested: date | None) -> date:
    """The last local day of the window: as requested, else as recorded by an earlier run with the same key, else the
    last full day (yesterday in TIME_ZONE), so every generated event lies in the past and every day is complete."""
    previous = (
        TaskRun.objects.filter(task_name=SEED_TASK_NAME, status=TaskRun.Status.SUCCEEDED, params__run_key=run_key)
        .order_by("created_at")
        .values_list("params", flat=True)
        .first()
    )
    recorded = date.fromisoformat(previous["end_date"]) if previous else None
    if recorded is None:
        # The run record may have been cleaned up: the data itself still tells the window's last day.
        latest = Event.objects.filter(external_id__startswith=f"demo-{run_key}-").aggregate(last=Max("occurred_at"))
        if latest["last"] is not None:
            recorded = timezone.localdate(latest["last"])
    if requested is not None and recorded is not None and requested != recorded:
        raise ApplicationError(
            f"Demo data for {run_key} was generated with the window ending {recorded}; "
            f"use that end date or another seed."
        )
    return requested or recorded or timezone.localdate() - timedelta(days=1)


# --- organizations, users, logins ----------------------------------------------------------------------------------


def _organizations_ensure(report: DemoSeedReport) -> dict[str, Organization]:
    organizations = {}
    created = 0
    for spec in cat.ORGANIZATIONS:
        organization, was_created = Organization.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.name, "kind": spec.kind, "industry": spec.industry}
        )
        created += was_created
        organizations[spec.slug] = organization
    report.created["organizations"] = created
    return organizations


def demo_logins_read(*, path: Path) -> dict[str, str]:
    """username -> password from a logins file (`role username password` per line); empty when there is none."""
    if not path.exists():
        return {}
    logins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            logins[parts[1]] = parts[2]
    return logins


def _logins_write(path: Path, logins: list[DemoLogin]) -> bool:
    content = "".join(f"{login.role} {login.username} {login.password}\n" for login in logins)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written owner-only from the start: the file holds working passwords.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(path, 0o600)
    return True


def _users_ensure(report: DemoSeedReport, organizations: dict[str, Organization], logins_file: Path) -> dict[str, User]:
    known = demo_logins_read(path=logins_file)
    users: dict[str, User] = {}
    created = memberships = 0
    for spec in cat.DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        password = known.get(spec.username)
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.xmkt.invalid",
                # Staff may open the admin; what they see and change there is their role's (campaigns/admin_access.py).
                is_staff=spec.role in (Role.ADMIN, Role.PRIVACY_ADMIN),
                is_superuser=spec.role == Role.ADMIN,
            )
            user.set_password(password)
            user.full_clean()
            user.save()
            created += 1
        elif password is None or not user.check_password(password):
            # The file was lost or the password changed: a fresh one keeps the printed logins working.
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            report.passwords_reset += 1
        _membership, was_created = Membership.objects.get_or_create(
            user=user, organization=organizations[spec.organization_slug], defaults={"role": spec.role}
        )
        memberships += was_created
        users[spec.username] = user
        report.logins.append(DemoLogin(spec.role, spec.username, password))
    report.created["users"] = created
    report.created["memberships"] = memberships
    _logins_write(logins_file, report.logins)
    report.logins_file = logins_file
    return users


def _user_with_role(users: dict[str, User], role: str) -> User:
    return users[next(spec.username for spec in cat.DEMO_USERS if spec.role == role)]


# --- catalogue -----------------------------------------------------------------------------------------------------


def _catalogue_ensure(report: DemoSeedReport, organizations: dict[str, Organization]) -> dict[str, list[int]]:
    """Create missing catalogue items; returns, per organization, item ids in catalogue order."""
    created = 0
    ids: dict[str, list[int]] = {}
    for slug, items in cat.CATALOGUES.items():
        organization = organizations[slug]
        existing = set(
            CatalogItem.objects.filter(
                organization=organization, external_ref__in=[i.external_ref for i in items]
            ).values_list("external_ref", flat=True)
        )
        missing = [
            CatalogItem(
                organization=organization,
                kind=item.kind,
                external_ref=item.external_ref,
                title=item.title,
                description=cat.item_description(item),
                category=item.category,
                tags=cat.item_tags(item),
                price=Decimal(item.price).quantize(Decimal("0.01")),
                currency="CNY",
            )
            for item in items
            if item.external_ref not in existing
        ]
        CatalogItem.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        created += len(missing)
        by_ref = dict(
            CatalogItem.objects.filter(
                organization=organization, external_ref__in=[i.external_ref for i in items]
            ).values_list("external_ref", "id")
        )
        ids[slug] = [by_ref[item.external_ref] for item in items]
    report.created["catalogue_items"] = created
    return ids


# --- agreements and policies ---------------------------------------------------------------------------------------


AGREEMENT_TERMS: dict[str, dict[str, Any]] = {
    cat.HOMELY.slug: {
        "title": "知学堂 × 栖居家居 数据合作协议 · Zhixue × Homely data-sharing agreement",
        "purposes": ["marketing_contact", "partner_sharing", "personalization"],
        "data_categories": ["contact_hashes", "learning", "purchases", "segments"],
        "dp_epsilon_budget": None,
        "retention_days": 365,
    },
    cat.SKYLINE.slug: {
        "title": "知学堂 × 天际置业 数据合作协议 · Zhixue × Skyline data-sharing agreement",
        "purposes": ["marketing_contact", "partner_sharing"],
        "data_categories": ["browsing", "contact_hashes", "purchases", "segments"],
        "dp_epsilon_budget": 3.0,
        "retention_days": 180,
    },
}


def _agreements_ensure(
    report: DemoSeedReport, organizations: dict[str, Organization], signer: User, spec: DemoSpec
) -> None:
    platform = organizations[cat.PLATFORM.slug]
    created = 0
    for slug, terms in AGREEMENT_TERMS.items():
        if DataSharingAgreement.objects.filter(platform=platform, partner=organizations[slug], title=terms["title"]):
            continue
        valid_from = spec.start_date + timedelta(days=AGREEMENT_START_DAY[slug])
        agreement = DataSharingAgreement(
            platform=platform,
            partner=organizations[slug],
            min_aggregate_size=50,
            valid_from=valid_from,
            valid_until=valid_from + timedelta(days=3 * 365),
            status=DataSharingAgreement.Status.ACTIVE,
            signed_by=signer,
            signed_at=datetime.combine(
                valid_from - timedelta(days=7), time(10), tzinfo=timezone.get_current_timezone()
            ),
            **terms,
        )
        agreement.full_clean()
        agreement.save()
        created += 1
    report.created["agreements"] = created


def _policy_versions(report: DemoSeedReport, spec: DemoSpec) -> dict[tuple[str, int], str]:
    """(purpose, era) -> policy version: era 0 is the version in force at the earliest possible sign-up (a demo
    version is published if there was none yet), era 1 a demo update published on the model's policy-update day."""
    zone = timezone.get_current_timezone()
    window_start = datetime.combine(spec.start_date, time.min, tzinfo=zone)
    earliest_record = window_start - timedelta(days=PRE_WINDOW_SIGNUP_DAYS)
    update_day = spec.start_date + timedelta(days=min(POLICY_UPDATE_DAY, spec.days - 1))
    update_at = datetime.combine(update_day, time.min, tzinfo=zone)  # era 1 starts at that local midnight
    versions: dict[tuple[str, int], str] = {}
    created = 0
    for purpose in PURPOSES:
        # Every record must name a version published before it: era 0 starts with the earliest sign-up.
        first = (
            ConsentPolicy.objects.filter(purpose=purpose, published_at__lte=earliest_record)
            .order_by("-published_at")
            .first()
        )
        new_version = f"{update_day:%Y-%m}{NEW_POLICY_VERSION_SUFFIX}"
        if first is None:
            first = ConsentPolicy(
                purpose=purpose,
                version=f"{earliest_record:%Y-%m}{NEW_POLICY_VERSION_SUFFIX}",
                text_zh="演示用隐私政策。",
                text_en="Demo privacy policy.",
                published_at=earliest_record - timedelta(days=1),
            )
            first.full_clean()
            first.save()
            created += 1
        update = ConsentPolicy.objects.filter(purpose=purpose, version=new_version).first()
        if update is None:
            update = ConsentPolicy(
                purpose=purpose,
                version=new_version,
                text_zh=first.text_zh + "（更新：新增与合作方共享数据的保存期限说明。）",
                text_en=first.text_en + " (Update: states how long partners keep shared data.)",
                published_at=update_at,
            )
            update.full_clean()
            update.save()
            created += 1
        versions[(purpose, 0)] = first.version
        versions[(purpose, 1)] = update.version
    report.created["consent_policies"] = created
    return versions


# --- consumers and consents ----------------------------------------------------------------------------------------


def _consumers_ensure(
    report: DemoSeedReport,
    world: DemoWorld,
    organizations: dict[str, Organization],
    versions: dict[tuple[str, int], str],
    progress: Progress,
) -> dict[str, np.ndarray]:
    """Create missing consumers (with their consent history). Returns per organization the consumer id of each
    model consumer, 0 where the consumer was erased."""
    people = world.people
    ids: dict[str, np.ndarray] = {}
    created_consumers = created_consents = 0
    for slug, members in world.consumers.items():
        organization = organizations[slug]
        prefix = f"demo-{world.spec.run_key}-"
        existing = dict(
            Consumer.objects.filter(organization=organization, external_ref__startswith=prefix).values_list(
                "external_ref", "id"
            )
        )
        missing = [i for i, ref in enumerate(members.external_refs) if ref not in existing]
        erased = erased_refs(organization=organization, external_refs=[members.external_refs[i] for i in missing])
        report.skipped_erased += len(erased)
        new = [i for i in missing if members.external_refs[i] not in erased]
        rows = []
        for i in new:
            person = members.person[i]
            city, tier, _weight = cat.CITIES[people.city[person]]
            rows.append(
                Consumer(
                    organization=organization,
                    external_ref=members.external_refs[i],
                    phone_hash=hash_phone(people.phone[person]),
                    age_band=AGE_BANDS[people.age_band[person]],
                    gender=GENDERS[people.gender[person]],
                    city=city,
                    city_tier=tier,
                )
            )
        with transaction.atomic():
            batches = list(_batched(rows, BATCH_SIZE))
            for batch in progress(batches, f"consumers {slug}", len(batches)) if batches else ():
                Consumer.objects.bulk_create(batch)
            created_consumers += len(rows)
            # The synthetic phone numbers pass through here as real ones would at sign-up: the one moment to mint the
            # clean-room matching tokens of the platform's agreements.
            overlap_tokens_mint_for_contacts(
                organization=organization,
                contacts=[(members.external_refs[i], people.phone[members.person[i]], "") for i in new],
            )
            by_ref = dict(
                Consumer.objects.filter(organization=organization, external_ref__startswith=prefix).values_list(
                    "external_ref", "id"
                )
            )
            consumer_ids = np.array([by_ref.get(ref, 0) for ref in members.external_refs], dtype=np.int64)
            created_consents += _consents_create(world, slug, organizations, consumer_ids, set(new), versions)
        ids[slug] = consumer_ids
    report.created["consumers"] = created_consumers
    report.created["consent_records"] = created_consents
    return ids


def _consents_create(
    world: DemoWorld,
    slug: str,
    organizations: dict[str, Organization],
    consumer_ids: np.ndarray,
    new_consumers: set[int],
    versions: dict[tuple[str, int], str],
) -> int:
    """Consent records of the consumers created in this run (records are append-only, so a consumer's history is
    written once, together with the consumer)."""
    consents = world.consents[slug]
    categories = json.dumps(sorted(SHARING_CATEGORIES[cat.PLATFORM.slug if slug == cat.PLATFORM.slug else "partner"]))
    mine = np.flatnonzero(np.isin(consents.consumer, np.fromiter(new_consumers, dtype=np.int64)))
    purposes = [PURPOSES[p] for p in consents.purpose[mine]]
    recipients = [consents.recipient[k] for k in mine]
    return _insert_rows(
        ConsentRecord,
        {
            "consumer_id": consumer_ids[consents.consumer[mine]].tolist(),
            "purpose": purposes,
            "recipient_id": [organizations[r].pk if r else None for r in recipients],
            "data_categories": [categories if r else "[]" for r in recipients],
            "granted": consents.granted[mine].astype(int).tolist(),
            "policy_version": [versions[(p, int(e))] for p, e in zip(purposes, consents.policy_era[mine], strict=True)],
            "source": [consents.source[k] for k in mine],
            "recorded_at": _db_datetimes(consents.timestamp[mine]),
            # The demo's history plays as if each record had reached the server when it was made.
            "received_at": _db_datetimes(consents.timestamp[mine]),
        },
    )


# --- events --------------------------------------------------------------------------------------------------------


def _events_ensure(
    report: DemoSeedReport,
    world: DemoWorld,
    organizations: dict[str, Organization],
    item_ids: dict[str, list[int]],
    consumer_ids: dict[str, np.ndarray],
    progress: Progress,
) -> None:
    created = 0
    for slug, events in world.events.items():
        organization = organizations[slug]
        code = next(spec.code for spec in cat.ORGANIZATIONS if spec.slug == slug)
        prefix = f"demo-{world.spec.run_key}-{code}-"
        existing_count = Event.objects.filter(organization=organization, external_id__startswith=prefix).count()
        owners = consumer_ids[slug][events.consumer]
        keep = owners > 0  # events of erased consumers stay erased
        if existing_count == int(keep.sum()):
            continue
        existing = set(
            Event.objects.filter(organization=organization, external_id__startswith=prefix).values_list(
                "external_id", flat=True
            )
        )
        external_ids = [f"{prefix}{n:07d}" for n in range(len(events))]
        wanted = np.array([keep[n] and external_ids[n] not in existing for n in range(len(events))], dtype=bool)
        index = np.flatnonzero(wanted)
        items = np.asarray(item_ids[slug], dtype=np.int64)[events.item[index]]
        cents = events.value_cents[index]
        columns = {
            "organization_id": [organization.pk] * len(index),
            "consumer_id": owners[index].tolist(),
            "item_id": items.tolist(),
            "type": [EVENT_TYPES[t] for t in events.type[index]],
            "quantity": events.quantity[index].tolist(),
            "value": [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()],
            "currency": ["CNY"] * len(index),
            "rating": [int(r) if r else None for r in events.rating[index]],
            "occurred_at": _db_datetimes(events.timestamp[index]),
            "external_id": [external_ids[n] for n in index],
        }
        total_batches = -(-len(index) // BATCH_SIZE)
        for start in progress(range(0, len(index), BATCH_SIZE), f"events {slug}", total_batches):
            # One transaction per batch: on SQLite the write lock is then never held for long.
            with transaction.atomic():
                _insert_rows(Event, {name: values[start : start + BATCH_SIZE] for name, values in columns.items()})
        created += len(index)
        report.organizations_with_new_events.append(organization)
    report.created["events"] = created


# --- campaign ------------------------------------------------------------------------------------------------------

DEMO_CAMPAIGN_NAME = "收纳焕新季 · Tidy-Home Season (知学堂 × 栖居家居)"


def _campaign_ensure(
    report: DemoSeedReport, organizations: dict[str, Organization], manager: User, spec: DemoSpec
) -> None:
    platform = organizations[cat.PLATFORM.slug]
    if Campaign.objects.filter(organization=platform, name=DEMO_CAMPAIGN_NAME).exists():
        report.created["campaigns"] = 0
        return
    zone = timezone.get_current_timezone()
    starts = datetime.combine(spec.end_date + timedelta(days=14), time.min, tzinfo=zone)
    campaign = Campaign(
        organization=platform,
        name=DEMO_CAMPAIGN_NAME,
        description=(
            "学「收纳整理 21 天」，领栖居家居收纳好物 8 折券；买收纳柜，送知学堂收纳课。\n"
            "Learners of the 21-day home-organisation course get 20% off Homely storage; Homely storage buyers get "
            "the course."
        ),
        status=Campaign.Status.DRAFT,
        starts_at=starts,
        ends_at=starts + timedelta(days=30),
        budget=Decimal("80000.00"),
        currency="CNY",
        created_by=manager,
    )
    campaign.full_clean()
    with transaction.atomic():
        campaign.save()
        campaign.partners.add(organizations[cat.HOMELY.slug])
    report.created["campaigns"] = 1


# --- the whole seed ------------------------------------------------------------------------------------------------


def demo_seed(
    *,
    consumers: int = 3000,
    seed: int = 42,
    days: int = 180,
    end_date: date | None = None,
    logins_file: Path = DEFAULT_LOGINS_FILE,
    progress: Progress = _no_progress,
) -> DemoSeedReport:
    """Create whatever of the demo is missing: organizations, users and memberships, catalogues, consent policies,
    agreements, consumers with consent histories, events and a draft campaign. Deterministic in (seed, consumers,
    days, end date); a second run with the same arguments creates nothing.

    Not meant to run twice at the same time: two concurrent first runs would race on the unique keys (slugs,
    usernames, (organization, external_ref), (organization, external_id)), so the loser fails with an IntegrityError
    instead of doubling the data, and a re-run completes whatever it left missing."""
    if consumers < 10 or days < 7:
        raise ApplicationError("The demo needs at least 10 consumers and 7 days.")
    started = timezone.now()
    key = DemoSpec(consumers=consumers, days=days, seed=seed).run_key
    spec = DemoSpec(
        consumers=consumers, days=days, seed=seed, end_date=demo_end_date_resolve(run_key=key, requested=end_date)
    )
    report = DemoSeedReport(spec=spec)
    with transaction.atomic():
        organizations = _organizations_ensure(report)
        users = _users_ensure(report, organizations, Path(logins_file))
        item_ids = _catalogue_ensure(report, organizations)
        versions = _policy_versions(report, spec)
        _agreements_ensure(report, organizations, _user_with_role(users, Role.PRIVACY_ADMIN), spec)
        _campaign_ensure(report, organizations, _user_with_role(users, Role.CAMPAIGN_MANAGER), spec)
    world = generate(spec)
    consumer_ids = _consumers_ensure(report, world, organizations, versions, progress)
    _events_ensure(report, world, organizations, item_ids, consumer_ids, progress)
    # The dashboard reads the daily rollup: rebuild it now so the demo shows its figures before any worker runs.
    report.created["daily_rollup_rows"] = sum(
        rollup_events(organization=organization)["rows"] for organization in report.organizations_with_new_events
    )
    if any(report.created.values()):
        TaskRun.objects.create(
            task_name=SEED_TASK_NAME,
            organization=organizations[cat.PLATFORM.slug],
            status=TaskRun.Status.SUCCEEDED,
            progress=100,
            message=f"Demo data: {report.created.get('events', 0)} events",
            params={
                "run_key": spec.run_key,
                "seed": seed,
                "consumers": consumers,
                "days": days,
                "end_date": spec.end_date.isoformat(),
            },
            result=dict(report.created),
            started_at=started,
            finished_at=timezone.now(),
        )
    return report
