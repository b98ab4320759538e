"""The 24-hour rule holds when two requests for the same person and day race."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from timesheets import services
from timesheets.models import Entry

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 11, 23)


def test_two_concurrent_creates_cannot_exceed_24_hours(alice, store_zero):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(hours: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.entry_create(owner=alice, date=DAY, project=store_zero, hours=hours)
            result = "created"
        except ValidationError as exc:
            result = "refused: " + exc.message_dict["hours"][0]
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=("13",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.split(":")[0] for o in outcomes) == ["created", "refused"], outcomes
    assert Entry.objects.filter(owner=alice).count() == 1
    assert sum(e.hours for e in Entry.objects.filter(owner=alice)) == Decimal("13")


def test_concurrent_creates_with_the_same_uuid_make_one_entry(alice, store_zero):
    import uuid

    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    created: list[object] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            _, was_created = services.entry_create(owner=alice, date=DAY, project=store_zero, hours="2", uuid=key)
            created.append(was_created)
        except Exception as exc:
            created.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(created) == [False, True]
    assert Entry.objects.filter(owner=alice, uuid=key).count() == 1
