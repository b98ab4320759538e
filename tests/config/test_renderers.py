"""The product's JSON renderer sends JSON text a view wrote as DRF's renderer would have written the same data."""

from __future__ import annotations

import json

import pytest
from rest_framework import renderers

from config.renderers import JSONRenderer, JSONText

DOCUMENT = {
    "next": None,
    "results": [{"id": 1, "hours": 7.5, "notes": 'Ünïcode "quoted" \\ \u2028 \u2029 😀 \n', "ok": True}],
}
# Written as entry_json writes: compact, non-ASCII kept, U+2028/U+2029 left for the renderer to escape.
TEXT = JSONText(json.dumps(DOCUMENT, ensure_ascii=False, separators=(",", ":")))


def test_json_text_is_sent_as_drf_renders_the_data():
    body = JSONRenderer().render(TEXT, "application/json")
    assert body == renderers.JSONRenderer().render(DOCUMENT, "application/json")
    assert b"\\u2028" in body and b"\\u2029" in body and "Ü".encode() in body


@pytest.mark.parametrize("media_type", ["application/json; indent=4", "application/json; indent=2"])
def test_indented_json_is_asked_for_and_given(media_type):
    body = JSONRenderer().render(TEXT, media_type, {})
    assert body == renderers.JSONRenderer().render(DOCUMENT, media_type, {})
    assert body.startswith(b"{\n")


def test_settings_that_change_drfs_output_are_followed():
    class ASCIIRenderer(JSONRenderer):
        ensure_ascii = True
        compact = False

    class StockASCIIRenderer(renderers.JSONRenderer):
        ensure_ascii = True
        compact = False

    body = ASCIIRenderer().render(TEXT, "application/json")
    assert body == StockASCIIRenderer().render(DOCUMENT, "application/json")
    assert b"\\u00dc" in body and b'"next": null' in body


def test_other_data_is_rendered_by_drf():
    data = {"detail": "Ünïcode \u2028", "when": [1, 2.5, None]}
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)
    assert JSONRenderer().render(None) == b""


def test_a_list_asked_for_indented_is_drfs_indented_rendering(as_user, alice, store_zero):
    from timesheets.models import Entry

    Entry.objects.create(owner=alice, date="2026-11-23", project=store_zero, hours=7.5, notes="Ünïcode \u2028")
    client = as_user(alice)
    compact = client.get("/api/timesheets")
    indented = client.get("/api/timesheets", HTTP_ACCEPT="application/json; indent=2")
    assert compact.status_code == indented.status_code == 200
    assert indented["Content-Type"] == "application/json"
    assert indented.content == renderers.JSONRenderer().render(compact.json(), "application/json; indent=2")
    assert indented.content != compact.content
