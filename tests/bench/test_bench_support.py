"""What `make bench` relies on: valid generated data, and the stand-in issuer found by discovery.

The bench itself asserts no timings; these tests check its inputs only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, F, Q, Sum

from authn.issuer import issuer_endpoints
from bench import data
from timesheets.models import Entry, EntryAudit, EntryStatus


@pytest.fixture
def people(db) -> data.People:
    return data.create_people()


def test_generated_entries_keep_every_rule(people: data.People) -> None:
    data.give_entries(people, people.alice, 10)
    data.give_entries(people, people.heidi, 500)
    data.add_filler(people, 0, 3000)

    assert Entry.objects.count() == 3510
    assert Entry.objects.filter(owner=people.alice).count() == 10
    # Filler rows: 200 employees, 15 each, one per employee and day.
    per_employee = Entry.objects.filter(owner__employee_number__startswith="E").values("owner").annotate(n=Count("id"))
    assert len(per_employee) == data.EMPLOYEES
    assert {row["n"] for row in per_employee} == {15}
    busiest_day = Entry.objects.values("owner", "date").annotate(total=Sum("hours")).order_by("-total").first()
    assert busiest_day["total"] <= 24
    decided = Entry.objects.exclude(status=EntryStatus.PENDING)
    assert decided.exists()
    assert not decided.filter(Q(decided_by__isnull=True) | Q(decided_at__isnull=True)).exists()
    assert not Entry.objects.filter(decided_by=F("owner")).exists()
    assert set(Entry.objects.values_list("status", flat=True)) == set(EntryStatus.values)
    assert all((hours * 4) % 1 == 0 for hours in Entry.objects.values_list("hours", flat=True))
    assert Entry.objects.values("owner", "uuid").distinct().count() == 3510
    assert Entry.objects.filter(owner__employee_number="E001").order_by("date").first().date == dt.date(2000, 1, 1)


def test_bulk_create_comparison_writes_what_an_upload_writes_and_is_removed(people: data.People) -> None:
    data.add_filler(people, 0, 400)

    data.bulk_create_batch(people, first_day=(dt.date(2100, 1, 1) - dt.date(1970, 1, 1)).days)

    batch = Entry.objects.filter(source="batch", client_id=data.BATCH_CLIENT_ID)
    assert batch.count() == 1000
    audits = EntryAudit.objects.filter(entry__in=batch, action=EntryAudit.Action.CREATED)
    assert audits.count() == 1000
    assert audits.first().changes["after"]["project"] == "StoreZero"
    data.delete_batch_entries()
    assert Entry.objects.count() == 400
    assert not EntryAudit.objects.exists()


def test_the_manager_can_use_the_admin(people: data.People) -> None:
    assert people.carol.is_staff and not people.carol.is_superuser
    assert people.carol.has_perm("timesheets.view_entry")
    assert people.carol.check_password(people.carol_password)


def test_a_server_trusting_the_stand_in_issuer_by_discovery_accepts_its_tokens(
    settings, issuer, as_user, alice
) -> None:
    settings.OIDC_ISSUER = issuer.url  # as the bench sets it: endpoints from the discovery document

    assert issuer_endpoints().jwks_uri == issuer.url + ".well-known/jwks.json"
    response = as_user(alice, scopes=["read:timesheets"]).get("/api/me")

    assert response.status_code == 200, response.content
    assert response.json()["sub"] == alice.sub


@pytest.mark.urls("bench.urls")
def test_the_write_floor_inserts_one_row_and_the_product_routes_stay(client, people: data.People) -> None:
    path = f"/bench/write-floor?owner={people.dave.pk}&project={people.first_project_id}"
    before = Entry.objects.filter(owner=people.dave).count()
    response = client.post(path, b"{}", content_type="application/json")
    assert response.status_code == 201
    assert Entry.objects.filter(owner=people.dave).count() == before + 1
    assert client.get(path).status_code == 405
    assert client.get("/livez").status_code == 200  # the product's URLs are all there


def test_make_run_does_not_serve_the_write_floor(client) -> None:
    assert client.post("/bench/write-floor?owner=1&project=1").status_code == 404


def test_the_driver_waits_until_the_server_has_answered_every_connection() -> None:
    """After wrk stops, a connection the server still holds (open, or closed by the client only) is work in flight."""
    import socket

    from bench.server import Gunicorn

    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = Gunicorn.__new__(Gunicorn)  # only its port: no process is started
        server.port = listener.getsockname()[1]
        assert server._open_connections() == 0  # the listening socket holds no request
        client = socket.create_connection(("127.0.0.1", server.port))
        accepted, _ = listener.accept()
        assert server._open_connections() == 1
        client.close()  # wrk gone, the server not done: CLOSE_WAIT still counts
        assert server._open_connections() == 1
        with pytest.raises(RuntimeError, match="still holds connections"):
            server.wait_idle(timeout=0.05)
        accepted.close()
        server.wait_idle(timeout=5)
        assert server._open_connections() == 0
