"""Spec 4.3: GET /api/tasks, its filters, search, order, paging and query validation.

Every test tags its tasks with a tag of its own and filters by it, so other tests' tasks never show.
"""

import urllib.parse

import pytest
from expectations import assert_invalid_query, assert_json, assert_task_response

PRIORITY_RANK = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


def list_tasks(client, query: str) -> dict:
    return assert_json(client.get(f"/api/tasks?{query}"), 200, "TaskList")


def ids_of(listing: dict) -> list[int]:
    return [task["id"] for task in listing["items"]]


def query_ids(client, tag: str, extra: str = "", **params) -> list[int]:
    query = urllib.parse.urlencode({"tag": tag, "limit": 100, **params})
    return ids_of(list_tasks(client, query + extra))


def test_the_default_page(client, tag):
    created = [client.create_task(title=f"default {index}", tags=[tag]) for index in range(3)]
    listing = list_tasks(client, f"tag={tag}")
    assert listing["limit"] == 20
    assert listing["offset"] == 0
    assert listing["total"] == 3
    assert listing["items"] == list(reversed(created)), "default order is -created_at, ties by id descending"


def test_without_a_filter_every_task_is_counted(client):
    listing = list_tasks(client, "")
    assert listing["total"] >= len(listing["items"])
    assert len(listing["items"]) <= 20


def test_an_unfiltered_list_includes_archived_tasks(client, tag):
    task = client.create_task(title="archived listed", status="done", tags=[tag])
    client.patch(f"/api/tasks/{task['id']}", json={"status": "archived"})
    assert query_ids(client, tag) == [task["id"]]


@pytest.mark.parametrize(
    ("status_filter", "expected_statuses"),
    [
        ("todo", {"todo"}),
        ("in_progress", {"in_progress"}),
        ("done", {"done"}),
        ("archived", {"archived"}),
        ("todo,done", {"todo", "done"}),
        ("archived,in_progress,todo,done", {"todo", "in_progress", "done", "archived"}),
        ("done,done", {"done"}),
    ],
)
def test_status_filter(client, tag, status_filter, expected_statuses):
    by_status = {
        status: client.create_task(title=status, status=status, tags=[tag])
        for status in ("todo", "in_progress", "done")
    }
    archived = client.create_task(title="archived", status="done", tags=[tag])
    archiving = client.patch(f"/api/tasks/{archived['id']}", json={"status": "archived"})
    by_status["archived"] = assert_task_response(archiving, 200)
    listing = list_tasks(client, f"tag={tag}&status={status_filter}")
    assert sorted(ids_of(listing)) == sorted(by_status[status]["id"] for status in expected_statuses)
    assert listing["total"] == len(expected_statuses)


@pytest.mark.parametrize(
    ("priority_filter", "expected_priorities"),
    [
        ("low", {"low"}),
        ("urgent", {"urgent"}),
        ("high,low", {"high", "low"}),
        ("low,normal,high,urgent", set(PRIORITY_RANK)),
    ],
)
def test_priority_filter(client, tag, priority_filter, expected_priorities):
    by_priority = {
        priority: client.create_task(title=priority, priority=priority, tags=[tag]) for priority in PRIORITY_RANK
    }
    ids = query_ids(client, tag, priority=priority_filter)
    assert sorted(ids) == sorted(by_priority[priority]["id"] for priority in expected_priorities)


def test_filters_combine(client, tag):
    wanted = client.create_task(title="wanted", status="in_progress", priority="high", tags=[tag])
    client.create_task(title="wrong status", status="todo", priority="high", tags=[tag])
    client.create_task(title="wrong priority", status="in_progress", priority="low", tags=[tag])
    assert query_ids(client, tag, status="in_progress", priority="high") == [wanted["id"]]


def test_every_tag_must_be_carried(client, tag):
    second_tag = f"{tag}-b"
    both = client.create_task(title="both", tags=[tag, second_tag])
    client.create_task(title="first only", tags=[tag])
    client.create_task(title="second only", tags=[second_tag])
    assert ids_of(list_tasks(client, f"tag={tag}&tag={second_tag}")) == [both["id"]]
    assert ids_of(list_tasks(client, f"tag={second_tag}&tag={tag}&tag={tag}")) == [both["id"]]


def test_tag_filter_values_are_normalised(client, tag):
    task = client.create_task(title="normalised", tags=[tag])
    assert ids_of(list_tasks(client, f"tag=%20{tag.upper()}%09")) == [task["id"]]
    assert ids_of(list_tasks(client, f"tag=+{tag.upper()}+")) == [task["id"]]


def test_a_tag_nobody_carries_matches_nothing(client, tag):
    listing = list_tasks(client, f"tag={tag}")
    assert listing == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("été", "q=%C3%89T%C3%89"),
        ("Un été à la plage", "q=%C3%89T%C3%89"),
        ("Straße", "q=STRASSE"),
        ("STRASSE", "q=stra%C3%9Fe"),
        ("Grüße", "q=GR%C3%9CSSE"),
        ("ΟΔΟΣ", "q=%CF%82"),
        ("hello world", "q=lo+wo"),
        ("a+b", "q=a%2Bb"),
        ("100% sure", "q=0%25"),
        ("snake_case", "q=e_c"),
        ("back\\slash", "q=k%5Cs"),
        ("quote's", "q=e%27s"),
        ("emoji 😀 inside", "q=%F0%9F%98%80"),
    ],
    ids=[
        "ete",
        "ete-inside",
        "strasse",
        "eszett-query",
        "umlaut",
        "final-sigma",
        "plus-is-space",
        "encoded-plus",
        "percent",
        "underscore",
        "backslash",
        "quote",
        "emoji",
    ],
)
def test_search_matches_the_casefolded_title(client, tag, title, query):
    task = client.create_task(title=title, tags=[tag])
    assert ids_of(list_tasks(client, f"tag={tag}&{query}")) == [task["id"]]


def test_search_looks_in_the_description_too(client, tag):
    task = client.create_task(title="plain", description="Notes about the STRAẞE", tags=[tag])
    client.create_task(title="other", description="nothing", tags=[tag])
    assert query_ids(client, tag, q="strasse") == [task["id"]]


@pytest.mark.parametrize(
    "query",
    ["q=%25", "q=_", "q=%5C", "q=x%25y", "q=%2A", "q=%3F"],
    ids=["percent", "underscore", "backslash", "inner-percent", "star", "question-mark"],
)
def test_search_characters_are_literal_not_wildcards(client, tag, query):
    client.create_task(title="xAy plain text", tags=[tag])
    assert ids_of(list_tasks(client, f"tag={tag}&{query}")) == []


def test_search_is_not_trimmed(client, tag):
    inner = client.create_task(title="the cat", tags=[tag])
    client.create_task(title="cats", tags=[tag])
    assert query_ids(client, tag, q=" cat") == [inner["id"]]


def test_search_matches_substrings_anywhere(client, tag):
    task = client.create_task(title="prefix-MIDDLE-suffix", tags=[tag])
    for query in ("prefix", "middle", "SUFFIX", "x-m"):
        assert query_ids(client, tag, q=query) == [task["id"]], query


def test_due_date_bounds_are_inclusive_and_skip_tasks_without_due_date(client, tag):
    dates = ["2030-01-01", "2030-01-15", "2030-01-31", None]
    tasks = [client.create_task(title=f"due {due_date}", due_date=due_date, tags=[tag]) for due_date in dates]
    ids_by_date = {task["due_date"]: task["id"] for task in tasks}
    assert sorted(query_ids(client, tag, due_before="2030-01-15")) == sorted(
        [ids_by_date["2030-01-01"], ids_by_date["2030-01-15"]]
    )
    assert sorted(query_ids(client, tag, due_after="2030-01-15")) == sorted(
        [ids_by_date["2030-01-15"], ids_by_date["2030-01-31"]]
    )
    assert query_ids(client, tag, due_after="2030-01-15", due_before="2030-01-15") == [ids_by_date["2030-01-15"]]
    assert query_ids(client, tag, due_after="2030-01-16", due_before="2030-01-30") == []
    assert query_ids(client, tag, due_after="2030-02-01", due_before="2030-01-01") == []
    assert sorted(query_ids(client, tag, due_after="0001-01-01")) == sorted(ids_by_date[date] for date in dates[:3])


def expected_order(tasks: list[dict], sort: str) -> list[int]:
    """The spec's order, computed from the tasks as the server returned them."""
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")

    def sort_key(task):
        if key_name == "priority":
            return PRIORITY_RANK[task["priority"]]
        return task[key_name]

    if key_name == "due_date":
        dated = [task for task in tasks if task["due_date"] is not None]
        undated = [task for task in tasks if task["due_date"] is None]
        ordered = sorted(dated, key=lambda task: (task["due_date"], task["id"]), reverse=descending)
        return [task["id"] for task in ordered] + [
            task["id"] for task in sorted(undated, key=lambda task: task["id"], reverse=descending)
        ]
    return [task["id"] for task in sorted(tasks, key=lambda task: (sort_key(task), task["id"]), reverse=descending)]


@pytest.fixture
def sortable_tasks(client, tag) -> list[dict]:
    """Tasks whose priorities, due dates and update times disagree with their creation order."""
    specs = [
        ("normal", "2030-03-01"),
        ("urgent", None),
        ("low", "2029-01-01"),
        ("high", "2030-03-01"),
        ("normal", None),
        ("low", "2031-07-07"),
    ]
    tasks = [
        client.create_task(title=f"sortable {index}", priority=priority, due_date=due_date, tags=[tag])
        for index, (priority, due_date) in enumerate(specs)
    ]
    for task in (tasks[3], tasks[0]):
        client.patch(f"/api/tasks/{task['id']}", json={"description": "touched"})
    return list_tasks(client, f"tag={tag}&limit=100")["items"]


@pytest.mark.parametrize(
    "sort", ["created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date", "priority", "-priority"]
)
def test_sort_orders(client, tag, sortable_tasks, sort):
    assert query_ids(client, tag, sort=sort) == expected_order(sortable_tasks, sort)


def test_priority_sorts_by_rank_with_ties_by_id(client, tag):
    tasks = [
        client.create_task(title=priority, priority=priority, tags=[tag])
        for priority in ["urgent", "low", "high", "normal", "low"]
    ]
    ids = {index: task["id"] for index, task in enumerate(tasks)}
    assert query_ids(client, tag, sort="priority") == [ids[1], ids[4], ids[3], ids[2], ids[0]]
    assert query_ids(client, tag, sort="-priority") == [ids[0], ids[2], ids[3], ids[4], ids[1]]


def test_tasks_without_due_date_come_last_in_both_directions(client, tag):
    tasks = [
        client.create_task(title="d", due_date=due_date, tags=[tag])
        for due_date in [None, "2030-05-05", None, "2020-01-01", "2030-05-05"]
    ]
    ids = [task["id"] for task in tasks]
    assert query_ids(client, tag, sort="due_date") == [ids[3], ids[1], ids[4], ids[0], ids[2]]
    assert query_ids(client, tag, sort="-due_date") == [ids[4], ids[1], ids[3], ids[2], ids[0]]


def test_created_at_order_breaks_ties_by_id(client, tag):
    ids = [client.create_task(title=f"tie {index}", tags=[tag])["id"] for index in range(4)]
    assert query_ids(client, tag, sort="created_at") == sorted(ids)
    assert query_ids(client, tag, sort="-created_at") == sorted(ids, reverse=True)


def test_paging(client, tag):
    ids = sorted((client.create_task(title=f"page {index}", tags=[tag])["id"] for index in range(5)), reverse=True)
    pages = {
        (2, 0): ids[0:2],
        (2, 2): ids[2:4],
        (2, 4): ids[4:5],
        (2, 5): [],
        (1, 3): ids[3:4],
        (100, 0): ids,
        (100, 1): ids[1:],
        (3, 2147483647): [],
    }
    for (limit, offset), expected_ids in pages.items():
        listing = list_tasks(client, f"tag={tag}&limit={limit}&offset={offset}")
        assert ids_of(listing) == expected_ids, (limit, offset)
        assert (listing["total"], listing["limit"], listing["offset"]) == (5, limit, offset)


def test_leading_zeros_are_decimal_digits(client, tag):
    ids = sorted((client.create_task(title=f"zeros {index}", tags=[tag])["id"] for index in range(3)), reverse=True)
    listing = list_tasks(client, f"tag={tag}&limit=002&offset=0001")
    assert (ids_of(listing), listing["limit"], listing["offset"]) == (ids[1:3], 2, 1)


def test_unknown_parameters_are_ignored(client, tag):
    task = client.create_task(title="unknown params", tags=[tag])
    assert ids_of(list_tasks(client, f"tag={tag}&foo=bar&bar=%FF&page=2&status[]=x")) == [task["id"]]


def test_parameter_names_are_percent_decoded(client):
    assert_invalid_query(client.get("/api/tasks?st%61tus=nope"), [("status", "invalid_choice")])


INVALID_QUERIES = {
    "status-unknown": ("status=nope", [("status", "invalid_choice")]),
    "status-case": ("status=TODO", [("status", "invalid_choice")]),
    "status-empty": ("status=", [("status", "invalid_choice")]),
    "status-empty-element": ("status=todo,,done", [("status", "invalid_choice")]),
    "status-trailing-comma": ("status=todo,", [("status", "invalid_choice")]),
    "status-space": ("status=todo,+done", [("status", "invalid_choice")]),
    "status-twice": ("status=todo&status=done", [("status", "too_many")]),
    "priority-unknown": ("priority=medium", [("priority", "invalid_choice")]),
    "priority-empty": ("priority=", [("priority", "invalid_choice")]),
    "priority-twice": ("priority=low&priority=low", [("priority", "too_many")]),
    "tag-empty": ("tag=", [("tag", "blank")]),
    "tag-spaces": ("tag=+%20", [("tag", "blank")]),
    "tag-format": ("tag=-x", [("tag", "invalid_format")]),
    "tag-too-long": ("tag=" + "x" * 33, [("tag", "invalid_format")]),
    "tag-non-ascii": ("tag=%C3%A9", [("tag", "invalid_format")]),
    "tags-sorted-by-code": ("tag=-x&tag=&tag=ok", [("tag", "blank"), ("tag", "invalid_format")]),
    "tags-one-error-each": ("tag=-x&tag=_y", [("tag", "invalid_format"), ("tag", "invalid_format")]),
    "q-empty": ("q=", [("q", "blank")]),
    "q-too-long": ("q=" + "x" * 201, [("q", "too_long")]),
    "q-too-long-code-points": ("q=" + "%C3%A9" * 201, [("q", "too_long")]),
    "q-twice": ("q=a&q=b", [("q", "too_many")]),
    "due-before-invalid": ("due_before=2026-02-30", [("due_before", "invalid_date")]),
    "due-before-format": ("due_before=2026-2-3", [("due_before", "invalid_date")]),
    "due-before-twice": ("due_before=2026-01-01&due_before=2026-01-01", [("due_before", "too_many")]),
    "due-before-invalid-utf8": ("due_before=%FF", [("due_before", "invalid_format")]),
    "due-after-empty": ("due_after=", [("due_after", "invalid_date")]),
    "due-after-year-zero": ("due_after=0000-01-01", [("due_after", "invalid_date")]),
    "due-after-twice": ("due_after=2026-01-01&due_after=2026-01-02", [("due_after", "too_many")]),
    "sort-unknown": ("sort=title", [("sort", "invalid_choice")]),
    "sort-plus": ("sort=%2Bcreated_at", [("sort", "invalid_choice")]),
    "sort-case": ("sort=PRIORITY", [("sort", "invalid_choice")]),
    "sort-empty": ("sort=", [("sort", "invalid_choice")]),
    "sort-twice": ("sort=priority&sort=priority", [("sort", "too_many")]),
    "limit-zero": ("limit=0", [("limit", "out_of_range")]),
    "limit-101": ("limit=101", [("limit", "out_of_range")]),
    "limit-huge": ("limit=99999999999999999999999", [("limit", "out_of_range")]),
    "limit-negative": ("limit=-1", [("limit", "invalid_format")]),
    "limit-plus-sign": ("limit=%2B5", [("limit", "invalid_format")]),
    "limit-space": ("limit=+5", [("limit", "invalid_format")]),
    "limit-decimal": ("limit=1.0", [("limit", "invalid_format")]),
    "limit-word": ("limit=ten", [("limit", "invalid_format")]),
    "limit-empty": ("limit=", [("limit", "invalid_format")]),
    "limit-twice": ("limit=5&limit=5", [("limit", "too_many")]),
    "offset-too-large": ("offset=2147483648", [("offset", "out_of_range")]),
    "offset-huge": ("offset=99999999999999999999999", [("offset", "out_of_range")]),
    "offset-negative": ("offset=-1", [("offset", "invalid_format")]),
    "offset-hex": ("offset=0x10", [("offset", "invalid_format")]),
    "offset-twice": ("offset=0&offset=0", [("offset", "too_many")]),
    "q-invalid-utf8": ("q=%FF", [("q", "invalid_format")]),
    "status-invalid-utf8": ("status=%C3", [("status", "invalid_format")]),
    "tag-invalid-utf8": ("tag=%ED%A0%80", [("tag", "invalid_format")]),
    "sort-invalid-utf8": ("sort=%80", [("sort", "invalid_format")]),
    "priority-invalid-utf8": ("priority=low%C0%80", [("priority", "invalid_format")]),
    "limit-invalid-utf8": ("limit=%FE", [("limit", "invalid_format")]),
    "tags-invalid-utf8-and-blank": ("tag=%FF&tag=", [("tag", "blank"), ("tag", "invalid_format")]),
    "everything-at-once": (
        "sort=name&limit=0&status=x&q=&priority=x&offset=x&due_before=x&due_after=x&tag=",
        [
            ("due_after", "invalid_date"),
            ("due_before", "invalid_date"),
            ("limit", "out_of_range"),
            ("offset", "invalid_format"),
            ("priority", "invalid_choice"),
            ("q", "blank"),
            ("sort", "invalid_choice"),
            ("status", "invalid_choice"),
            ("tag", "blank"),
        ],
    ),
}


@pytest.mark.parametrize(("query", "errors"), INVALID_QUERIES.values(), ids=INVALID_QUERIES.keys())
def test_invalid_queries(client, query, errors):
    assert_invalid_query(client.get(f"/api/tasks?{query}"), errors)


@pytest.mark.parametrize(
    "query",
    [
        "limit=1",
        "limit=100",
        "offset=0",
        "offset=2147483647",
        "q=" + "x" * 200,
        "q=" + "%C3%A9" * 200,
        "tag=" + "x" * 32,
        "due_before=9999-12-31",
    ],
)
def test_boundary_values_are_valid(client, query):
    list_tasks(client, query)


def test_head_of_an_invalid_query_is_a_bodyless_400(client):
    response = client.on_the_wire("HEAD", "/api/tasks?limit=0")
    assert response.status_code == 400
    assert response.headers.get("Content-Type", "").startswith("application/problem+json")
    assert response.content == b""
