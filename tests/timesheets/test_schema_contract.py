"""The OpenAPI description states what the API answers; malformed filters and page parameters are a 400 naming them."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(client) -> dict:
    return yaml.safe_load(client.get("/api/schema/").content)


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_declares_its_errors_with_the_one_error_schema(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401", "403", "503"}
        if method in ("post", "put", "patch"):
            expected |= {"400", "415"}
        if "{entry_id}" in path:
            expected.add("404")
        assert expected <= set(responses), (path, method, sorted(responses))
        for code, response in responses.items():
            if code >= "400":
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (path, method, code)
        assert "WWW-Authenticate" in responses["401"]["headers"]
        assert "Retry-After" in responses["503"]["headers"]


def test_domain_conflicts_are_declared(schema):
    paths = schema["paths"]
    for path, method in [
        ("/api/timesheets/{entry_id}", "patch"),
        ("/api/timesheets/{entry_id}", "delete"),
        ("/api/approvals/{entry_id}", "put"),
        ("/approvals/{entry_id}", "put"),
    ]:
        assert "409" in paths[path][method]["responses"], (path, method)


def test_lists_are_described_as_the_pages_they_answer(schema):
    page = {"$ref": "#/components/schemas/PaginatedEntryList"}
    for path in ("/api/timesheets", "/api/approvals"):
        assert schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == page
    paginated = schema["components"]["schemas"]["PaginatedEntryList"]
    assert set(paginated["properties"]) == {"next", "previous", "results"}
    # The sample clients' routes answer bare arrays.
    compat = schema["paths"]["/approvals"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert compat["type"] == "array"


def test_rules_are_in_the_schema(schema):
    components = schema["components"]["schemas"]
    hours = components["EntryInput"]["properties"]["hours"]
    assert (hours["minimum"], hours["exclusiveMinimum"], hours["maximum"], hours["multipleOf"]) == (0, True, 24, 0.25)
    rejected = [b for b in components["DecisionInput"]["oneOf"] if b["properties"]["status"]["enum"] == ["rejected"]]
    assert rejected[0]["required"] == ["comment"]
    upload = schema["paths"]["/api/timesheets/upload"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert upload["oneOf"][1]["minItems"] == 1 and upload["oneOf"][1]["maxItems"] == 1000
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/timesheets"]["get"]["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 200}


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/timesheets", "status=", "status"),
        ("/api/timesheets", "status=open", "status"),
        ("/api/timesheets", "page_size=", "page_size"),
        ("/api/timesheets", "page_size=0", "page_size"),
        ("/api/timesheets", "page_size=201", "page_size"),
        ("/api/timesheets", "page_size=ten", "page_size"),
        ("/api/timesheets", "from=", "from"),
        ("/api/timesheets", "to=2026-13-01", "to"),
        ("/api/timesheets", "project=", "project"),
        ("/api/timesheets", "project=0", "project"),
        ("/api/approvals", "page_size=", "page_size"),
        ("/api/approvals", "page_size=-1", "page_size"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(path, query, parameter, as_user, carol):
    response = as_user(carol, scopes=["read:timesheets", "approve:timesheets"]).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid_request"
    assert list(body["fields"]) == [parameter]


def test_good_filters_and_page_parameters_still_work(as_user, alice, store_zero):
    client = as_user(alice)
    for query in ("page_size=1", "page_size=200", "status=pending", "from=2026-11-01&to=2026-11-30", "cursor="):
        response = client.get(f"/api/timesheets?{query}")
        assert response.status_code == 200, (query, response.content)
        assert set(response.json()) == {"next", "previous", "results"}
