"""The prepared queries' SQL (timesheets/prepared.py) names its placeholders and still runs through Django's cursor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from timesheets.api import prepared
from timesheets.prepared import named_placeholders


def test_placeholders_are_named_in_order_and_literal_percents_kept():
    sql = "SELECT 1 WHERE a = %s AND b LIKE '%%x%%' AND c IN (%s, %s)"
    assert named_placeholders(sql) == "SELECT 1 WHERE a = %(p0)s AND b LIKE '%%x%%' AND c IN (%(p1)s, %(p2)s)"


@pytest.mark.django_db
def test_a_prepared_list_is_one_query_that_django_sees(alice, store_zero):
    rows = prepared.own_entries(actor=alice, project_id=store_zero.pk).order_by("-date", "-id")
    with CaptureQueriesContext(connection) as queries:
        assert rows[0:51] == []
    assert len(queries) == 1
    # As Django logs it: the values bound in the text, no placeholder left.
    assert "%(p" not in queries[0]["sql"] and str(store_zero.pk) in queries[0]["sql"]
