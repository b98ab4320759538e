"""The admin's Weeks list: filters, totals, links, approve/reject through the services; the lock in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.admin.conftest import MONDAY
from timesheets import services
from timesheets.models import Entry, EntryAudit, EntryStatus, Week, WeekAudit, WeekState

pytestmark = pytest.mark.django_db

WEEKS = "/admin/timesheets/week/"


@pytest.fixture
def submitted(week_entries, alice, bob, manager) -> dict[str, Week]:
    """Alice's and bob's weeks of MONDAY, and carol's (the manager's own), submitted."""
    return {
        "alice": services.week_submit(actor=alice, monday=MONDAY),
        "bob": services.week_submit(actor=bob, monday=MONDAY),
        "carol": services.week_submit(actor=manager, monday=MONDAY),
    }


def post_action(client: Client, action: str, weeks: list[Week], **extra: str):
    data = {"action": action, "_selected_action": [str(w.pk) for w in weeks], "index": "0", **extra}
    return client.post(WEEKS, data, follow=True)


def test_the_list_shows_state_totals_and_links_to_the_entries(manager_client: Client, submitted, alice):
    response = manager_client.get(WEEKS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Employee" in html and "2025-W10" in html
    assert "19.50" in html  # alice: 8 + 7.5 + 4
    assert "3 / 0 / 0" in html
    assert f"/admin/timesheets/entry/?owner__id__exact={alice.pk}&amp;week=2025-03-03" in html
    entries = manager_client.get(f"/admin/timesheets/entry/?owner__id__exact={alice.pk}&week=2025-03-03")
    assert entries.status_code == 200 and entries.context["cl"].result_count == 3


def test_filters_by_state_week_and_employee(manager_client: Client, submitted, bob):
    services.week_approve(week=submitted["bob"], actor=submitted["carol"].owner)

    def listed(query: str) -> set[int]:
        return {w.pk for w in manager_client.get(WEEKS + query).context["cl"].result_list}

    assert listed("?state__exact=submitted") == {submitted["alice"].pk, submitted["carol"].pk}
    assert listed("?state__exact=approved") == {submitted["bob"].pk}
    assert listed("?monday=2025-03-05") == set(w.pk for w in submitted.values())  # any day of the week
    assert listed("?monday=2025-03-10") == set()
    assert listed(f"?owner__id__exact={bob.pk}") == {submitted["bob"].pk}


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    manager_client: Client, submitted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        manager_client.get(WEEKS)


def test_approve_action_approves_the_weeks_and_their_entries(manager_client: Client, manager, submitted, week_entries):
    response = post_action(manager_client, "approve_selected", [submitted["alice"], submitted["carol"]])
    html = response.content.decode()
    assert "Approved 1 week." in html
    assert "You cannot approve or reject your own week." in html
    submitted["alice"].refresh_from_db()
    assert (submitted["alice"].state, submitted["alice"].decided_by) == (WeekState.APPROVED, manager)
    assert set(Entry.objects.filter(owner=submitted["alice"].owner).values_list("status", flat=True)) == {"approved"}
    assert EntryAudit.objects.filter(action="approved", actor=manager).count() == 3
    assert WeekAudit.objects.filter(action="approved", actor=manager).count() == 1
    assert Week.objects.get(pk=submitted["carol"].pk).state == WeekState.SUBMITTED


def test_reject_action_asks_for_a_comment_first(manager_client: Client, submitted):
    chosen = [submitted["alice"], submitted["bob"]]
    first = manager_client.post(
        WEEKS, {"action": "reject_selected", "_selected_action": [str(w.pk) for w in chosen], "index": "0"}
    )
    assert "timesheets/admin/week_reject.html" in [t.name for t in first.templates]
    assert 'name="comment"' in first.content.decode()
    empty = post_action(manager_client, "reject_selected", chosen, apply="Reject weeks", comment="  ")
    assert "timesheets/admin/week_reject.html" in [t.name for t in empty.templates]
    assert Week.objects.filter(state=WeekState.SUBMITTED).count() == 3

    done = post_action(manager_client, "reject_selected", chosen, apply="Reject weeks", comment="Missing Thursday")
    assert "Rejected 2 weeks." in done.content.decode()
    for week in chosen:
        week.refresh_from_db()
        assert (week.state, week.comment) == (WeekState.REJECTED, "Missing Thursday")
    alice_entries = Entry.objects.filter(owner=submitted["alice"].owner)
    assert set(alice_entries.values_list("status", "decision_comment")) == {(EntryStatus.PENDING, "Missing Thursday")}


def test_an_entry_of_a_submitted_week_is_read_only_in_the_admin(manager_client: Client, submitted, week_entries):
    entry = week_entries["alice_mon"]
    url = f"/admin/timesheets/entry/{entry.pk}/change/"
    response = manager_client.post(
        url, {"date": entry.date.isoformat(), "project": entry.project_id, "hours": "1", "notes": ""}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert str(entry.hours) == "8.00"
    assert manager_client.get(url).status_code == 200  # still viewable


def test_weeks_are_never_added_or_deleted_in_the_admin(manager_client: Client, submitted):
    assert manager_client.get(WEEKS + "add/").status_code == 403
    assert manager_client.get(f"{WEEKS}{submitted['alice'].pk}/delete/").status_code == 403
    page = manager_client.get(f"{WEEKS}{submitted['alice'].pk}/change/")
    assert page.status_code == 200 and "History" in page.content.decode()


def test_the_weekly_summary_shows_the_week_state(manager_client: Client, submitted):
    services.week_approve(week=submitted["bob"], actor=submitted["carol"].owner)
    html = manager_client.get(
        "/admin/timesheets/entry/weekly-summary/", {"until": MONDAY.isoformat(), "weeks": 2}
    ).content.decode()
    assert 'class="week-state week-submitted">submitted' in html
    assert 'class="week-state week-approved">approved' in html
    assert 'class="week-state week-open">open' in html  # bob's week before: never submitted
    assert MONDAY - dt.timedelta(days=3) < MONDAY


def test_the_admin_home_links_the_weeks_waiting(manager_client: Client, submitted):
    html = manager_client.get("/admin/").content.decode()
    assert '<a href="/admin/timesheets/week/?state__exact=submitted">Weeks waiting for a decision</a>' in html
