import numpy as np
import pandas as pd
import pytest

from analytics.ml.features import build_consumer_features


@pytest.fixture
def tiny_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "consumer_id": [1, 1, 1, 1, 2, 2, 3, 3],
            "type": ["purchase", "purchase", "purchase", "refund", "view", "purchase", "enroll", "complete"],
            "value": [100.0, 50.0, 10.0, 20.0, 0.0, 30.0, 0.0, 0.0],
            "occurred_at": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-05",
                    "2024-01-05",
                    "2024-01-06",
                    "2024-01-02",
                    "2024-01-08",
                    "2024-01-09",
                    "2024-01-09 12:00:00",
                ],
                format="ISO8601",
            ),
            "order_id": ["a", "b", "b", "r", None, "c", None, None],
            "category": ["home", "course", "course", "home", None, "home", None, None],
            "is_partner": [True, False, False, True, False, True, False, False],
        }
    )


def test_rfm_and_order_features_match_hand_computed_values(tiny_events):
    features = build_consumer_features(tiny_events, as_of="2024-01-10")

    # Consumer 1: orders a (100) and b (50 + 10), refund 20; last purchase 5 days before as_of; first event 9 days.
    one = features.loc[1]
    assert one["recency_days"] == 5.0
    assert one["frequency"] == 2.0
    assert one["monetary"] == 140.0
    assert one["tenure_days"] == 9.0
    assert one["avg_order_value"] == 80.0
    assert one["refund_rate"] == pytest.approx(20 / 160)
    assert one["spend_share__home"] == pytest.approx(100 / 160)
    assert one["spend_share__course"] == pytest.approx(60 / 160)
    assert one["partner_event_share"] == pytest.approx(2 / 4)
    assert one["partner_spend_share"] == pytest.approx(100 / 160)
    two = features.loc[2]
    assert (two["recency_days"], two["frequency"], two["monetary"], two["views"]) == (2.0, 1.0, 30.0, 1.0)


def test_consumer_without_purchases_gets_window_recency_and_engagement_counts(tiny_events):
    features = build_consumer_features(tiny_events, as_of="2024-01-10")

    three = features.loc[3]
    assert three["recency_days"] == 9.0  # observation window: first event of anyone (01-01) to as_of
    assert (three["frequency"], three["monetary"], three["avg_order_value"]) == (0.0, 0.0, 0.0)
    assert (three["enrolments"], three["completions"], three["completion_rate"]) == (1.0, 1.0, 1.0)
    assert three["tenure_days"] == 1.0


def test_demographics_are_one_hot_and_consumers_without_events_get_zero_rows(tiny_events):
    consumers = pd.DataFrame(
        {"consumer_id": [1, 2, 3, 4], "age_band": ["25-34", "", None, "18-24"], "gender": ["female", "male", "x", "x"]}
    )

    features = build_consumer_features(tiny_events, consumers, as_of="2024-01-10")

    assert list(features.index) == [1, 2, 3, 4]
    assert features.loc[4, "events_total"] == 0.0
    assert features.loc[1, "age_band__25-34"] == 1.0
    assert features.loc[2, "age_band__unknown"] == 1.0 and features.loc[3, "age_band__unknown"] == 1.0
    assert features[[c for c in features.columns if c.startswith("gender__")]].sum(axis=1).eq(1.0).all()
    assert not features.isna().any().any()


def test_without_order_ids_every_purchase_event_is_an_order(tiny_events):
    features = build_consumer_features(tiny_events.drop(columns=["order_id"]), as_of="2024-01-10")

    assert features.loc[1, "frequency"] == 3.0


def test_order_ids_shared_by_two_consumers_count_once_for_each():
    events = pd.DataFrame(
        {
            "consumer_id": ["u1", "u2", "u1"],
            "type": ["purchase"] * 3,
            "value": [1.0, 2.0, 3.0],
            "occurred_at": pd.to_datetime(["2024-01-01"] * 3),
            "order_id": [7, 7, 7],
        }
    )

    assert build_consumer_features(events)["frequency"].to_dict() == {"u1": 1.0, "u2": 1.0}


def test_empty_events_without_consumers_is_a_clear_error():
    empty = pd.DataFrame({"consumer_id": [], "type": [], "value": [], "occurred_at": pd.to_datetime([])})

    with pytest.raises(ValueError, match="nothing to build features from"):
        build_consumer_features(empty)


def test_missing_column_and_unknown_type_are_clear_errors(tiny_events):
    with pytest.raises(ValueError, match="missing column"):
        build_consumer_features(tiny_events.drop(columns=["value"]))
    with pytest.raises(ValueError, match="unknown event type"):
        build_consumer_features(tiny_events.assign(type=["buy"] * len(tiny_events)))


def test_random_frame_matches_a_pandas_groupby_reference():
    rng = np.random.default_rng(0)
    n = 5_000
    events = pd.DataFrame(
        {
            "consumer_id": rng.integers(0, 300, n),
            "type": rng.choice(["purchase", "view", "refund"], n),
            "value": rng.gamma(2.0, 50.0, n).round(2),
            "occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90 * 86400, n), unit="s"),
        }
    )
    features = build_consumer_features(events, as_of="2024-04-01")

    purchases = events[events["type"] == "purchase"]
    refunds = events[events["type"] == "refund"]
    as_of = pd.Timestamp("2024-04-01")
    expected_monetary = (
        purchases.groupby("consumer_id")["value"]
        .sum()
        .sub(refunds.groupby("consumer_id")["value"].sum(), fill_value=0.0)
    )
    expected_recency = (as_of - purchases.groupby("consumer_id")["occurred_at"].max()).dt.total_seconds() / 86400
    pd.testing.assert_series_equal(
        features["monetary"].reindex(expected_monetary.index), expected_monetary, check_names=False
    )
    pd.testing.assert_series_equal(
        features["recency_days"].reindex(expected_recency.index), expected_recency, check_names=False
    )
