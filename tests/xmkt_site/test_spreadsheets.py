"""Cells of CSV exports never start a formula in a spreadsheet program."""

import pytest

from xmkt_site.spreadsheets import spreadsheet_safe


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1+2", "@cmd", "\t=1", "\r=1"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted_as_text(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Homely 家居", "", "1.5", "a=b"])
def test_ordinary_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text
