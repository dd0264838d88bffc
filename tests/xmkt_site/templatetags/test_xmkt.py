"""Money, counts, dates and tags the way the UI spec asks for, in both languages."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from xmkt_site.templatetags.xmkt import count, decimal, dt, duration, money, status_tag, task_label


def test_money_is_yuan_with_separators_and_two_decimals():
    assert money(Decimal("12345")) == "¥12,345.00"
    assert money("0.005") == "¥0.01"
    assert money(Decimal("-3.5")) == "-¥3.50"
    assert money(Decimal("9.9"), "USD") == "$9.90"
    assert money(Decimal("1"), "THB") == "THB 1.00"
    assert money(None) == "—"


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (9_999, "9,999", "9,999"),
        (12_345, "1.23万", "12,345"),
        (100_000, "10万", "100,000"),
        (234_500_000, "2.35亿", "234,500,000"),
    ],
)
def test_counts_use_wan_and_yi_in_chinese_and_separators_in_english(value, chinese, english):
    with translation.override("zh-hans"):
        assert count(value) == chinese
    with translation.override("en"):
        assert count(value) == english


def test_datetimes_show_in_shanghai_time_to_the_minute():
    assert dt(datetime(2026, 11, 28, 6, 5, 59, tzinfo=UTC)) == "2026-11-28 14:05"


def test_durations_read_naturally():
    with translation.override("en"):
        assert duration(42) == "42 s"
        assert duration(185) == "3 min 5 s"
        assert duration(None) == "—"


def test_a_sub_second_duration_says_under_a_second_instead_of_zero():
    with translation.override("en"):
        assert duration(0.008) == "< 1 s"
        assert duration(0.6) == "1 s"
    with translation.override("zh-hans"):
        assert duration(0.008) == "不到 1 秒"


def test_decimals_have_thousands_separators_in_both_languages():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert decimal(3104.4) == "3,104.40"
            assert decimal(12.345, 0) == "12"
            assert decimal(None) == "—"


def test_the_champion_model_tag_is_coloured_unlike_a_candidate():
    assert "text-bg-success" in status_tag("champion", "Champion")
    assert "text-bg-secondary" in status_tag("candidate", "Candidate")


def test_chinese_wording_of_hidden_cells_and_minimum_group_size():
    with translation.override("zh-hans"):
        hidden = translation.ngettext(
            "Figures behind fewer than %(k)s people are hidden: %(suppressed)s cell hidden.",
            "Figures behind fewer than %(k)s people are hidden: %(suppressed)s cells hidden.",
            8,
        ) % {"k": 10, "suppressed": 8}
        assert hidden.endswith("共隐藏 8 个单元格。")
        assert translation.gettext("Minimum cell size k") == "最小群体规模 k"


def test_status_tags_are_coloured_by_state():
    assert "text-bg-success" in status_tag("running", "Running")
    assert "text-bg-danger" in status_tag("failed", "Failed")
    assert "text-bg-secondary" in status_tag("draft", "Draft")
    assert "text-bg-warning" in status_tag("paused", "Paused")
    assert "text-bg-primary" in status_tag("in_review", "In review")
    assert "&lt;b&gt;" in status_tag("draft", "<b>")


def test_known_tasks_have_translated_names_and_others_keep_their_celery_name():
    with translation.override("zh-hans"):
        assert task_label("analytics.tasks.rollup.rollup_events") == "每日事件汇总"
    assert task_label("recommender.tasks.train") == "recommender.tasks.train"
