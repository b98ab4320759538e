"""The entry lists' pages (GET /api/timesheets, GET /api/approvals) as JSON text, written from their rows.

`entries_output` (serializers.py) builds a dict per entry, and DRF's JSONRenderer then walks
the dicts. Here each row is written straight as the text that pair writes for it (CPU per
`GET /api/timesheets` in process: 0.64 -> 0.56 ms for 10 entries, 1.43 -> 1.07 ms for 50), and
the page reaches the renderer as config.renderers.JSONText. The text is compact and keeps
non-ASCII characters, as DRF writes it with its default settings; the renderer escapes U+2028
and U+2029 in the whole document, as DRF's does. tests/timesheets/test_output_shapes.py holds
the responses byte for byte to EntrySerializer + JSONRenderer, in UTC and another zone, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

from django.utils import timezone

from config.renderers import JSONText
from timesheets.api.serializers import (
    DECIDER_COLUMNS,
    OWNER_COLUMNS,
    EntryRecord,
    entry_timestamps,
    iso_datetime,
    person_output,
    uuid_text,
)


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _person_json(columns: tuple) -> str:
    person = person_output(*columns)
    if person is None:
        return "null"
    return (
        f'{{"id":{person["id"]},"name":{_text(person["name"])},"email":{_text(person["email"])},'
        f'"employee_number":{_text(person["employee_number"])}}}'
    )


def entries_json(rows: Iterable[dict[str, Any] | EntryRecord]) -> str:
    """entries_output(rows) as JSON text: the array JSONRenderer writes for it, before escaping U+2028/U+2029."""
    zone = timezone.get_current_timezone()
    people: dict[tuple, str] = {}  # a page has few distinct people: each written once
    written = []
    for row in rows:
        if type(row) is dict:
            row = EntryRecord(**row)
        owner_columns, decider_columns = row[OWNER_COLUMNS], row[DECIDER_COLUMNS]
        owner = people.get(owner_columns) or people.setdefault(owner_columns, _person_json(owner_columns))
        decider = people.get(decider_columns) or people.setdefault(decider_columns, _person_json(decider_columns))
        created, updated = entry_timestamps(row.created_at, row.updated_at, zone)
        decided = "null" if row.decided_at is None else f'"{iso_datetime(row.decided_at, zone)}"'
        written.append(
            f'{{"id":{int(row.id)},"uuid":"{uuid_text(row.uuid)}","date":"{row.date.isoformat()}",'
            f'"project":{int(row.project_id)},"project_name":{encode_basestring(row.project__name)},'
            f'"hours":{float(row.hours)!r},"notes":{encode_basestring(row.notes)},'
            f'"status":{encode_basestring(row.status)},"owner":{owner},"decided_by":{decider},'
            f'"decided_at":{decided},"decision_comment":{encode_basestring(row.decision_comment)},'
            f'"source":{encode_basestring(row.source)},"created_at":"{created}","updated_at":"{updated}",'
            f'"etag":"\\"{int(row.version)}\\""}}'
        )
    return "[" + ",".join(written) + "]"


def page_json(*, next_link: str | None, previous_link: str | None, results: str) -> JSONText:
    """A page of a list, {next, previous, results}, as DRF's CursorPagination answers it; `results` is JSON text."""
    return JSONText(f'{{"next":{_text(next_link)},"previous":{_text(previous_link)},"results":{results}}}')
