"""The entries list's queries: what they ask, how many, and that they answer as Django's own parts do.

The list must stay fast with a million entries, so these tests pin the query shapes that
make it so (never timings): filters asked with EXISTS per employee/project instead of
SELECT DISTINCT over entries, no second count of the whole table, totals only for a list
short enough to add up, a date drill-down found by index seeks, and orderings backed by
an index. Where a replacement stands in for a Django part, its answers are compared with
the part it replaces.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.templatetags.admin_list import date_hierarchy as django_date_hierarchy
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from authn.models import User
from tests.admin.conftest import MONDAY, log
from timesheets import admin_changelist
from timesheets.models import Entry, Project

CHANGELIST = "/admin/timesheets/entry/"

pytestmark = pytest.mark.django_db


def entry_queries(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if '"timesheets_entry"' in q["sql"]]


def get(client: Client, query: str = "") -> tuple[object, CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{CHANGELIST}{query}")
    assert response.status_code == 200, query
    return response, ctx


@pytest.fixture
def years_of_entries(alice: User, bob: User, store_zero: Project, dashboard: Project) -> list[Entry]:
    """Entries over three years (2023, 2025, 2026; none in 2024), several months and days."""
    days = [
        dt.date(2023, 2, 14),
        dt.date(2023, 11, 3),
        dt.date(2025, 1, 6),
        dt.date(2025, 3, 3),
        dt.date(2025, 3, 4),
        dt.date(2025, 3, 20),
        dt.date(2025, 7, 1),
        dt.date(2026, 5, 5),
    ]
    entries = []
    for i, day in enumerate(days):
        entries.append(log(alice if i % 2 else bob, store_zero if i % 3 else dashboard, day, "2.5"))
    return entries


@pytest.fixture
def long_list(monkeypatch):
    """Make every list in a test 'long' (more entries than totals are added up for)."""
    monkeypatch.setattr(admin_changelist, "TOTALS_MAX_ENTRIES", 3)


# --- filters ------------------------------------------------------------------------------------


def test_employee_and_project_filters_ask_per_row_with_exists_not_distinct_over_entries(
    manager_client: Client, week_entries, alice, bob, manager, store_zero, dashboard
) -> None:
    archived = Project.objects.create(name="No time on it")
    response, ctx = get(manager_client)
    choice_queries = [
        sql
        for sql in entry_queries(ctx)
        if sql.lstrip().startswith(('SELECT "authn_user"', 'SELECT "timesheets_project"'))
    ]
    assert len(choice_queries) == 2, choice_queries
    for sql in choice_queries:
        assert "EXISTS" in sql and "DISTINCT" not in sql, sql
    # Same choices RelatedOnlyFieldListFilter gives: those with entries, nobody else.
    specs = {spec.field_path: spec for spec in response.context["cl"].filter_specs if hasattr(spec, "field_path")}
    assert {pk for pk, _ in specs["owner"].lookup_choices} == {alice.pk, bob.pk, manager.pk}
    assert {pk for pk, _ in specs["project"].lookup_choices} == {store_zero.pk, dashboard.pk}
    assert archived.pk not in {pk for pk, _ in specs["project"].lookup_choices}
    assert "Alice Employee" in dict(specs["owner"].lookup_choices).values()


def test_no_facet_counts_and_no_second_count_of_the_whole_table(manager_client: Client, week_entries) -> None:
    _, ctx = get(manager_client, "?status__exact=pending")
    counts = [sql for sql in entry_queries(ctx) if "COUNT(" in sql.upper() and "SUM(" not in sql.upper()]
    assert len(counts) == 1, counts  # the paginator's, of the filtered list only
    assert "pending" in counts[0]
    # "Show counts" (facets) would be a COUNT per filter choice over the whole list.
    _, ctx = get(manager_client, "?_facets=True")
    assert len([sql for sql in entry_queries(ctx) if "COUNT(" in sql.upper() and "SUM(" not in sql.upper()]) == 1


# --- totals --------------------------------------------------------------------------------------


def test_long_list_shows_no_totals_but_says_how_to_get_them(
    manager_client: Client, week_entries, alice, long_list
) -> None:
    response, ctx = get(manager_client)
    html = response.content.decode()
    assert "data-total-hours" not in html
    assert "Choose a week or an employee to see totals." in html
    assert "this one has 6" in html
    assert not [sql for sql in entry_queries(ctx) if "SUM(" in sql.upper()]
    # Narrowed to three entries, the totals are back and exact.
    response, _ = get(manager_client, f"?week={MONDAY.isoformat()}&owner__id__exact={alice.pk}")
    html = response.content.decode()
    assert Decimal(re.search(r'data-total-hours="([\d.]+)"', html).group(1)) == Decimal("19.5")
    assert "to see totals" not in html


def test_empty_list_has_neither_totals_nor_the_hint(manager_client: Client, week_entries) -> None:
    response, _ = get(manager_client, "?status__exact=rejected")
    html = response.content.decode()
    assert Decimal(re.search(r'data-total-hours="([\d.]+)"', html).group(1)) == 0
    assert "to see totals" not in html


# --- bounded number of queries ---------------------------------------------------------------------


def test_query_count_does_not_grow_with_entries(manager_client: Client, alice, bob, store_zero, monkeypatch) -> None:
    monkeypatch.setattr(admin_changelist, "TOTALS_MAX_ENTRIES", 0)  # the long-list path, whatever the size

    def page_queries() -> int:
        return len(get(manager_client)[1].captured_queries)

    log(alice, store_zero, dt.date(2024, 1, 2), "1")
    log(bob, store_zero, dt.date(2025, 6, 2), "1")
    few = page_queries()
    for day in range(1, 28):
        log(alice, store_zero, dt.date(2024, 2, day), "1")
        log(bob, store_zero, dt.date(2025, 3, day), "2")
    assert Entry.objects.count() == 56
    assert page_queries() == few
    # session, user, 2 permission look-ups, 2 filters' choices, count, page, first and last
    # date, one seek per year with entries (2) and one past the last year.
    assert few <= 13


def test_totals_list_and_drill_down_of_a_week_stay_within_a_few_queries(
    manager_client: Client, week_entries, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(12):
        manager_client.get(f"{CHANGELIST}?week={MONDAY.isoformat()}")


# --- date drill-down: same links as Django's tag ----------------------------------------------------


def hierarchy_as_text(hierarchy: dict) -> dict:
    back = hierarchy["back"]
    return {
        "show": hierarchy["show"],
        "back": None if back is None else {"link": back["link"], "title": str(back["title"])},
        "choices": [{"link": c.get("link"), "title": str(c["title"])} for c in hierarchy["choices"]],
    }


@pytest.mark.parametrize("short_list", [True, False], ids=["distinct-dates", "index-seeks"])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?date__year=2025",
        "?date__year=2025&date__month=3",
        "?date__year=2025&date__month=3&date__day=4",
        "?date__year=2024",
        "?status__exact=pending&date__year=2023",
        "?q=alice",
        "?date__year=2026",
        "?date__month=3",
        "?status__exact=rejected",
    ],
)
def test_date_drill_down_matches_djangos_tag(
    manager_client: Client, years_of_entries, monkeypatch, query: str, short_list: bool
) -> None:
    if not short_list:
        monkeypatch.setattr(admin_changelist, "TOTALS_MAX_ENTRIES", 0)
    response, ctx = get(manager_client, query)
    ours = hierarchy_as_text(response.context["entry_date_hierarchy"])
    assert ours == hierarchy_as_text(django_date_hierarchy(response.context["cl"]))
    if query == "":
        assert [c["title"] for c in ours["choices"]] == ["2023", "2025", "2026"]
    # Never a truncation of every row (Django's DISTINCT django_date_trunc / DATE_TRUNC).
    assert not [sql for sql in entry_queries(ctx) if "TRUNC" in sql.upper()]
    if response.context["cl"].result_count > admin_changelist.TOTALS_MAX_ENTRIES and "date__month" not in query:
        # A long list: years and months by seeks, no DISTINCT over its rows.
        assert not [sql for sql in entry_queries(ctx) if "DISTINCT" in sql.upper()]


def test_date_drill_down_of_an_empty_list(manager_client: Client, years_of_entries) -> None:
    response, _ = get(manager_client, "?q=nobody-has-this")
    assert response.context["entry_date_hierarchy"] == {"show": True, "back": None, "choices": []}


# --- search: same matches as Django's search, without joining every entry ---------------------------


@pytest.mark.parametrize(
    "term",
    ["bob@abc.example", "E001", "Reviews", "alice store", '"Auth0 Dashboard"', "HYPERLINK", "carol", "zzz", "  "],
)
def test_search_finds_what_djangos_search_finds(manager_client: Client, week_entries, rf, term: str) -> None:
    model_admin = django_admin.site.get_model_admin(Entry)
    request = rf.get(CHANGELIST)
    expected, _ = django_admin.ModelAdmin.get_search_results(model_admin, request, Entry.objects.all(), term)
    response, ctx = get(manager_client, f"?q={term}")
    assert {e.pk for e in response.context["cl"].result_list} == set(expected.values_list("pk", flat=True))
    if term.strip():
        # Employees and projects are matched in their own tables, not by joining them to every entry.
        counts = [sql for sql in entry_queries(ctx) if sql.startswith("SELECT COUNT(")]
        assert counts and "JOIN" not in counts[0], counts


# --- orderings are backed by indexes -------------------------------------------------------------


def query_plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table this small is cheaper to sort than to read by index; forbid the sort to see
            # whether an index can give the list's order at all.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("", ["entry_date"]),
        # PostgreSQL may prefer the approvals queue's partial index; both give the list's order.
        ("?status__exact=pending", ["entry_status_date", "entry_pending_date"]),
        ("?project__id__exact=0", ["entry_project_date"]),
    ],
)
def test_list_page_reads_an_index_in_the_lists_order(
    manager_client: Client, week_entries, store_zero, query: str, indexes: list[str]
) -> None:
    response, _ = get(manager_client, query.replace("=0", f"={store_zero.pk}"))
    page = response.context["cl"].result_list
    sql, params = page.query.sql_with_params()
    plan = query_plan(sql, params)
    assert any(index in plan for index in indexes), plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan and "Sort" not in plan, plan
