"""Reading API input: DRF's JSON parser and serializers, hardened against input built to break the server.

- Nesting tens of thousands of levels deep makes Python's JSON decoder raise
  RecursionError (a 500 by default): it is a malformed body, 400.
- A JSON escape may spell a lone UTF-16 surrogate ("\\ud800"): valid JSON, but no
  Unicode text; it cannot be encoded for the database, a log line or an error
  message. NUL ("\\u0000") is valid text that PostgreSQL cannot store. Either, in a
  field the API reads, is a 400 naming the field (`field_type_errors`), before any
  service sees it. Fields the API does not read are ignored, whatever they hold.
- DRF's CharField turns a number into text (5 becomes "5"); the API's description
  says text, so a number or a boolean there is refused like any other wrong type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser

UNSTORABLE_TEXT_MESSAGE = "Text must be valid Unicode without NUL characters (no lone surrogate such as \\ud800)."
NOT_TEXT_MESSAGE = "Not a valid string."


def is_unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def field_type_errors(serializer: serializers.Serializer, data: Any) -> dict[str, list[str]]:
    """What DRF lets through in the fields `serializer` reads from `data`: non-text for text, unstorable text."""
    if not isinstance(data, Mapping):
        return {}
    errors: dict[str, list[str]] = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        value = data[name]
        if isinstance(field, serializers.CharField) and value is not None and not isinstance(value, str):
            errors[name] = [NOT_TEXT_MESSAGE]
        elif isinstance(value, str) and is_unstorable(value):
            errors[name] = [UNSTORABLE_TEXT_MESSAGE]
    return errors


def validated(serializer: serializers.Serializer, data: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(validated data, errors by field) for `serializer` bound to `data`: DRF's checks and the ones above."""
    valid = serializer.is_valid()
    errors = {} if valid else {k: [str(m) for m in v] for k, v in _as_field_errors(serializer.errors).items()}
    errors.update(field_type_errors(serializer, data))
    return (dict(serializer.validated_data) if not errors else {}), errors


def _as_field_errors(errors: Any) -> dict[str, Any]:
    return errors if isinstance(errors, Mapping) else {"non_field_errors": errors}


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply.") from None
