"""Show a message that was translated when it was stored (a background job's progress text) in the reader's language.

Workers write progress in whatever language was active when the job ran, and parameters are already filled in
("正在写入 1,234 份画像"). The translation catalogue holds every such message in both languages, so the stored text is
matched against each message's English and Chinese forms, placeholders becoming capture groups, and re-rendered in
the active language with the captured values. Text that matches nothing (an exception's own message) is shown as is.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext, trans_real

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


def translated_stored_message(text: str) -> str:
    if not text:
        return text
    exact, patterns = _catalogue_index()
    msgid = exact.get(text)
    if msgid is not None:
        return gettext(msgid)
    for pattern, msgid in patterns:
        match = pattern.match(text)
        if match:
            try:
                return gettext(msgid) % match.groupdict()
            except (KeyError, ValueError, TypeError):  # a translation with different placeholders: keep the text
                return text
    return text


@lru_cache(maxsize=1)
def _catalogue_index() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """(text in any language -> msgid) for messages without placeholders, and (pattern, msgid) for the others,
    longest literal first so that a specific message wins over a generic one."""
    exact: dict[str, str] = {}
    patterns: list[tuple[int, re.Pattern, str]] = []
    languages = [code for code, _name in settings.LANGUAGES if code != "en"]
    for language in languages:
        catalogue = trans_real.translation(language)._catalog
        for msgid in catalogue.keys():  # noqa: SIM118 (TranslationCatalog has keys() but no __iter__)
            if not isinstance(msgid, str) or not msgid or "\x04" in msgid:  # plurals and contexts are not used here
                continue
            msgstr = catalogue[msgid]
            for form in {msgid, msgstr}:
                if not isinstance(form, str) or not form:
                    continue
                if "%" not in form:
                    exact.setdefault(form, msgid)
                    continue
                compiled = _compile(form)
                if compiled is not None:
                    patterns.append((len(_PLACEHOLDER.sub("", form)), compiled, msgid))
    patterns.sort(key=lambda entry: -entry[0])
    return exact, [(pattern, msgid) for _length, pattern, msgid in patterns]


def _compile(form: str) -> re.Pattern | None:
    parts, seen, position = [], set(), 0
    for match in _PLACEHOLDER.finditer(form):
        parts.append(re.escape(form[position : match.start()]))
        name = match.group(1)
        if name is None:
            parts.append("%")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>.+?)")
        position = match.end()
    parts.append(re.escape(form[position:]))
    if not seen:
        return None
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)
