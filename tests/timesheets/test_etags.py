"""Optimistic concurrency on entries: `etag` in every representation, `ETag` headers, `If-Match` → 412."""

from __future__ import annotations

import datetime as dt

import pytest

from timesheets import services
from timesheets.models import Entry, EntryAudit, Week
from timesheets.services.entries import if_match_allows

pytestmark = pytest.mark.django_db

LIST = "/api/timesheets"


def detail(entry_id: int) -> str:
    return f"/api/timesheets/{entry_id}"


@pytest.fixture
def alice_api(as_user, alice):
    return as_user(alice)


@pytest.fixture
def entry(alice, store_zero) -> Entry:
    return services.entry_create(owner=alice, date=dt.date(2026, 11, 23), project=store_zero, hours=2)[0]


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ('"3"', True),
        ("*", True),
        (" * ", True),
        ('"1", "3"', True),
        ('"2"', False),
        ('W/"3"', False),
        ("3", False),
        ('"3', False),
        ("", False),
        ('"3" , W/"3"', True),
    ],
)
def test_if_match_compares_strongly(header, allowed):
    assert if_match_allows(header, etag='"3"') is allowed


def test_a_new_entry_is_version_1_and_post_and_get_send_its_etag(alice_api, store_zero):
    created = alice_api.post(LIST, {"date": "2026-11-23", "project": "StoreZero", "hours": 2}, format="json")
    assert created.status_code == 201
    assert created.json()["etag"] == '"1"' == created["ETag"]
    got = alice_api.get(detail(created.json()["id"]))
    assert got["ETag"] == '"1"' and got.json()["etag"] == '"1"'
    listed = alice_api.get(LIST).json()["results"]
    assert [item["etag"] for item in listed] == ['"1"']


def test_every_change_bumps_the_version(alice_api, entry, as_user, carol, alice):
    patched = alice_api.patch(detail(entry.pk), {"hours": 3}, format="json")
    assert patched.status_code == 200
    assert patched.json()["etag"] == '"2"' == patched["ETag"]
    # A PATCH that changes nothing is no new version.
    same = alice_api.patch(detail(entry.pk), {"hours": 3}, format="json")
    assert same.json()["etag"] == '"2"'
    # A decision is a change: rejecting, then the week's decision.
    rejected = as_user(carol).put(f"/api/approvals/{entry.pk}", {"status": "rejected", "comment": "no"}, format="json")
    assert rejected.json()["etag"] == '"3"'
    alice_api.patch(detail(entry.pk), {"notes": "fixed"}, format="json")  # back to pending: 4
    services.week_submit(actor=alice, monday=dt.date(2026, 11, 23))
    week = Week.objects.get(owner=alice)
    decided = as_user(carol).put(f"/api/approvals/weeks/{week.pk}", {"status": "approved"}, format="json")
    assert decided.status_code == 200
    assert [e["etag"] for e in decided.json()["entries"]] == ['"5"']
    assert Entry.objects.get(pk=entry.pk).version == 5


def test_approval_lists_carry_the_etag(as_user, carol, entry):
    entry.version = 7
    entry.save()
    assert [e["etag"] for e in as_user(carol).get("/api/approvals").json()["results"]] == ['"7"']


@pytest.mark.parametrize("header", ['"1"', "*", '"9", "1"'])
def test_patch_with_a_matching_if_match_writes(alice_api, entry, header):
    response = alice_api.patch(detail(entry.pk), {"hours": 4}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'


@pytest.mark.parametrize("header", ['"2"', 'W/"1"', "garbage"])
def test_patch_with_another_version_is_412_with_the_current_entry_and_writes_nothing(alice_api, entry, header):
    alice_api.patch(detail(entry.pk), {"notes": "changed elsewhere"}, format="json")  # now "2"
    if header == '"2"':
        header = '"1"'
    audits = EntryAudit.objects.count()
    response = alice_api.patch(detail(entry.pk), {"hours": 5}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 412, response.content
    body = response.json()
    assert body["error"] == "precondition_failed"
    assert body["error_description"]
    assert body["current"] == alice_api.get(detail(entry.pk)).json()
    assert body["current"]["notes"] == "changed elsewhere" and body["current"]["etag"] == '"2"'
    stored = Entry.objects.get(pk=entry.pk)
    assert (stored.hours, stored.version) == (2, 2)
    assert EntryAudit.objects.count() == audits


def test_delete_honours_if_match(alice_api, entry):
    stale = alice_api.delete(detail(entry.pk), HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412
    assert stale.json()["current"]["id"] == entry.pk
    assert Entry.objects.filter(pk=entry.pk).exists()
    weak = alice_api.delete(detail(entry.pk), HTTP_IF_MATCH='W/"1"')
    assert weak.status_code == 412
    assert alice_api.delete(detail(entry.pk), HTTP_IF_MATCH='"1"').status_code == 204
    assert not Entry.objects.filter(pk=entry.pk).exists()


def test_delete_with_star_and_without_if_match(alice_api, entry, alice, store_zero):
    assert alice_api.delete(detail(entry.pk), HTTP_IF_MATCH="*").status_code == 204
    other = services.entry_create(owner=alice, date=dt.date(2026, 11, 24), project=store_zero, hours=1)[0]
    assert alice_api.delete(detail(other.pk)).status_code == 204


def test_if_match_on_someone_elses_entry_is_still_a_404(as_user, bob, entry):
    assert as_user(bob).patch(detail(entry.pk), {"hours": 1}, format="json", HTTP_IF_MATCH="*").status_code == 404


def test_the_412_comes_before_the_lock_check(alice_api, alice, carol, store_zero):
    """A stale client learns the entry changed (it was approved) from `current`, whatever else is wrong."""
    entry = services.entry_create(owner=alice, date=dt.date(2026, 11, 23), project=store_zero, hours=2)[0]
    services.entry_approve(entry=entry, actor=carol)
    response = alice_api.patch(detail(entry.pk), {"hours": 1}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert response.json()["current"]["status"] == "approved"
    assert alice_api.patch(detail(entry.pk), {"hours": 1}, format="json", HTTP_IF_MATCH='"2"').status_code == 409
