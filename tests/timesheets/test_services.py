"""The services themselves: each rule has one home, and every way in (API, admin, upload) hears the same verdict."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authn.principals import MachineClient
from tests.support.entries import decided_entry
from timesheets import services
from timesheets.admin import EntryAdminForm
from timesheets.errors import EntryLocked, PersonRequired, UploadRejected
from timesheets.models import MAX_HOURS_PER_DAY, MAX_NOTES_LENGTH, Entry, EntryAudit, EntryStatus
from timesheets.services.entries import entry_snapshot

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 23)
NEXT_DAY = DAY + dt.timedelta(days=1)


def log(owner, project, day: dt.date, hours: str, notes: str = "") -> Entry:
    entry, created = services.entry_create(owner=owner, date=day, project=project, hours=hours, notes=notes)
    assert created
    return entry


def upload_item(owner, project, day: dt.date, hours: str, notes: str = "") -> services.UploadItem:
    return services.UploadItem(
        user_ref=owner.email, date=day, project_ref=project.name, hours=Decimal(hours), notes=notes
    )


def admin_form(entry: Entry, **changes) -> EntryAdminForm:
    data = {
        "date": entry.date.isoformat(),
        "project": entry.project_id,
        "hours": str(entry.hours),
        "notes": entry.notes,
    }
    data.update(changes)
    return EntryAdminForm(data=data, instance=entry)


def upload_errors(items: list[services.UploadItem]) -> list[dict]:
    with pytest.raises(UploadRejected) as caught:
        services.entries_upload(items=items, client_id="batch-client")
    return caught.value.items


# --- the 24-hour rule ------------------------------------------------------------------------


def test_the_24_hour_rule_says_the_same_everywhere(alice, store_zero):
    """20 h booked on DAY; adding 5 more is refused with one and the same message by every way in."""
    log(alice, store_zero, DAY, "12")
    log(alice, store_zero, DAY, "8")
    other_day = log(alice, store_zero, NEXT_DAY, "1")
    expected = services.day_total_error(booked=Decimal(20), adding=Decimal(5), date=DAY)
    assert expected == (
        f"That makes 25 hours on {DAY.isoformat()}; at most 24 hours can be logged per day (20 already logged)."
    )

    with pytest.raises(ValidationError) as created:
        services.entry_create(owner=alice, date=DAY, project=store_zero, hours="5")
    with pytest.raises(ValidationError) as updated:
        services.entry_update(entry=other_day, actor=alice, date=DAY, hours="5")
    uploaded = upload_errors([upload_item(alice, store_zero, DAY, "5")])
    form = admin_form(other_day, date=DAY.isoformat(), hours="5")
    assert not form.is_valid()
    errors = services.entry_update_errors(entry=other_day, date=DAY, hours="5")

    def same(message: str) -> str:  # the sums are Decimals: "25.00" on one backend is "25" on another
        return message.replace(".00", "")

    assert same(created.value.message_dict["hours"][0]) == expected
    assert same(updated.value.message_dict["hours"][0]) == expected
    assert [same(m) for m in uploaded[0]["fields"]["hours"]] == [expected]
    assert [same(m) for m in form.errors["hours"]] == [expected]
    assert [same(m) for m in errors["hours"]] == [expected]
    assert Entry.objects.filter(owner=alice, date=DAY).count() == 2
    assert not EntryAudit.objects.filter(action=EntryAudit.Action.UPDATED).exists()


def test_exactly_24_hours_is_allowed_and_counts_earlier_items_of_the_same_upload(alice, store_zero):
    log(alice, store_zero, DAY, "20")
    result = services.entries_upload(
        items=[upload_item(alice, store_zero, DAY, "3"), upload_item(alice, store_zero, DAY, "1")],
        client_id="batch-client",
    )
    assert result.created_count == 2
    assert sum(e.hours for e in Entry.objects.filter(owner=alice, date=DAY)) == MAX_HOURS_PER_DAY
    items = upload_errors(
        [upload_item(alice, store_zero, NEXT_DAY, "20"), upload_item(alice, store_zero, NEXT_DAY, "4.25")]
    )
    assert [i["index"] for i in items] == [1]


def test_the_day_total_is_checked_only_when_the_date_or_the_hours_change(alice, store_zero, dashboard):
    entry = log(alice, store_zero, DAY, "24")
    assert services.entry_update_errors(entry=entry, notes="more detail", project=dashboard) == {}
    assert services.entry_update_errors(entry=entry, hours="24") == {}
    assert "hours" in services.entry_update_errors(entry=entry, hours="24.25")


# --- approved entries are locked ------------------------------------------------------------


def test_an_approved_entry_is_locked_everywhere(alice, carol, store_zero):
    entry = decided_entry(owner=alice, by=carol, project=store_zero, date=DAY.isoformat(), hours=4)
    entry.refresh_from_db()
    message = "This entry is approved and can no longer be changed."

    assert services.entry_update_errors(entry=entry, hours="2") == {NON_FIELD_ERRORS: [message]}
    with pytest.raises(EntryLocked) as updated:
        services.entry_update(entry=entry, actor=alice, hours="2")
    assert updated.value.message == message
    form = admin_form(entry, hours="2")
    assert not form.is_valid()
    assert form.non_field_errors() == [message]
    with pytest.raises(EntryLocked):
        services.entry_delete(entry=entry, actor=alice)
    entry.refresh_from_db()
    assert (entry.hours, entry.status) == (Decimal("4.00"), EntryStatus.APPROVED)


def test_a_rejected_entry_can_be_corrected_and_goes_back_to_pending(alice, carol, store_zero):
    entry = decided_entry(
        owner=alice, by=carol, project=store_zero, date=DAY.isoformat(), hours=4, status="rejected", comment="why?"
    )
    assert services.entry_update_errors(entry=entry, hours="3") == {}
    entry = services.entry_update(entry=entry, actor=alice, hours="3")
    assert (entry.status, entry.decided_by, entry.decision_comment) == (EntryStatus.PENDING, None, "")


# --- archived projects ------------------------------------------------------------------------


def test_an_archived_project_takes_no_new_time_anywhere(alice, store_zero, dashboard):
    entry = log(alice, store_zero, DAY, "2")
    dashboard.active = False
    dashboard.save()
    message = "Project 'Auth0 Dashboard' is archived and takes no new time."

    with pytest.raises(ValidationError) as created:
        services.entry_create(owner=alice, date=DAY, project=dashboard, hours="1")
    with pytest.raises(ValidationError) as updated:
        services.entry_update(entry=entry, actor=alice, project=dashboard)
    uploaded = upload_errors([upload_item(alice, dashboard, DAY, "1")])
    form = admin_form(entry, project=dashboard.pk)
    assert not form.is_valid()

    assert created.value.message_dict == {"project": [message]}
    assert updated.value.message_dict == {"project": [message]}
    assert uploaded == [{"index": 0, "fields": {"project": [message]}}]
    assert form.errors["project"] == [message]
    assert Entry.objects.count() == 1


def test_an_entry_stays_editable_on_a_project_archived_since(alice, store_zero):
    entry = log(alice, store_zero, DAY, "2")
    store_zero.active = False
    store_zero.save()
    assert services.entry_update_errors(entry=entry, project=store_zero, hours="3") == {}
    assert admin_form(entry, hours="3").is_valid()
    assert services.entry_update(entry=entry, actor=alice, project=store_zero, hours="3").hours == Decimal("3.00")


# --- the field-error service ----------------------------------------------------------------------


def test_entry_update_errors_lists_every_field_problem_at_once(alice, store_zero, dashboard):
    entry = log(alice, store_zero, DAY, "2")
    dashboard.active = False
    dashboard.save()
    errors = services.entry_update_errors(
        entry=entry, project=dashboard, hours="7.1", notes="x" * (MAX_NOTES_LENGTH + 1), date=DAY
    )
    assert set(errors) == {"project", "hours", "notes"}
    assert errors["hours"] == ["Hours must be in quarter hours (e.g. 7.25, 7.5, 7.75)."]
    assert errors["notes"] == [f"Notes can be at most {MAX_NOTES_LENGTH} characters."]
    with pytest.raises(ValidationError) as refused:
        services.entry_update(entry=entry, actor=alice, project=dashboard, hours="7.1")
    assert set(refused.value.message_dict) == {"project", "hours"}
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.00")


def test_entry_update_errors_is_empty_for_a_valid_change_and_writes_nothing(alice, store_zero, dashboard):
    entry = log(alice, store_zero, DAY, "2")
    assert services.entry_update_errors(entry=entry, date=NEXT_DAY, project=dashboard, hours="7.5", notes="ok") == {}
    entry.refresh_from_db()
    assert (entry.date, entry.project, entry.hours) == (DAY, store_zero, Decimal("2.00"))
    assert not EntryAudit.objects.filter(action=EntryAudit.Action.UPDATED).exists()


# --- who may decide ----------------------------------------------------------------------------------


def test_a_machine_client_cannot_decide_and_is_told_so(alice, store_zero):
    entry = log(alice, store_zero, DAY, "2")
    with pytest.raises(PersonRequired) as refused:
        services.entry_approve(entry=entry, actor=MachineClient("batch-client"))
    assert (refused.value.code, refused.value.status) == ("person_required", 403)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_a_machine_client_deciding_over_the_api_gets_person_required(as_machine, alice, store_zero):
    entry = log(alice, store_zero, DAY, "2")
    client = as_machine(scopes=["approve:timesheets"])
    for path, body in ((f"/api/approvals/{entry.pk}", {"status": "approved"}), (f"/approvals/{entry.pk}", {})):
        response = client.put(path, body, format="json")
        assert response.status_code == 403
        assert response.json() == {
            "error": "person_required",
            "error_description": "Only a person can approve or reject entries.",
        }
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_people_and_machine_clients_say_which_they_are(alice):
    assert alice.is_person is True
    assert MachineClient("batch-client").is_person is False


# --- the upload writes in bulk -------------------------------------------------------------------


def _upload_queries(owners, project, count: int, month: int) -> tuple[int, int]:
    items = [
        services.UploadItem(
            user_ref=owners[i % len(owners)].email,
            date=dt.date(2026, month, 1 + i % 28),
            project_ref=project.name,
            hours=Decimal("0.25"),
            notes=f"row {i}",
            uuid=uuid.uuid4(),
        )
        for i in range(count)
    ]
    with CaptureQueriesContext(connection) as captured:
        result = services.entries_upload(items=items, client_id="batch-client")
    assert result.created_count == count
    inserts = sum(1 for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("INSERT"))
    return len(captured) - inserts, inserts


def test_an_upload_reads_the_same_number_of_times_for_10_items_as_for_1000(alice, bob, store_zero):
    few_reads, _ = _upload_queries([alice, bob], store_zero, 10, month=1)
    many_reads, many_inserts = _upload_queries([alice, bob], store_zero, 1000, month=2)
    assert few_reads == many_reads
    assert many_reads <= 8  # users, projects, the row lock, earlier uploads, day totals (+ savepoints)
    # The inserts are bulk: as few statements as the backend's parameter limit allows, for entries and audit rows.
    rows = [None] * 1000
    entry_batch = connection.ops.bulk_batch_size([f for f in Entry._meta.concrete_fields if not f.primary_key], rows)
    audit_batch = connection.ops.bulk_batch_size(
        [f for f in EntryAudit._meta.concrete_fields if not f.primary_key], rows
    )
    assert many_inserts == math.ceil(1000 / entry_batch) + math.ceil(1000 / audit_batch)
    assert EntryAudit.objects.filter(action=EntryAudit.Action.CREATED, client_id="batch-client").count() == 1010


def test_upload_results_are_complete_without_reading_back(alice, store_zero):
    result = services.entries_upload(
        items=[upload_item(alice, store_zero, DAY, "1.5", notes="n")], client_id="batch-client"
    )
    [entry] = result.entries
    stored = Entry.objects.select_related("owner", "project").get(pk=entry.pk)
    for field in ("id", "uuid", "date", "hours", "notes", "status", "source", "client_id", "owner", "project"):
        assert getattr(entry, field) == getattr(stored, field), field
    assert entry.created_at == stored.created_at and entry.decided_by is None
    audit = EntryAudit.objects.get(entry=stored)
    assert audit.changes == {"after": entry_snapshot(stored)}
    assert (audit.action, audit.owner, audit.actor, audit.client_id) == ("created", alice, None, "batch-client")
