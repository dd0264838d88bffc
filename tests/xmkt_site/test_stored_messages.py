from django.utils import translation

from xmkt_site.stored_messages import translated_stored_message


def test_a_message_stored_in_chinese_reads_in_english_on_english_pages_and_back():
    with translation.override("zh-hans"):
        stored = translation.gettext("Counting events by day")
    assert stored != "Counting events by day"
    with translation.override("en"):
        assert translated_stored_message(stored) == "Counting events by day"
    with translation.override("zh-hans"):
        assert translated_stored_message("Counting events by day") == stored


def test_parameters_filled_in_before_storing_survive_the_translation():
    with translation.override("zh-hans"):
        stored = translation.gettext("Writing %(count)s profiles") % {"count": "1,234"}
    with translation.override("en"):
        assert translated_stored_message(stored) == "Writing 1,234 profiles"
    with translation.override("zh-hans"):
        assert translated_stored_message("Writing 1,234 profiles") == stored


def test_text_that_is_no_known_message_is_shown_unchanged():
    with translation.override("en"):
        assert translated_stored_message("ValueError: the file has no header row") == (
            "ValueError: the file has no header row"
        )
        assert translated_stored_message("") == ""
