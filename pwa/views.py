from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def shell(request: HttpRequest) -> HttpResponse:
    return render(request, "pwa/placeholder.html")
