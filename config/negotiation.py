"""DRF's content negotiation, answered at once for the requests almost every client sends.

The API renders JSON only. A request with no Accept header, `*/*` or `application/json`, and no
`?format=`, gets what DefaultContentNegotiation would pick (the JSON renderer, application/json)
without parsing the header; any other request goes through DefaultContentNegotiation as before
(so an Accept the API cannot meet is still a 406). tests/config/test_negotiation.py holds the
two equal.
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

_PLAIN_ACCEPTS = frozenset({None, "*/*", "application/json"})


class JSONFirstContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Any, renderers: list, format_suffix: str | None = None) -> tuple[Any, str]:
        if (
            renderers
            and isinstance(renderers[0], JSONRenderer)
            and renderers[0].media_type == JSONRenderer.media_type
            and request.META.get("HTTP_ACCEPT") in _PLAIN_ACCEPTS
            and not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
