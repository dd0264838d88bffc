import pandas as pd
import pytest

from analytics.ml.topics import InterestTopics


def test_consumers_of_different_item_themes_get_different_dominant_topics():
    items = pd.DataFrame(
        {
            "item_id": ["sofa", "lamp", "rug", "python", "sql", "stats"],
            "text": [
                "furniture sofa living room home",
                "lamp lighting home living room",
                "rug carpet home living room",
                "course python programming code",
                "course sql database code",
                "course statistics data code",
            ],
        }
    )
    home, study = ["sofa", "lamp", "rug"], ["python", "sql", "stats"]
    rows = [(consumer, item) for consumer in range(10) for item in (home if consumer < 5 else study)]
    events = pd.DataFrame(rows, columns=["consumer_id", "item_id"]).assign(type="purchase")

    topics = InterestTopics(n_topics=2, random_state=0).fit(events, items)
    shares = topics.transform(events, items)

    assert shares.shape == (10, 2)
    assert shares.sum(axis=1).round(6).eq(1.0).all()
    dominant = shares.idxmax(axis=1)
    assert dominant.loc[range(5)].nunique() == 1 and dominant.loc[range(5, 10)].nunique() == 1
    assert dominant.loc[0] != dominant.loc[5]
    assert len(topics.topic_terms_) == 2


def test_no_interest_events_is_a_clear_error():
    items = pd.DataFrame({"item_id": ["a"], "text": ["x y"]})
    events = pd.DataFrame({"consumer_id": [1], "item_id": ["a"], "type": ["view"]})

    with pytest.raises(ValueError, match="nothing to learn interests from"):
        InterestTopics().fit(events, items)
