"""The demo's consumer refs cannot be enumerated: one ref tells nothing of its neighbours, yet the same spec gives the
same refs (a re-run finds its rows) and another seed gives others."""

import hashlib
import re
from datetime import date

import numpy as np

from demo import catalogue as cat
from demo.model import DemoSpec, generate

SPEC = DemoSpec(consumers=300, days=20, end_date=date(2026, 1, 1), seed=3)


def test_consumer_refs_are_not_sequential_nor_derivable_from_one_another():
    world = generate(SPEC)
    for org in cat.ORGANIZATIONS:
        refs = world.consumers[org.slug].external_refs
        prefix = f"demo-{SPEC.run_key}-{org.code}-"
        suffixes = [ref.removeprefix(prefix) for ref in refs]
        # the prefix stays (the writer finds a run's rows by it); the rest is 64 random-looking bits per consumer
        assert all(ref.startswith(prefix) for ref in refs)
        assert all(re.fullmatch(r"[0-9a-f]{16}", s) for s in suffixes), suffixes[:3]
        assert len(set(suffixes)) == len(suffixes)
        # no counter in them: neither the suffixes nor their numeric values follow one another
        values = np.array([int(s, 16) for s in suffixes], dtype=np.float64)
        assert not np.all(np.diff(values) > 0) and not np.all(np.diff(values) < 0)
        assert not set(suffixes) & {f"{i:06d}" for i in range(len(refs))}
        assert np.min(np.diff(np.sort(values))) > 1


def test_the_same_spec_gives_the_same_refs_and_another_seed_others():
    first, again = generate(SPEC), generate(SPEC)
    other = generate(DemoSpec(consumers=300, days=20, end_date=date(2026, 1, 1), seed=4))
    for org in cat.ORGANIZATIONS:
        refs = first.consumers[org.slug].external_refs
        assert refs == again.consumers[org.slug].external_refs
        tails = {ref.rsplit("-", 1)[1] for ref in refs}
        assert not tails & {ref.rsplit("-", 1)[1] for ref in other.consumers[org.slug].external_refs}


def test_the_refs_leave_every_other_draw_unchanged():
    # the refs come from a stream of their own: people, memberships and events are the ones this seed gave when the
    # refs were still counters (digest recorded then)
    world = generate(SPEC)
    digest = hashlib.sha256()
    for slug in sorted(world.events):
        events = world.events[slug]
        for array in (events.timestamp, events.item, events.type, events.value_cents, world.consumers[slug].person):
            digest.update(np.ascontiguousarray(array).tobytes())
    digest.update("".join(world.people.phone).encode())
    assert digest.hexdigest()[:16] == "e8b2976f905b34cd"
