"""The API's JSON renderer: DRF's, which also sends a document a view has already written as JSON text.

A hot list writes its page as text (timesheets/api/entry_json.py) instead of building dicts for
json.dumps to walk; the view still answers through DRF (authentication, scopes, negotiation, the
exception handler, headers), and hands the text over as `JSONText`. It is sent as DRF's renderer
would have written the same data, with U+2028 and U+2029 escaped the same way. When the request
asks for indented JSON (`Accept: application/json; indent=4`) or the settings change DRF's output
(UNICODE_JSON, COMPACT_JSON), the text is parsed and rendered by DRF as any other data.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework import renderers


class JSONText(str):
    """A JSON document, written compact (no spaces), with non-ASCII characters as they are."""


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if type(data) is JSONText:
            if (
                self.compact
                and not self.ensure_ascii
                and self.get_indent(accepted_media_type, renderer_context or {}) is None
            ):
                return data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
            data = json.loads(data)
        return super().render(data, accepted_media_type, renderer_context)
