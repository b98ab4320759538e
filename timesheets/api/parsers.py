"""The API's JSON parser: DRF's, hardened against bodies built to break the server.

- Nesting tens of thousands of levels deep makes Python's JSON decoder raise
  RecursionError (a 500 by default): it is a malformed body, 400.
- A JSON escape may spell a lone UTF-16 surrogate ("\\ud800"): valid JSON, but no
  Unicode text; it cannot be encoded for the database or a log line. It is refused
  with 400 naming the field that holds it, before any view or service sees it.
- Likewise a NUL character ("\\u0000"), which PostgreSQL cannot store in text.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

UNSTORABLE_TEXT_MESSAGE = "Text must be valid Unicode without NUL characters; this holds a lone surrogate or a NUL."


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_text_path(data: Any) -> str | None:
    """The dotted path ("project", "0.notes") of the first string, or key, that is not valid Unicode."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _unstorable(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                key_path = f"{path}.{key}" if path else str(key)
                if _unstorable(key):
                    return path or "non_field_errors"
                stack.append((key_path, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply.") from None
        path = unstorable_text_path(data)
        if path is not None:
            raise exceptions.ValidationError({path or "non_field_errors": [UNSTORABLE_TEXT_MESSAGE]})
        return data
