"""The recommender's charts: the metric history of the trained versions."""

from datetime import UTC, datetime

from campaigns.models import Organization
from recommender.charts import metric_history_chart_html
from recommender.models import ModelVersion


def test_the_training_history_chart_shows_site_local_times_with_a_minute_tick_format():
    # Given a version trained at 06:05 UTC (14:05 in Asia/Shanghai)
    trained = datetime(2026, 11, 28, 6, 5, tzinfo=UTC)
    version = ModelVersion(label="als", trained_at=trained, metrics={"validation": {"ndcg@10": 0.3}})
    # When the history chart is drawn
    html = metric_history_chart_html([version], Organization(name="Zhishi"))
    # Then the x value is the local wall-clock time and the axis ticks read like 2026-11-28 14:05
    assert '"2026-11-28 14:05:00"' in html and "06:05" not in html
    assert '"tickformat":"%Y-%m-%d %H:%M"' in html
