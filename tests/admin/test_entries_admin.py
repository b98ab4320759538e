"""The managers' entries admin, through Django's test client."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from authn.models import User
from tests.admin.conftest import MONDAY, log
from timesheets import services
from timesheets.models import Entry, EntryAudit, EntryStatus

CHANGELIST = "/admin/timesheets/entry/"

pytestmark = pytest.mark.django_db


def totals_of(response) -> tuple[Decimal, Decimal]:
    html = response.content.decode()
    hours = re.search(r'data-total-hours="([\d.]+)"', html)
    pending = re.search(r'data-pending-hours="([\d.]+)"', html)
    assert hours and pending, "the totals line is missing"
    return Decimal(hours.group(1)), Decimal(pending.group(1))


def listed_ids(response) -> set[int]:
    return {entry.pk for entry in response.context["cl"].result_list}


def change_url(entry: Entry) -> str:
    return reverse("admin:timesheets_entry_change", args=[entry.pk])


# --- who gets in ------------------------------------------------------------------------------


def test_employee_cannot_sign_in_to_the_admin(alice: User) -> None:
    alice.set_password("alice-pass-123")
    alice.save()
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "alice", "password": "alice-pass-123"})
    assert response.status_code == 200  # the form again, with an error
    assert "staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_employee_session_gets_no_admin_pages(alice: User, week_entries) -> None:
    client = Client()
    client.force_login(alice)
    for url in (
        "/admin/",
        CHANGELIST,
        reverse("admin:timesheets_entry_export"),
        reverse("admin:timesheets_entry_weekly_summary"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url


def test_manager_is_staff_not_superuser_and_sees_the_reports_link(manager_client: Client, manager: User) -> None:
    assert manager.is_staff and not manager.is_superuser
    response = manager_client.get("/admin/")
    assert response.status_code == 200
    assert reverse("admin:timesheets_entry_weekly_summary") in response.content.decode()
    # Managers don't manage accounts.
    assert manager_client.get("/admin/authn/user/").status_code == 403


def test_managers_group_holds_exactly_the_needed_permissions(managers_group) -> None:
    names = set(managers_group.permissions.values_list("content_type__app_label", "codename"))
    assert names == set(services.MANAGER_PERMISSIONS)
    # Running it again (demo_tenant on every `make run`) repairs a group changed by hand.
    managers_group.permissions.add(Permission.objects.get(codename="delete_entry"))
    again = services.managers_group_ensure()
    assert again.pk == managers_group.pk
    assert set(again.permissions.values_list("content_type__app_label", "codename")) == names


# --- list, filters, search, totals -------------------------------------------------------------


def test_list_shows_employee_date_project_hours_status_and_decider(manager_client: Client, week_entries) -> None:
    services.entry_approve(entry=week_entries["bob_wed"], actor=User.objects.get(username="carol"))
    response = manager_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Alice Employee", "Bob Employee", "StoreZero", "Auth0 Dashboard", "7.50", "Approved", "Pending"):
        assert text in html
    assert "Carol Manager" in html  # who decided bob's entry
    assert listed_ids(response) == {e.pk for e in week_entries.values()}


def test_filters_by_status_project_employee_week_and_date(manager_client: Client, week_entries, alice, dashboard):
    services.entry_approve(entry=week_entries["alice_mon"], actor=User.objects.get(username="carol"))
    e = week_entries

    def ids(query: str) -> set[int]:
        response = manager_client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200, query
        return listed_ids(response)

    assert ids("status__exact=approved") == {e["alice_mon"].pk}
    assert ids(f"project__id__exact={dashboard.pk}") == {e["alice_tue"].pk, e["bob_wed"].pk}
    assert ids(f"owner__id__exact={alice.pk}") == {e["alice_mon"].pk, e["alice_tue"].pk, e["alice_fri"].pk}
    this_week = {k for k in e if k != "bob_prev"}
    assert ids(f"week={MONDAY.isoformat()}") == {e[k].pk for k in this_week}
    # any day of the week names the week
    assert ids(f"week={(MONDAY + dt.timedelta(days=3)).isoformat()}") == {e[k].pk for k in this_week}
    assert ids("date__year=2025&date__month=2") == {e["bob_prev"].pk}
    assert ids(f"date__year=2025&date__month=3&date__day=4&owner__id__exact={alice.pk}") == {e["alice_tue"].pk}
    # a nonsense week is reported, not a crash
    assert manager_client.get(f"{CHANGELIST}?week=next-tuesday").status_code == 302


def test_search_by_employee_project_and_notes(manager_client: Client, week_entries) -> None:
    def ids(q: str) -> set[int]:
        return listed_ids(manager_client.get(CHANGELIST, {"q": q}))

    assert ids("bob@abc.example") == {week_entries["bob_wed"].pk, week_entries["bob_prev"].pk}
    assert ids("E001") == {week_entries[k].pk for k in ("alice_mon", "alice_tue", "alice_fri")}
    assert ids("Reviews") == {week_entries["bob_wed"].pk}


def test_totals_are_those_of_the_filtered_list(manager_client: Client, week_entries, alice) -> None:
    assert totals_of(manager_client.get(CHANGELIST)) == (Decimal("33.5"), Decimal("33.5"))
    assert totals_of(manager_client.get(f"{CHANGELIST}?week={MONDAY.isoformat()}")) == (
        Decimal("30.5"),
        Decimal("30.5"),
    )
    services.entry_approve(entry=week_entries["alice_mon"], actor=User.objects.get(username="carol"))
    response = manager_client.get(f"{CHANGELIST}?week={MONDAY.isoformat()}&owner__id__exact={alice.pk}")
    assert totals_of(response) == (Decimal("19.5"), Decimal("11.5"))


def test_totals_cover_every_page_not_just_the_one_shown(manager_client: Client, week_entries, monkeypatch) -> None:
    from timesheets.admin import EntryAdmin

    monkeypatch.setattr(EntryAdmin, "list_per_page", 2)
    response = manager_client.get(f"{CHANGELIST}?week={MONDAY.isoformat()}")
    assert len(listed_ids(response)) == 2
    assert totals_of(response)[0] == Decimal("30.5")


# --- approve and reject ----------------------------------------------------------------------


def post_action(client: Client, action: str, entries: list[Entry], **extra: str):
    data = {"action": action, "_selected_action": [str(e.pk) for e in entries], "index": "0", **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_approve_action_uses_the_service_and_audits(manager_client: Client, manager, week_entries) -> None:
    chosen = [week_entries["alice_mon"], week_entries["bob_wed"]]
    response = post_action(manager_client, "approve_selected", chosen)
    assert "Approved 2 entries." in response.content.decode()
    for entry in chosen:
        entry.refresh_from_db()
        assert entry.status == EntryStatus.APPROVED
        assert entry.decided_by == manager and entry.decided_at is not None
        audit = EntryAudit.objects.get(entry=entry, action=EntryAudit.Action.APPROVED)
        assert audit.actor == manager
    week_entries["alice_tue"].refresh_from_db()
    assert week_entries["alice_tue"].status == EntryStatus.PENDING


def test_self_approval_is_refused_with_a_message(manager_client: Client, week_entries) -> None:
    own, other = week_entries["carol_thu"], week_entries["alice_fri"]
    response = post_action(manager_client, "approve_selected", [own, other])
    html = response.content.decode()
    assert "You cannot approve or reject your own entries." in html
    assert "Approved 1 entry." in html
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == EntryStatus.PENDING and own.decided_by is None
    assert other.status == EntryStatus.APPROVED
    assert not EntryAudit.objects.filter(entry=own, action=EntryAudit.Action.APPROVED).exists()


def test_deciding_twice_is_reported(manager_client: Client, week_entries) -> None:
    entry = week_entries["bob_wed"]
    post_action(manager_client, "approve_selected", [entry])
    response = post_action(manager_client, "approve_selected", [entry])
    assert "This entry is already approved." in response.content.decode()
    assert EntryAudit.objects.filter(entry=entry, action=EntryAudit.Action.APPROVED).count() == 1


def test_reject_asks_for_a_comment_first(manager_client: Client, manager, week_entries) -> None:
    chosen = [week_entries["alice_tue"], week_entries["bob_wed"]]
    first = manager_client.post(
        CHANGELIST, {"action": "reject_selected", "_selected_action": [str(e.pk) for e in chosen], "index": "0"}
    )
    assert first.status_code == 200
    assert "timesheets/admin/entry_reject.html" in [t.name for t in first.templates]
    assert 'name="comment"' in first.content.decode()
    assert Entry.objects.filter(pk__in=[e.pk for e in chosen], status=EntryStatus.PENDING).count() == 2

    empty = post_action(manager_client, "reject_selected", chosen, apply="Reject entries", comment="   ")
    assert "timesheets/admin/entry_reject.html" in [t.name for t in empty.templates]
    assert Entry.objects.filter(pk__in=[e.pk for e in chosen], status=EntryStatus.PENDING).count() == 2

    done = post_action(manager_client, "reject_selected", chosen, apply="Reject entries", comment="Wrong project")
    assert "Rejected 2 entries." in done.content.decode()
    for entry in chosen:
        entry.refresh_from_db()
        assert entry.status == EntryStatus.REJECTED
        assert entry.decision_comment == "Wrong project"
        audit = EntryAudit.objects.get(entry=entry, action=EntryAudit.Action.REJECTED)
        assert audit.comment == "Wrong project" and audit.actor == manager


def test_employee_given_staff_without_the_group_cannot_decide(alice, week_entries) -> None:
    alice.is_staff = True
    alice.save()
    client = Client()
    client.force_login(alice)
    assert client.get(CHANGELIST).status_code == 403
    post_action(client, "approve_selected", [week_entries["bob_wed"]])
    week_entries["bob_wed"].refresh_from_db()
    assert week_entries["bob_wed"].status == EntryStatus.PENDING


# --- the entry page ---------------------------------------------------------------------------


def test_approved_entry_is_read_only(manager_client: Client, manager, week_entries) -> None:
    entry = week_entries["alice_mon"]
    services.entry_approve(entry=entry, actor=manager)
    page = manager_client.get(change_url(entry))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html and 'name="hours"' not in html
    response = manager_client.post(
        change_url(entry), {"date": entry.date.isoformat(), "project": entry.project_id, "hours": "1", "notes": "x"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.hours == Decimal("8.00") and entry.notes == "Checkout flow"


def entry_form(entry: Entry, **changes: str) -> dict[str, str]:
    data = {
        "date": entry.date.isoformat(),
        "project": str(entry.project_id),
        "hours": str(entry.hours),
        "notes": entry.notes,
        "audit-TOTAL_FORMS": "0",
        "audit-INITIAL_FORMS": "0",
        "audit-MIN_NUM_FORMS": "0",
        "audit-MAX_NUM_FORMS": "0",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_pending_entry_corrections_go_through_the_service(manager_client: Client, manager, week_entries) -> None:
    entry = week_entries["bob_wed"]
    response = manager_client.post(change_url(entry), entry_form(entry, hours="6.5"))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.hours == Decimal("6.50")
    audit = EntryAudit.objects.get(entry=entry, action=EntryAudit.Action.UPDATED)
    assert audit.actor == manager and audit.changes["hours"] == {"before": "6.00", "after": "6.50"}


def test_entry_corrections_keep_the_rules(manager_client: Client, week_entries, alice, store_zero) -> None:
    entry = week_entries["alice_mon"]
    log(alice, store_zero, MONDAY, "10")
    for hours, message in (("7.1", "quarter hours"), ("15", "at most 24 hours can be logged per day")):
        response = manager_client.post(change_url(entry), entry_form(entry, hours=hours))
        assert response.status_code == 200
        assert message in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal("8.00")
    assert not EntryAudit.objects.filter(entry=entry, action=EntryAudit.Action.UPDATED).exists()


def test_decision_history_is_shown_on_the_entry(manager_client: Client, manager, week_entries) -> None:
    entry = week_entries["alice_tue"]
    services.entry_reject(entry=entry, actor=manager, comment="Which client was this for?")
    services.entry_update(entry=entry, actor=entry.owner, notes="Client call for StoreZero")
    services.entry_approve(entry=entry, actor=manager, comment="Thanks")
    html = manager_client.get(change_url(entry)).content.decode()
    assert "Decision history" in html
    for text in ("Rejected", "Which client was this for?", "Updated", "Approved", "Thanks", "Created"):
        assert text in html, text
    assert html.index("Thanks") < html.index("Which client was this for?")  # newest first
    # the history cannot be edited from the page
    assert 'name="audit-0-comment"' not in html


def test_entries_cannot_be_added_or_deleted_in_the_admin(manager_client: Client, week_entries) -> None:
    assert manager_client.get("/admin/timesheets/entry/add/").status_code == 403
    entry = week_entries["bob_wed"]
    assert manager_client.post(f"/admin/timesheets/entry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Entry.objects.filter(pk=entry.pk).exists()
