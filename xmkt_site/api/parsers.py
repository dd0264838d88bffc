"""The JSON parser of every API view: refuses what would crash or stall a view before any view sees it.

- Size: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413). Django checks that limit only for `request.body` and forms;
  DRF reads the stream itself, so without this a JSON body had no limit at all.
- Depth: at most API_JSON_MAX_DEPTH nested arrays/objects (400), measured without recursion before json.loads, whose
  recursive decoder (and every recursive walk after it) would otherwise end in a RecursionError.
- Text: no lone UTF-16 surrogate (`"\\ud800"`) and no NUL in any key or string (400 naming the first field path). A
  surrogate cannot be encoded as UTF-8, so it crashed the database write, or the JSON rendering of an error message
  that echoed it; PostgreSQL text cannot hold NUL. Checked once here, every field of every endpoint is covered.
"""

import codecs
import json
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json as drf_json

from xmkt_site.error_codes import ErrorCode

DEFAULT_MAX_DEPTH = 32

# A JSON string, unrolled so that the regex engine runs in linear time on long strings.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# An innermost container: no bracket inside it (strings have been blanked out first).
_INNERMOST = re.compile(rb"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
_BRACKET = re.compile(rb"[\[\]{}]")
# Only an escape can put a surrogate or NUL into a decoded string (raw ones are invalid UTF-8 or invalid JSON), so a
# body without such an escape needs no walk after parsing.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = ErrorCode.REQUEST_TOO_LARGE
    default_detail = "The request body is too large."


class JsonTooDeep(exceptions.ParseError):
    default_code = ErrorCode.JSON_TOO_DEEP
    default_detail = "The JSON body is nested too deeply."


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether `body` nests arrays/objects deeper than `limit`, in at most limit + 1 linear passes (no recursion)."""
    stripped = _STRING.sub(b'""', body)
    for _pass in range(limit):
        if not _BRACKET.search(stripped):
            return False
        stripped = _INNERMOST.sub(b"0", stripped)
    return _BRACKET.search(stripped) is not None


def first_unstorable_text(data: Any) -> tuple[str, str] | None:
    """(field path, reason) of the first key or string holding a lone surrogate or NUL, found without recursion."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found = _UNSTORABLE.search(value)
            if found:
                return path or "non_field_errors", _reason(found.group())
        elif isinstance(value, dict):
            children = []
            for key, child in value.items():
                name = f"{path}.{key}" if path else str(key)
                found = _UNSTORABLE.search(key)
                if found:
                    # The key itself cannot be shown either: name the object that holds it.
                    return path or "non_field_errors", _reason(found.group())
                children.append((name, child))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", child) for index, child in reversed(list(enumerate(value))))
    return None


def _reason(character: str) -> str:
    if character == "\x00":
        return _("Text may not contain NUL characters.")
    return _("Text may not contain unpaired surrogate characters (\\ud800-\\udfff).")


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = get_encoding(parser_context)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise RequestTooLarge(_("The request body is larger than %(n)d bytes.") % {"n": limit})
        if encoding.lower().replace("-", "").replace("_", "") not in ("utf8", "utf8sig"):
            # The scans below read UTF-8 bytes; other text encodings are rare enough to be decoded first.
            try:
                body = codecs.decode(body, encoding).encode("utf-8", "surrogatepass")
            except (UnicodeError, LookupError) as exc:
                raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        max_depth = getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)
        if json_depth_exceeds(body, max_depth):
            raise JsonTooDeep(_("JSON may nest arrays and objects at most %(n)d levels deep.") % {"n": max_depth})
        try:
            text = body.decode("utf-8")
            data = json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
        if _SUSPECT_ESCAPE.search(body):
            problem = first_unstorable_text(data)
            if problem is not None:
                path, reason = problem
                raise exceptions.ValidationError({path: [reason]})
        return data
