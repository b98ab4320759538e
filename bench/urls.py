"""The product's URLs, and the bench's "write floor": the least a request that writes a row can cost.

`POST /bench/write-floor?owner=<id>&project=<id>` is a bare Django view behind the same
middleware: no token, no parsing, no rules, no audit row; it inserts one entry in a transaction
and commits it, as durably as every write (SQLite WAL with synchronous FULL, PostgreSQL's
default fsync). POST /api/timesheets is compared with it as well as with the floor: what the
API adds to a durable commit. Served only by the bench (bench/wsgi.py), never by `make run`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as product_urlpatterns
from timesheets.models import Entry

WRITE_FLOOR_DAY = dt.date(1699, 1, 1)


@csrf_exempt
@require_POST
def write_floor(request: HttpRequest) -> JsonResponse:
    with transaction.atomic():
        entry = Entry.objects.create(
            owner_id=int(request.GET["owner"]),
            project_id=int(request.GET["project"]),
            date=WRITE_FLOOR_DAY,
            hours=Decimal("0.25"),
            uuid=uuid.uuid4(),
        )
    return JsonResponse({"id": entry.pk}, status=201)


urlpatterns = [path("bench/write-floor", write_floor), *product_urlpatterns]
