"""The short-cut content negotiation picks what DRF's DefaultContentNegotiation picks, for any Accept and format."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.negotiation import JSONFirstContentNegotiation
from config.renderers import JSONRenderer as ProductJSONRenderer

ACCEPTS = [
    None,
    "",
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, application/json;q=0.9",
    "application/xml",
]


def _pick(negotiation, accept, query, renderers, suffix=None):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(APIRequestFactory().get("/api/timesheets" + query, **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except exceptions.NotAcceptable:
        return "406"
    except Http404:  # a ?format= or suffix no renderer has
        return "404"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?page_size=3"])
@pytest.mark.parametrize("suffix", [None, "json"])
@pytest.mark.parametrize(
    "renderer_classes",
    [
        [JSONRenderer],
        [JSONRenderer, BrowsableAPIRenderer],
        [ProductJSONRenderer],
        [ProductJSONRenderer, BrowsableAPIRenderer],
    ],
)
def test_the_short_cut_picks_what_drf_picks(accept, query, suffix, renderer_classes):
    renderers = [cls() for cls in renderer_classes]
    expected = _pick(DefaultContentNegotiation(), accept, query, renderers, suffix)
    assert _pick(JSONFirstContentNegotiation(), accept, query, renderers, suffix) == expected


def test_an_accept_the_api_cannot_meet_is_still_a_406(client):
    response = client.get("/api/timesheets", HTTP_ACCEPT="text/html", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code in (401, 406)  # authentication runs first; negotiation still refuses text/html
