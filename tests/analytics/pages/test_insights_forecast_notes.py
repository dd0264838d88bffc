"""The numeric core's forecast notes, written in plain English, are shown in the reader's language."""

from django.test import Client

from campaigns.models import Role
from tests.factories import ForecastFactory, MembershipFactory, PlatformFactory

CORE_NOTES = [
    "history of 10 days is too short for a 28-day backtest; using seasonal_naive unvalidated",
    "3 outlier day(s) clipped to median + 5 MAD",
    "something the view does not know yet",
]


def test_a_forecast_without_backtest_explains_itself_in_chinese_and_english(db):
    # given a forecast the core could not backtest, with its notes as the core writes them
    platform = PlatformFactory()
    forecast = ForecastFactory(organization=platform, horizon=28, chosen_model="recent_mean", notes=CORE_NOTES)
    client = Client()
    client.force_login(MembershipFactory(organization=platform, role=Role.ANALYST).user)
    # when an analyst reads it in both languages
    chinese = client.get(f"/forecasts/{forecast.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(f"/forecasts/{forecast.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then known notes are re-said in the page's language, the unknown one is shown as written
    assert "10 天的历史不足以做 28 天的回测" in chinese and "3 个异常日已截断至中位数 + 5 倍 MAD。" in chinese
    assert "history of 10 days is too short" not in chinese
    assert "10 days of history are too short for a 28-day backtest" in english
    assert "something the view does not know yet" in chinese
