"""The generative model behind the demo data. Django-free: numpy in, numpy arrays out.

One `numpy.random.default_rng(seed)` drives every draw, in a fixed order, so the same (seed, size, days, end date)
gives the same people, consents and events on any machine. docs/demo-data.md states the model as equations; the names
here follow it:

- a person p has a taste vector theta_p on the simplex over THEMES (Dirichlet), an activity level a_p (log-normal,
  mean 1) and a privacy attitude rho_p (standard normal). A person who is a consumer of two organizations keeps the
  same theta, a and rho on both sides: that is the cross-domain signal.
- an item i has normalised theme loadings phi_i; affinity s_pi = theta_p . phi_i in [0, 1].
- sessions of consumer c at organization o: Poisson(rate_o * a_p * sum of the daily intensity m_o(d) over the days the
  consumer is active); each session's day is drawn from m_o restricted to that window, its hour from o's hour profile.
- each session views 1 + Poisson(v_o) items drawn from softmax(lambda_o * s_pi + log pop_i - eta_o * log(price_i/med));
  a view goes down the funnel view -> click -> add_to_cart -> purchase (courses: -> enroll -> complete) with logistic
  probabilities in s_pi, price and promotion days; purchases may be refunded, rated and shared.
- a skyline purchase or showroom booking is a life event: from that day on, the person's taste leans to renovation,
  design and organisation on the other two sides ("apartment buyers take renovation courses").
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from demo import catalogue as cat

EVENT_TYPES: tuple[str, ...] = (
    "view",
    "click",
    "add_to_cart",
    "purchase",
    "refund",
    "enroll",
    "complete",
    "rating",
    "share",
)
T = {name: code for code, name in enumerate(EVENT_TYPES)}
PURPOSES: tuple[str, ...] = ("personalization", "partner_sharing", "marketing_contact")
AGE_BANDS: tuple[str, ...] = ("<18", "18-24", "25-34", "35-44", "45-54", "55+")
GENDERS: tuple[str, ...] = ("female", "male", "other", "unknown")
SHANGHAI_UTC_OFFSET_SECONDS = 8 * 3600  # Asia/Shanghai has had no daylight saving time since 1991
WEEKDAYS = 7


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _hour_profile(peaks: dict[int, float], floor: float = 0.05) -> np.ndarray:
    weights = np.full(24, floor)
    for hour, weight in peaks.items():
        weights[hour] += weight
    return weights / weights.sum()


@dataclass(frozen=True)
class Behaviour:
    """How one organization's consumers behave. Logistic coefficients are (intercept, affinity slope[, price slope])."""

    share_of_consumers: float  # consumers of this organization per platform consumer
    session_rate: float  # sessions per active day for a consumer of average activity
    views_per_session: float  # mean extra views per session beyond the first
    choice_sharpness: float  # lambda: how strongly taste steers which items are viewed
    price_aversion: float  # eta: log-price penalty in item choice
    click: tuple[float, float]
    cart: tuple[float, float, float]
    buy: tuple[float, float]
    promo_uplift: float  # added to the cart and purchase logits on promotion days
    promo_discount: float  # price multiplier on promotion days
    refund_rate: float
    rating_rate: float
    share_rate: float
    trend: float  # relative change of intensity from the first to the last day
    weekday: tuple[float, float, float, float, float, float, float]  # Monday .. Sunday
    hours_weekday: np.ndarray = field(repr=False)
    hours_weekend: np.ndarray = field(repr=False)
    theme_prior: tuple[float, ...] = ()  # Dirichlet mean of tastes for people who arrive through this organization


BEHAVIOUR: dict[str, Behaviour] = {
    cat.PLATFORM.slug: Behaviour(
        share_of_consumers=1.0,
        session_rate=0.09,
        views_per_session=1.6,
        choice_sharpness=6.0,
        price_aversion=0.15,
        click=(-1.6, 4.0),
        cart=(-1.9, 3.0, 0.30),
        buy=(-0.3, 2.0),
        promo_uplift=0.5,
        promo_discount=0.8,
        refund_rate=0.03,
        rating_rate=0.55,
        share_rate=0.08,
        trend=0.25,
        weekday=(1.08, 1.08, 1.06, 1.05, 0.98, 0.85, 0.90),
        # commute, lunch and the evening study peak on weekdays; a flatter day at weekends
        hours_weekday=_hour_profile({7: 0.5, 8: 0.7, 12: 0.8, 13: 0.6, 19: 0.8, 20: 1.3, 21: 1.5, 22: 1.2, 23: 0.5}),
        hours_weekend=_hour_profile({9: 0.5, 10: 0.7, 11: 0.7, 14: 0.7, 15: 0.7, 16: 0.6, 20: 0.9, 21: 1.0, 22: 0.8}),
        theme_prior=(0.15, 0.13, 0.09, 0.08, 0.17, 0.13, 0.13, 0.12),
    ),
    cat.HOMELY.slug: Behaviour(
        share_of_consumers=0.40,
        session_rate=0.085,
        views_per_session=2.2,
        choice_sharpness=5.0,
        price_aversion=0.25,
        click=(-1.7, 4.0),
        cart=(-2.4, 3.0, 0.30),
        buy=(-0.6, 2.0),
        promo_uplift=0.6,
        promo_discount=0.85,
        refund_rate=0.05,
        rating_rate=0.30,
        share_rate=0.05,
        trend=0.12,
        weekday=(0.85, 0.85, 0.88, 0.90, 1.00, 1.35, 1.30),
        hours_weekday=_hour_profile({12: 0.5, 13: 0.4, 19: 0.7, 20: 1.1, 21: 1.3, 22: 1.0, 23: 0.4}),
        hours_weekend=_hour_profile({10: 0.6, 11: 0.7, 14: 0.9, 15: 1.0, 16: 0.9, 17: 0.6, 20: 0.8, 21: 0.9}),
        theme_prior=(0.25, 0.25, 0.12, 0.06, 0.05, 0.12, 0.10, 0.05),
    ),
    cat.SKYLINE.slug: Behaviour(
        share_of_consumers=0.15,
        session_rate=0.07,
        views_per_session=1.8,
        choice_sharpness=5.0,
        price_aversion=0.05,
        click=(-1.0, 4.0),
        cart=(-1.6, 3.0, 0.10),
        buy=(-1.4, 2.0),
        promo_uplift=0.4,
        promo_discount=1.0,
        refund_rate=0.04,
        rating_rate=0.20,
        share_rate=0.04,
        trend=-0.15,
        weekday=(0.70, 0.70, 0.75, 0.75, 0.90, 1.60, 1.60),
        hours_weekday=_hour_profile({10: 0.7, 11: 0.8, 14: 0.8, 15: 0.8, 16: 0.6, 20: 0.6, 21: 0.5}),
        hours_weekend=_hour_profile({10: 1.0, 11: 1.1, 13: 0.8, 14: 1.2, 15: 1.2, 16: 1.0, 17: 0.5}),
        theme_prior=(0.08, 0.12, 0.18, 0.30, 0.12, 0.14, 0.03, 0.03),
    ),
}

# How partner consumers are recruited from the platform's people (the rest are new people).
OVERLAP_WITH_PLATFORM: dict[str, float] = {cat.HOMELY.slug: 0.35, cat.SKYLINE.slug: 0.40}
# Skyline also shares some customers with Homely who are not platform learners.
SKYLINE_FROM_HOMELY_ONLY = 0.10
# Listings are rare, large purchases: their purchase logit gets this offset on top of `buy`.
LISTING_PURCHASE_OFFSET = -3.0
# The life event: after buying (or booking a showroom visit) at Skyline, taste leans to the home themes.
LIFE_EVENT_TASTE_SHIFT: dict[str, float] = {"renovation": 0.45, "design": 0.25, "organisation": 0.20}

# Consent: P(grant) = sigmoid(intercept + slope * rho) at sign-up; later changes of mind are new records.
CONSENT_GRANT = {
    "personalization": (1.75, 0.8),  # ~80% granted
    "marketing_contact": (-0.22, 0.9),  # ~45%
    "partner_sharing": (-0.6, 0.9),  # ~35% per recipient
}
CONSENT_WITHDRAW_RATE = {"personalization": 0.06, "marketing_contact": 0.10, "partner_sharing": 0.08}
CONSENT_LATE_GRANT_RATE = {"personalization": 0.10, "marketing_contact": 0.08, "partner_sharing": 0.05}
POLICY_RECONFIRM_RATE = 0.30
PRE_WINDOW_SIGNUP_DAYS = 150  # customers from before the window signed up at most this many days before it
POLICY_UPDATE_DAY = 90  # a new privacy-policy version takes effect this many days into the window
# Each partner's data-sharing agreement took effect this many days before the window opened.
AGREEMENT_START_DAY = {cat.HOMELY.slug: -240, cat.SKYLINE.slug: -120}
SHARING_CATEGORIES = {
    cat.PLATFORM.slug: ["purchases", "learning", "segments", "contact_hashes"],
    "partner": ["purchases", "browsing", "contact_hashes"],
}


@dataclass(frozen=True)
class DemoSpec:
    consumers: int = 3000
    days: int = 180
    end_date: date = date(2026, 1, 1)  # the last local day with events
    seed: int = 42

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def run_key(self) -> str:
        """What external references are derived from, so a re-run with the same arguments finds its own rows."""
        return f"s{self.seed}n{self.consumers}d{self.days}"


@dataclass
class People:
    taste: np.ndarray  # (P, K) on the simplex
    activity: np.ndarray  # (P,)
    privacy: np.ndarray  # (P,)
    phone: list[str]  # synthetic mobile numbers: hashed by the writer, never stored
    age_band: np.ndarray  # (P,) index into AGE_BANDS
    gender: np.ndarray  # (P,) index into GENDERS
    city: np.ndarray  # (P,) index into catalogue.CITIES


@dataclass
class OrgConsumers:
    slug: str
    external_refs: list[str]
    person: np.ndarray  # (C,) index into People
    start_day: np.ndarray  # first active day (0 = already a customer when the window opens)
    end_day: np.ndarray  # exclusive


@dataclass
class Consents:
    consumer: np.ndarray  # index into OrgConsumers
    purpose: np.ndarray  # index into PURPOSES
    recipient: list[str]  # organization slug for partner_sharing, "" otherwise
    granted: np.ndarray
    policy_era: np.ndarray  # 0 = the policy in force when the window opens, 1 = the update published on day 90
    source: list[str]
    timestamp: np.ndarray  # epoch seconds, UTC


@dataclass
class Events:
    consumer: np.ndarray  # index into OrgConsumers
    item: np.ndarray  # index into the organization's catalogue
    type: np.ndarray  # index into EVENT_TYPES
    quantity: np.ndarray
    value_cents: np.ndarray
    rating: np.ndarray  # 0 = no rating
    timestamp: np.ndarray  # epoch seconds, UTC, sorted ascending

    def __len__(self) -> int:
        return len(self.type)


@dataclass
class DemoWorld:
    spec: DemoSpec
    people: People
    consumers: dict[str, OrgConsumers]
    consents: dict[str, Consents]
    events: dict[str, Events]
    home_event_day: np.ndarray  # (P,) day of the Skyline life event, or days (never)


def item_loadings(items: tuple[cat.ItemSpec, ...]) -> np.ndarray:
    """(I, K) theme loadings, each row normalised to sum 1."""
    loadings = np.array([[item.themes.get(theme, 0.0) for theme in cat.THEMES] for item in items])
    return loadings / loadings.sum(axis=1, keepdims=True)


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _day_starts(spec: DemoSpec) -> np.ndarray:
    """Epoch seconds (UTC) of each local midnight in the window."""
    first = _epoch_day(spec.start_date) * 86400 - SHANGHAI_UTC_OFFSET_SECONDS
    return first + 86400 * np.arange(spec.days, dtype=np.int64)


def calendar(spec: DemoSpec, slug: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Daily intensity m_o(d) (mean 1) and promotion flags: trend x weekday x festivals x small noise."""
    behaviour = BEHAVIOUR[slug]
    dates = [spec.start_date + timedelta(days=d) for d in range(spec.days)]
    position = np.arange(spec.days) / max(spec.days - 1, 1)
    intensity = 1.0 + behaviour.trend * (position - 0.5)
    intensity *= np.array([behaviour.weekday[day.weekday()] for day in dates])
    festival = np.ones(spec.days)
    promo = np.zeros(spec.days, dtype=bool)
    for d, day in enumerate(dates):
        md = (day.month, day.day)
        if slug == cat.HOMELY.slug:
            if md == (11, 11):
                festival[d], promo[d] = 4.0, True
            elif (11, 1) <= md <= (11, 10):
                festival[d], promo[d] = 1.6, True
            elif (10, 20) <= md <= (10, 31):
                festival[d], promo[d] = 1.3, True  # Double-11 pre-sale
            elif (11, 12) <= md <= (11, 14):
                festival[d] = 0.8  # the hangover after the peak
            elif md == (6, 18):
                festival[d], promo[d] = 3.0, True
            elif (6, 1) <= md <= (6, 17):
                festival[d], promo[d] = 1.3, True
            elif (10, 1) <= md <= (10, 7):
                festival[d] = 1.2  # Golden Week furniture shopping
        elif slug == cat.PLATFORM.slug:
            if md == (11, 11):
                festival[d], promo[d] = 2.2, True
            elif (11, 1) <= md <= (11, 10):
                festival[d], promo[d] = 1.2, True
            elif md == (6, 18):
                festival[d], promo[d] = 1.8, True
            elif (10, 1) <= md <= (10, 7):
                festival[d] = 0.8  # people travel in Golden Week
            elif (9, 1) <= md <= (9, 10):
                festival[d] = 1.15  # back to school: parents and new-term resolutions
        elif slug == cat.SKYLINE.slug:
            if (10, 1) <= md <= (10, 7):
                festival[d], promo[d] = 1.6, True  # Golden Week open houses
            elif (9, 1) <= md <= (10, 31):
                festival[d] = 1.2  # "金九银十": the autumn sales season
            elif md == (11, 11):
                festival[d], promo[d] = 1.3, True
    intensity *= festival * np.exp(rng.normal(0.0, 0.08, spec.days))
    return intensity / intensity.mean(), promo


def _draw_people(spec: DemoSpec, rng: np.random.Generator, origins: np.ndarray) -> People:
    n = len(origins)
    k = len(cat.THEMES)
    taste = np.empty((n, k))
    for origin, slug in enumerate(BEHAVIOUR):
        rows = np.flatnonzero(origins == origin)
        prior = np.asarray(BEHAVIOUR[slug].theme_prior)
        # concentration 3 over 8 themes: most people have one to three strong interests
        taste[rows] = rng.dirichlet(3.0 * prior, size=len(rows))
    activity = rng.lognormal(-0.5 * 0.8**2, 0.8, n)
    privacy = rng.normal(0.0, 1.0, n)
    numbers = rng.choice(100_000_000, size=n, replace=False)
    prefixes = np.array(["138", "139", "136", "150", "151", "158", "186", "187", "177", "135", "188", "199"])
    prefix = prefixes[rng.integers(0, len(prefixes), n)]
    phone = [f"+86 {p}{num:08d}" for p, num in zip(prefix, numbers, strict=True)]
    family_or_home = taste[:, cat.THEMES.index("family")] + taste[:, cat.THEMES.index("home_buying")]
    age_general = rng.choice(len(AGE_BANDS), size=n, p=[0.02, 0.20, 0.38, 0.24, 0.11, 0.05])
    age_settling = rng.choice(len(AGE_BANDS), size=n, p=[0.0, 0.05, 0.47, 0.37, 0.08, 0.03])
    age_band = np.where(family_or_home > 0.35, age_settling, age_general)
    gender = rng.choice(len(GENDERS), size=n, p=[0.57, 0.39, 0.01, 0.03])
    weights = np.array([w for _, _, w in cat.CITIES])
    near_skyline = np.array([name in cat.SKYLINE_HOME_CITIES for name, _, _ in cat.CITIES])
    city_general = rng.choice(len(cat.CITIES), size=n, p=weights / weights.sum())
    local = weights * near_skyline
    city_local = rng.choice(len(cat.CITIES), size=n, p=local / local.sum())
    skyline_origin = origins == list(BEHAVIOUR).index(cat.SKYLINE.slug)
    city = np.where(skyline_origin & (rng.random(n) < 0.75), city_local, city_general)
    return People(taste, activity, privacy, phone, age_band, gender, city)


def _recruit(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    size = min(size, len(candidates))
    if size == 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(candidates, size=size, replace=False, p=weights / weights.sum()))


def _membership(spec: DemoSpec, rng: np.random.Generator) -> tuple[People, dict[str, np.ndarray]]:
    """Who is a consumer where. Partners recruit part of their consumers from the platform's people, preferring
    people whose tastes fit the partner (that is why the partnership exists), and the rest are new people."""
    n_platform = spec.consumers
    n_homely = round(spec.consumers * BEHAVIOUR[cat.HOMELY.slug].share_of_consumers)
    n_skyline = round(spec.consumers * BEHAVIOUR[cat.SKYLINE.slug].share_of_consumers)
    homely_shared = round(n_homely * OVERLAP_WITH_PLATFORM[cat.HOMELY.slug])
    skyline_shared = round(n_skyline * OVERLAP_WITH_PLATFORM[cat.SKYLINE.slug])
    skyline_from_homely = round(n_skyline * SKYLINE_FROM_HOMELY_ONLY)
    homely_new = n_homely - homely_shared
    skyline_new = n_skyline - skyline_shared - skyline_from_homely
    origins = np.concatenate(
        [np.zeros(n_platform, dtype=np.int64), np.ones(homely_new, dtype=np.int64), np.full(skyline_new, 2)]
    )
    people = _draw_people(spec, rng, origins)
    theme = {name: people.taste[:, index] for index, name in enumerate(cat.THEMES)}
    platform_people = np.arange(n_platform)
    homely_fit = np.exp(2.0 * (theme["organisation"] + theme["design"] + theme["renovation"]))
    homely_people = np.concatenate(
        [
            _recruit(rng, platform_people, homely_fit[:n_platform], homely_shared),
            n_platform + np.arange(homely_new),
        ]
    )
    homely_only = n_platform + np.arange(homely_new)
    skyline_fit = np.exp(3.0 * (theme["home_buying"] + 0.5 * theme["renovation"] + 0.5 * theme["family"]))
    skyline_people = np.concatenate(
        [
            _recruit(rng, platform_people, skyline_fit[:n_platform], skyline_shared),
            _recruit(rng, homely_only, skyline_fit[homely_only], skyline_from_homely),
            n_platform + homely_new + np.arange(skyline_new),
        ]
    )
    return people, {
        cat.PLATFORM.slug: platform_people,
        cat.HOMELY.slug: homely_people,
        cat.SKYLINE.slug: skyline_people,
    }


def _tenure(spec: DemoSpec, rng: np.random.Generator, n: int, existing_share: float) -> tuple[np.ndarray, np.ndarray]:
    existing = rng.random(n) < existing_share
    start = np.where(existing, 0, rng.integers(0, spec.days, n))
    churned = rng.random(n) < 0.15
    end = np.where(churned, start + 1 + (rng.random(n) * (spec.days - start)).astype(np.int64), spec.days)
    return start, np.minimum(end, spec.days)


def _sample_rows(rng: np.random.Generator, cdf: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each entry of `rows`, one column index drawn from that row's cumulative distribution `cdf`."""
    draws = rng.random(len(rows))
    out = np.empty(len(rows), dtype=np.int64)
    chunk = 200_000  # bounds the (chunk x columns) comparison matrix
    for lo in range(0, len(rows), chunk):
        part = slice(lo, lo + chunk)
        out[part] = (cdf[rows[part]] < draws[part, None]).sum(axis=1)
    return np.minimum(out, cdf.shape[1] - 1)


def _sessions(
    spec: DemoSpec,
    rng: np.random.Generator,
    behaviour: Behaviour,
    intensity: np.ndarray,
    activity: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(consumer, day) of every session, by the inverse CDF of the intensity within each consumer's window."""
    cumulative = np.concatenate([[0.0], np.cumsum(intensity)])
    mass = cumulative[end] - cumulative[start]
    counts = rng.poisson(behaviour.session_rate * activity * mass)
    consumer = np.repeat(np.arange(len(counts)), counts)
    lo, hi = cumulative[start[consumer]], cumulative[end[consumer]]
    target = lo + rng.random(len(consumer)) * (hi - lo)
    day = np.searchsorted(cumulative, target, side="right") - 1
    day = np.clip(day, start[consumer], end[consumer] - 1)
    return consumer, day


def _session_seconds(
    spec: DemoSpec, rng: np.random.Generator, behaviour: Behaviour, slug: str, day: np.ndarray
) -> np.ndarray:
    weekday = (spec.start_date.weekday() + day) % WEEKDAYS
    weekend = weekday >= 5
    hour = np.where(
        weekend,
        rng.choice(24, size=len(day), p=behaviour.hours_weekend),
        rng.choice(24, size=len(day), p=behaviour.hours_weekday),
    )
    if slug == cat.HOMELY.slug:
        # The Double-11 midnight rush: carts filled for weeks are paid for in the first minutes of 11 November.
        double11 = np.array(
            [(spec.start_date + timedelta(days=int(d))).timetuple()[1:3] == (11, 11) for d in range(spec.days)]
        )
        rush = double11[day] & (rng.random(len(day)) < 0.25)
        hour = np.where(rush, 0, hour)
    return hour * 3600 + rng.integers(0, 3600, len(day))


class _EventBuffer:
    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, *, consumer, item, kind, timestamp, quantity=None, value=None, rating=None) -> None:
        n = len(consumer)
        self.parts.append(
            {
                "consumer": np.asarray(consumer, dtype=np.int64),
                "item": np.asarray(item, dtype=np.int64),
                "type": np.full(n, kind, dtype=np.int8),
                "quantity": np.ones(n, dtype=np.int64) if quantity is None else np.asarray(quantity, dtype=np.int64),
                "value_cents": np.zeros(n, dtype=np.int64) if value is None else np.asarray(value, dtype=np.int64),
                "rating": np.zeros(n, dtype=np.int8) if rating is None else np.asarray(rating, dtype=np.int8),
                "timestamp": np.asarray(timestamp, dtype=np.int64),
            }
        )

    def build(self, window_end: int) -> Events:
        merged = {key: np.concatenate([part[key] for part in self.parts]) for key in self.parts[0]}
        keep = merged["timestamp"] < window_end  # follow-ups (completions, refunds) after the window did not happen yet
        merged = {key: values[keep] for key, values in merged.items()}
        order = np.lexsort((merged["type"], merged["item"], merged["consumer"], merged["timestamp"]))
        return Events(**{key: values[order] for key, values in merged.items()})


def _events_for(
    spec: DemoSpec,
    rng: np.random.Generator,
    slug: str,
    people: People,
    consumers: OrgConsumers,
    home_event_day: np.ndarray,
) -> Events:
    behaviour = BEHAVIOUR[slug]
    items = cat.CATALOGUES[slug]
    loadings = item_loadings(items)
    price = np.array([item.price for item in items], dtype=float)
    paid = price > 0
    median_price = np.median(price[paid])
    log_price_ratio = np.where(paid, np.log(np.maximum(price, 1.0) / median_price), np.log(0.25))
    kind = np.array([item.kind for item in items])
    popularity = rng.lognormal(0.0, 0.5, len(items))
    intensity, promo = calendar(spec, slug, rng)
    day_starts = _day_starts(spec)

    person = consumers.person
    taste = people.taste[person]
    shift = np.array([LIFE_EVENT_TASTE_SHIFT.get(theme, 0.0) for theme in cat.THEMES])
    shifted = taste + shift
    shifted /= shifted.sum(axis=1, keepdims=True)
    # affinity[c, state, i]: state 1 = after the consumer's Skyline life event
    affinity = np.stack([taste @ loadings.T, shifted @ loadings.T], axis=1)
    logits = behaviour.choice_sharpness * affinity + np.log(popularity) - behaviour.price_aversion * log_price_ratio
    probabilities = np.exp(logits - logits.max(axis=2, keepdims=True))
    probabilities /= probabilities.sum(axis=2, keepdims=True)
    cdf = np.cumsum(probabilities, axis=2).reshape(len(person) * 2, len(items))

    session_consumer, session_day = _sessions(
        spec,
        rng,
        behaviour,
        intensity,
        people.activity[person],
        consumers.start_day,
        consumers.end_day,
    )
    session_start = day_starts[session_day] + _session_seconds(spec, rng, behaviour, slug, session_day)
    views_per_session = 1 + rng.poisson(behaviour.views_per_session, len(session_consumer))
    c = np.repeat(session_consumer, views_per_session)
    day = np.repeat(session_day, views_per_session)
    position = np.arange(len(c)) - np.repeat(np.cumsum(views_per_session) - views_per_session, views_per_session)
    t_view = np.repeat(session_start, views_per_session) + position * rng.integers(20, 150, len(c))
    if slug == cat.SKYLINE.slug:
        state = np.zeros(len(c), dtype=np.int64)
    else:
        state = (home_event_day[person[c]] <= day).astype(np.int64)
    item = _sample_rows(rng, cdf, c * 2 + state)
    s = affinity[c, state, item]
    on_promo = promo[day]

    out = _EventBuffer()
    out.add(consumer=c, item=item, kind=T["view"], timestamp=t_view)

    clicked = rng.random(len(c)) < _sigmoid(behaviour.click[0] + behaviour.click[1] * s)
    c, item, s, t, on_promo, day = (
        c[clicked],
        item[clicked],
        s[clicked],
        t_view[clicked] + rng.integers(3, 60, clicked.sum()),
        on_promo[clicked],
        day[clicked],
    )
    out.add(consumer=c, item=item, kind=T["click"], timestamp=t)

    free = ~paid[item]
    uplift = behaviour.promo_uplift * on_promo
    # Free items (taster course, showroom visit, VR tour, consultation) are taken straight from the click.
    took_free = free & (rng.random(len(c)) < _sigmoid(-0.8 + 3.0 * s))
    carted = ~free & (
        rng.random(len(c))
        < _sigmoid(behaviour.cart[0] + behaviour.cart[1] * s - behaviour.cart[2] * log_price_ratio[item] + uplift)
    )
    out.add(
        consumer=c[carted],
        item=item[carted],
        kind=T["add_to_cart"],
        timestamp=t[carted] + rng.integers(20, 900, carted.sum()),
    )
    buy_logit = (
        behaviour.buy[0] + behaviour.buy[1] * s + uplift + np.where(kind[item] == "listing", LISTING_PURCHASE_OFFSET, 0)
    )
    bought = carted & (rng.random(len(c)) < _sigmoid(buy_logit))
    # Carts bought on a promotion day wait for the promotion's last minutes less often than you would think:
    # most pay within the hour.
    pay_delay = rng.integers(60, 3600, len(c))
    t_buy = t + pay_delay
    unit_price = np.round(price[item] * np.where(on_promo, behaviour.promo_discount, 1.0) * 100).astype(np.int64)
    small = price[item] < 200
    quantity = np.where(small & (kind[item] == "product"), 1 + rng.poisson(0.5, len(c)), 1)
    purchase = bought | (took_free & (kind[item] == "service"))
    out.add(
        consumer=c[purchase],
        item=item[purchase],
        kind=T["purchase"],
        timestamp=t_buy[purchase],
        quantity=quantity[purchase],
        value=(unit_price * quantity)[purchase],
    )
    if slug == cat.PLATFORM.slug:
        enrolled = bought | took_free
        t_enroll = np.where(bought, t_buy + rng.integers(2, 60, len(c)), t + rng.integers(5, 120, len(c)))
        out.add(consumer=c[enrolled], item=item[enrolled], kind=T["enroll"], timestamp=t_enroll[enrolled])
        completed = enrolled & (rng.random(len(c)) < _sigmoid(-1.4 + 3.5 * s))
        # Completion some weeks later, at about the hour the learner usually studies.
        study_days = 3 + rng.gamma(2.0, 9.0, len(c)).astype(np.int64)
        t_complete = t_enroll + study_days * 86400 + rng.integers(0, 2 * 3600, len(c))
        out.add(consumer=c[completed], item=item[completed], kind=T["complete"], timestamp=t_complete[completed])
        follow_up, t_follow = completed, t_complete
    else:
        follow_up, t_follow = purchase & paid[item], t_buy + rng.integers(3, 21, len(c)) * 86400

    refunded = bought & (rng.random(len(c)) < behaviour.refund_rate * (1.5 - s))
    t_refund = t_buy + rng.integers(1, 14, len(c)) * 86400 + rng.integers(0, 4 * 3600, len(c))
    out.add(
        consumer=c[refunded],
        item=item[refunded],
        kind=T["refund"],
        timestamp=t_refund[refunded],
        quantity=quantity[refunded],
        value=(unit_price * quantity)[refunded],
    )
    rated = follow_up & ~refunded & (rng.random(len(c)) < behaviour.rating_rate)
    stars = np.clip(np.rint(2.4 + 3.0 * s + rng.normal(0.0, 0.8, len(c))), 1, 5)
    out.add(
        consumer=c[rated],
        item=item[rated],
        kind=T["rating"],
        timestamp=t_follow[rated] + rng.integers(60, 7200, len(c))[rated],
        rating=stars[rated],
    )
    shared = (bought | took_free) & ~refunded & (rng.random(len(c)) < behaviour.share_rate * (0.5 + s))
    out.add(
        consumer=c[shared],
        item=item[shared],
        kind=T["share"],
        timestamp=t_buy[shared] + rng.integers(60, 3600, shared.sum()),
    )
    window_end = int(day_starts[-1]) + 86400
    return out.build(window_end)


def _home_event_day(spec: DemoSpec, people: People, consumers: OrgConsumers, events: Events) -> np.ndarray:
    """Day of each person's first Skyline purchase (a listing, a package or a showroom booking); `days` if none."""
    first = np.full(len(people.activity), spec.days, dtype=np.int64)
    purchases = events.type == T["purchase"]
    day = (events.timestamp[purchases] - _day_starts(spec)[0]) // 86400
    np.minimum.at(first, consumers.person[events.consumer[purchases]], day)
    return first


def _consents_for(
    spec: DemoSpec, rng: np.random.Generator, slug: str, people: People, consumers: OrgConsumers
) -> Consents:
    n = len(consumers.person)
    rho = people.privacy[consumers.person]
    day_starts = _day_starts(spec)
    policy_day = min(POLICY_UPDATE_DAY, spec.days - 1)
    # Sign-up: for consumers who were customers before the window, some day in the months before it.
    signup = day_starts[consumers.start_day] + rng.integers(8 * 3600, 23 * 3600, n)
    before = consumers.start_day == 0
    earlier = rng.integers(1, PRE_WINDOW_SIGNUP_DAYS, n) * 86400 + rng.integers(0, 86400, n)
    signup = np.where(before, day_starts[0] - earlier, signup)
    window_end = int(day_starts[-1]) + 86400
    policy_start = int(day_starts[policy_day])

    if slug == cat.PLATFORM.slug:
        streams = [("personalization", ""), ("marketing_contact", ""), ("partner_sharing", cat.HOMELY.slug)]
        streams.append(("partner_sharing", cat.SKYLINE.slug))
    else:
        streams = [("personalization", ""), ("marketing_contact", ""), ("partner_sharing", cat.PLATFORM.slug)]

    rows: dict[str, list] = {k: [] for k in ("consumer", "purpose", "recipient", "granted", "era", "source", "ts")}

    def add(mask: np.ndarray, purpose: str, recipient: str, granted: np.ndarray, ts: np.ndarray, source) -> None:
        index = np.flatnonzero(mask)
        rows["consumer"].append(index)
        rows["purpose"].append(np.full(len(index), PURPOSES.index(purpose)))
        rows["recipient"].extend([recipient] * len(index))
        rows["granted"].append(np.broadcast_to(granted, n)[index])
        rows["ts"].append(ts[index])
        rows["era"].append((ts[index] >= policy_start).astype(np.int8))
        rows["source"].extend(np.broadcast_to(np.asarray(source), n)[index].tolist())

    for purpose, recipient in streams:
        intercept, slope = CONSENT_GRANT[purpose]
        if recipient == cat.SKYLINE.slug:
            intercept -= 0.2
        granted = rng.random(n) < _sigmoid(intercept + slope * rho)
        asked, source = signup, "app_signup"
        if purpose == "partner_sharing":
            # Sharing with a partner can be asked only once the agreement with it is in force: customers who signed
            # up earlier were asked when the partnership launched.
            partner = recipient if slug == cat.PLATFORM.slug else slug
            launch = int(day_starts[0]) + AGREEMENT_START_DAY[partner] * 86400
            launched = launch + rng.integers(86400, 30 * 86400, n)
            source = np.where(signup < launched, "partnership_launch", "app_signup")
            asked = np.maximum(signup, launched)
        add(np.ones(n, dtype=bool), purpose, recipient, granted, asked, source)
        # A change of mind some time later, recorded as a new record.
        later = asked + (rng.random(n) * np.maximum(window_end - asked - 3600, 3600)).astype(np.int64)
        withdraw = granted & (rng.random(n) < CONSENT_WITHDRAW_RATE[purpose])
        late_grant = ~granted & (rng.random(n) < CONSENT_LATE_GRANT_RATE[purpose])
        add(withdraw, purpose, recipient, np.zeros(n, dtype=bool), later, "privacy_center")
        add(late_grant, purpose, recipient, np.ones(n, dtype=bool), later, "campaign_landing")
        if purpose == "personalization":
            # Re-confirmation under the new policy by some of those who signed up before it.
            reconfirm = (signup < policy_start) & ~withdraw & (rng.random(n) < POLICY_RECONFIRM_RATE)
            t_reconfirm = policy_start + rng.integers(0, 30 * 86400, n)
            current = granted | late_grant
            reconfirm &= (t_reconfirm < window_end) & ((~late_grant) | (later < t_reconfirm))
            add(reconfirm, purpose, recipient, current, t_reconfirm, "policy_update")

    return Consents(
        consumer=np.concatenate(rows["consumer"]),
        purpose=np.concatenate(rows["purpose"]),
        recipient=rows["recipient"],
        granted=np.concatenate(rows["granted"]).astype(bool),
        policy_era=np.concatenate(rows["era"]),
        source=rows["source"],
        timestamp=np.concatenate(rows["ts"]),
    )


REF_STREAM = 0x52454653  # separates the refs' generator from the main one (any constant; fixed forever)


def consumer_refs(spec: DemoSpec, org_index: int, code: str, n: int) -> list[str]:
    """External refs that cannot be enumerated: 64 random-looking bits each, from a generator of their own seeded by
    the demo seed and the organization, so the same spec finds the same rows and no other draw moves. A counter
    would let anyone holding one ref name its neighbours (and probe the APIs with them)."""
    rng = np.random.default_rng([spec.seed, REF_STREAM, org_index])
    tokens: list[str] = []
    seen: set[str] = set()
    while len(tokens) < n:  # a repeat among 2**64 values is all but impossible; skipping it keeps refs unique anyway
        for value in rng.integers(0, 2**64, size=n - len(tokens), dtype=np.uint64):
            token = f"{int(value):016x}"
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return [f"demo-{spec.run_key}-{code}-{token}" for token in tokens]


def generate(spec: DemoSpec) -> DemoWorld:
    """Draw the whole demo world. Deterministic in `spec`."""
    if spec.consumers < 10 or spec.days < 7:
        raise ValueError("The demo needs at least 10 consumers and 7 days.")
    rng = np.random.default_rng(spec.seed)
    people, members = _membership(spec, rng)
    consumers: dict[str, OrgConsumers] = {}
    existing_share = {cat.PLATFORM.slug: 0.55, cat.HOMELY.slug: 0.45, cat.SKYLINE.slug: 0.30}
    for org_index, spec_org in enumerate(cat.ORGANIZATIONS):
        slug = spec_org.slug
        person = members[slug]
        start, end = _tenure(spec, rng, len(person), existing_share[slug])
        # Partners number their customers their own way: a shuffled order, so refs never reveal the platform's.
        order = rng.permutation(len(person))
        person, start, end = person[order], start[order], end[order]
        refs = consumer_refs(spec, org_index, spec_org.code, len(person))
        consumers[slug] = OrgConsumers(slug, refs, person, start, end)

    events: dict[str, Events] = {}
    # Skyline first: its purchases are the life events that shift tastes on the other two sides.
    no_event = np.full(len(people.activity), spec.days, dtype=np.int64)
    events[cat.SKYLINE.slug] = _events_for(spec, rng, cat.SKYLINE.slug, people, consumers[cat.SKYLINE.slug], no_event)
    home_event_day = _home_event_day(spec, people, consumers[cat.SKYLINE.slug], events[cat.SKYLINE.slug])
    for slug in (cat.PLATFORM.slug, cat.HOMELY.slug):
        events[slug] = _events_for(spec, rng, slug, people, consumers[slug], home_event_day)
    consents = {slug: _consents_for(spec, rng, slug, people, consumers[slug]) for slug in consumers}
    return DemoWorld(spec, people, consumers, consents, events, home_event_day)
