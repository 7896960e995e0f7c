"""Differential testing: one Hypothesis-drawn sequence of requests, sent to all six variants at once.

Each example starts from an empty task table on every variant (the leftovers of the example
before are deleted through the API), then sends its steps: creates, patches with and without
``If-Match``, reads with ``If-None-Match``, deletes, list queries with random filters (raw query
strings, invalid ones and bad percent-escapes included), stats, malformed bodies and media types,
odd paths and methods. Every step goes to the six in the order of their ports, and their answers
are compared once normalised:

- the status;
- the headers the spec names: the media type of ``Content-Type``, ``ETag``, ``WWW-Authenticate``, ``Location`` (its id
  normalised), ``Allow``, ``X-Request-ID`` (a generated one normalised);
- the body: JSON with each task id replaced by the order in which that variant's answers first
  showed it, and every timestamp by ``<timestamp>`` (``null`` stays ``null``); any other body as
  its bytes. Versions and ETags are compared as they are: the same sequence must give the same
  versions in all six (spec 4.6).

Any difference fails, and Hypothesis prints the shrunk sequence of steps that shows it.

Every variant has one user, signed up under the same name before the first example (spec 2.0);
a step carries that user's token, or (now and then) none, an unknown token or a malformed
``Authorization`` header, so that the order of checks (404/405, then 401, then the rest) is
compared too.

This file is not named ``test_*``: it needs all six variants running at once, so the runs of one
variant (``pytest reliability --variant NAME``) leave it out. ``tools/reliability.py`` runs it
after them, in its own env, with every variant's tox env:

    pytest reliability/differential.py --variant-env django=.tox/django --variant-env flask=.tox/flask ...

``RELIABILITY_DIFFERENTIAL_EXAMPLES`` sets the number of examples (CI: 60).
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import pytest
from harness import DatabaseProvisioner, HarnessError, ServerInstance
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import variants

EXAMPLES = int(os.environ.get("RELIABILITY_DIFFERENTIAL_EXAMPLES", "60"))
MAX_STEPS = 12
GENERATED_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
TIMESTAMP_KEYS = {"created_at", "updated_at", "completed_at"}
# Ids that are never a task of an example: the largest valid id, and segments that are not ids.
# (Real ids differ between variants, so an absent one must be absent everywhere: the largest, escaped.)
ABSENT_IDS = ["2147483647", "0", "007", "-1", "abc", "99999999999999999999", "1.0", "%32147483647"]


# --- the steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One request. ``target`` is the index of a task created earlier in the example (modulo how
    many there are) or an absent id; ``if_match`` ``"current"`` is the ETag the variant last
    answered for that task."""

    method: str
    route: str  # "/api/tasks/{task}" or a literal path
    target: int | str | None = None
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    if_match: str | None = None
    # The Authorization header: the user's token, or none, an unknown token, a malformed header.
    auth: str = "token"

    def __repr__(self) -> str:
        segment = f"{{task #{self.target}}}" if isinstance(self.target, int) else str(self.target)
        parts = [self.method, self.route.replace("{task}", segment) + (f"?{self.query}" if self.query else "")]
        if self.if_match is not None:
            parts.append(f"If-Match={self.if_match!r}")
        parts += [f"{name}={value!r}" for name, value in self.headers]
        if self.auth != "token":
            parts.append(f"auth={self.auth}")
        if self.body is not None:
            parts.append(f"body={self.body[:300]!r}")
        return "Step(" + " ".join(parts) + ")"

    def _repr_pretty_(self, printer, cycle) -> None:
        """Hypothesis prints a falsifying example with this."""
        printer.text(repr(self))


JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=32),
    st.lists(st.integers(), max_size=2),
)
TITLES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "  padded  ", "\t", "a" * 200, " " + "a" * 200 + " ", "a" * 201, "x\x00y", "\u212a", "tab\tin"]
    ),
)
TAG_TEXT = st.one_of(
    st.sampled_from(["a", "B", " c ", "", "x" * 32, "x" * 33, "-a", "a-", "ä", "\u212a", "a b", "0"]),
    st.text(alphabet="aZ9-_ \t", max_size=5),
)
STATUSES = st.sampled_from(["todo", "in_progress", "done", "archived", "TODO", "", "open"])
PRIORITIES = st.sampled_from(["low", "normal", "high", "urgent", "Low", ""])
DATES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["2000-01-01", "2999-12-31", "0000-01-01", "2026-02-30", "20261231", "2026-1-1", " 2026-01-01"]),
)
DESCRIPTIONS = st.one_of(st.text(max_size=12), st.sampled_from(["line\nbreak\r\n\ttab", "bell\x07", "x" * 10001]))
FIELDS = {
    "title": st.one_of(TITLES, JSON_VALUES),
    "description": st.one_of(DESCRIPTIONS, JSON_VALUES),
    "status": st.one_of(STATUSES, JSON_VALUES),
    "priority": st.one_of(PRIORITIES, JSON_VALUES),
    "due_date": st.one_of(st.none(), DATES, JSON_VALUES),
    "tags": st.one_of(st.lists(st.one_of(TAG_TEXT, JSON_VALUES), max_size=12), JSON_VALUES),
    # Keys the spec does not accept: read-only ones and unknown ones.
    "id": JSON_VALUES,
    "version": JSON_VALUES,
    "Title": TITLES,
}
VALID_TASK = st.fixed_dictionaries(
    {"title": st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs")), min_size=1, max_size=10)},
    optional={
        "status": st.sampled_from(["todo", "in_progress", "done"]),
        "priority": PRIORITIES.filter(bool),
        "due_date": st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1)).map(date.isoformat)),
        "tags": st.lists(st.sampled_from(["a", "b", "C", " d "]), max_size=3),
    },
)
DOCUMENTS = st.one_of(
    VALID_TASK,
    st.fixed_dictionaries(
        {},
        optional={
            key: value
            for key, value in FIELDS.items()
            if key in ("title", "status", "priority", "due_date", "tags", "description")
        },
    ),
    st.fixed_dictionaries({}, optional=FIELDS),
    JSON_VALUES,
)
RAW_BODIES = st.sampled_from([
    b"", b"{", b"[]", b"null", b"1", b'"x"', b"{}", b'{"title": "a", "title": "b"}', b'\xef\xbb\xbf{"title": "bom"}',
    b'{"title": NaN}', b'{"title": 1e400}', b'{"title": "\\ud800"}', b'{"title": "\\ud83d\\ude00"}', b"\xff\xfe",
    b'{"title": "caf\xe9"}', b"[" * 2000 + b"]" * 2000, b'{"title": "x"} trailing', b" {\"title\": \"spaces\"} ",
])  # fmt: skip
CONTENT_TYPES = st.one_of(
    st.just("application/json"),
    st.sampled_from([
        "application/json; charset=utf-8", "application/json; charset=UTF-8", "application/json;charset=latin-1",
        "APPLICATION/JSON", "text/plain", None, "application/merge-patch+json", "application/json; foo=bar",
        "application/jsonx", "",
    ]),
)  # fmt: skip


@st.composite
def bodies(draw) -> tuple[tuple[tuple[str, str], ...], bytes]:
    if draw(st.integers(0, 9)) == 0:
        body = draw(RAW_BODIES)
    else:
        body = json.dumps(draw(DOCUMENTS), ensure_ascii=draw(st.booleans())).encode("utf-8")
    content_type = draw(CONTENT_TYPES) if draw(st.integers(0, 5)) == 0 else "application/json"
    return (() if content_type is None else (("Content-Type", content_type),)), body


QUERY_VALUES = {
    "status": st.sampled_from(["todo", "done,archived", "in_progress,todo", "bogus", "", "todo,", "TODO"]),
    "priority": st.sampled_from(["low", "high,urgent", "normal", "x", ""]),
    "tag": TAG_TEXT,
    "q": st.one_of(st.text(max_size=4), st.just("x" * 201), st.just("")),
    "due_before": DATES,
    "due_after": DATES,
    "sort": st.sampled_from([
        "created_at", "-created_at", "updated_at", "-updated_at", "due_date", "-due_date", "priority", "-priority",
        "id", "+priority",
    ]),
    "limit": st.sampled_from(["1", "2", "100", "101", "0", "-1", "abc", "05", "1e1", "99999999999999999999"]),
    "offset": st.sampled_from(["0", "1", "3", "-1", "x", "2147483647", "2147483648"]),
    "unknown": st.text(max_size=3),
}  # fmt: skip


@st.composite
def queries(draw) -> str:
    pairs = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(sorted(QUERY_VALUES)))
        value = draw(QUERY_VALUES[name])
        # Mostly fully escaped; sometimes with the reserved characters (and any "%") left as they are.
        pairs.append(f"{name}={quote(value, safe='' if draw(st.integers(0, 3)) else RAW_SAFE)}")
    if draw(st.integers(0, 9)) == 0:
        pairs.append(
            draw(
                st.sampled_from(
                    [
                        "status=%zz",
                        "tag=%ff",
                        "q=%e2%82",
                        "limit",
                        "=x",
                        "&&",
                        "q=a+b",
                        "tag=A&tag=a",
                        "limit=1&limit=2",
                    ]
                )
            )
        )
    return "&".join(pairs)


RAW_SAFE = "!$'()*+,;:@/?%="
TARGETS = st.one_of(st.integers(0, 5), st.sampled_from(ABSENT_IDS))
IF_MATCH = st.one_of(
    st.none(), st.just("current"), st.sampled_from(['"1"', "*", 'W/"1"', "", '"x"', '"1", "2"', " * ", 'current, "9"'])
)
IF_NONE_MATCH = st.sampled_from(["current", "*", 'W/"1"', '"1"', "", "garbage"])


AUTHS = st.sampled_from(["token"] * 9 + ["none", "unknown", "malformed"])
AUTHORIZATION = {"none": None, "unknown": "Bearer " + "u" * 43, "malformed": "Basic dXNlcjpwYXNz"}


@st.composite
def steps(draw) -> Step:
    return dataclasses.replace(draw(unauthenticated_steps()), auth=draw(AUTHS))


@st.composite
def unauthenticated_steps(draw) -> Step:
    kind = draw(
        st.sampled_from(
            ["create", "create", "create", "patch", "patch", "get", "delete", "list", "list", "stats", "odd"]
        )
    )
    if kind == "create":
        headers, body = draw(bodies())
        return Step("POST", "/api/tasks", headers=headers, body=body)
    if kind == "patch":
        headers, body = draw(bodies())
        return Step("PATCH", "/api/tasks/{task}", draw(TARGETS), headers=headers, body=body, if_match=draw(IF_MATCH))
    if kind == "get":
        method = draw(st.sampled_from(["GET", "HEAD"]))
        headers = (("If-None-Match", draw(IF_NONE_MATCH)),) if draw(st.booleans()) else ()
        return Step(method, "/api/tasks/{task}", draw(TARGETS), headers=headers)
    if kind == "delete":
        return Step("DELETE", "/api/tasks/{task}", draw(TARGETS), if_match=draw(IF_MATCH))
    if kind == "list":
        return Step(draw(st.sampled_from(["GET", "GET", "HEAD"])), "/api/tasks", query=draw(queries()))
    if kind == "stats":
        return Step(draw(st.sampled_from(["GET", "HEAD"])), "/api/tasks/stats")
    method = draw(st.sampled_from(["PUT", "OPTIONS", "TRACE", "PROPFIND", "DELETE", "POST", "GET"]))
    path = draw(st.sampled_from([
        "/api/tasks/{task}", "/api/tasks", "/api/tasks/stats", "/api/tasks/", "/api/tasks//1", "/API/tasks",
        "/api/tasks/stats/", "/health/live", "/health/ready", "/api/tasks/{task}/x", "/nothing", "/api/",
    ]))  # fmt: skip
    headers = (
        (("X-Request-ID", draw(st.sampled_from(["ok-id", "bad id", "x" * 129, ""]))),) if draw(st.booleans()) else ()
    )
    return Step(method, path, draw(TARGETS) if "{task}" in path else None, headers=headers)


# --- sending and comparing ---------------------------------------------------------------------


@dataclass
class Target:
    """One running variant, and what this example has learnt of its tasks."""

    name: str
    server: ServerInstance
    token: str = ""
    task_ids: list[str] = field(default_factory=list)  # created in this example, in order
    etags: dict[str, str] = field(default_factory=dict)  # task id → the last ETag answered
    symbols: dict[int, str] = field(default_factory=dict)  # task id → "task N", by first sight

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
        finally:
            connection.close()

    def symbol(self, task_id: int) -> str:
        return self.symbols.setdefault(task_id, f"task {len(self.symbols) + 1}")

    def sign_up(self) -> None:
        """The one user of every example, with the same name on all six."""
        credentials = json.dumps({"username": "differential", "password": "one user for all examples"}).encode()
        headers = {"Content-Type": "application/json"}
        for path in ("/api/users", "/api/tokens"):
            status, _, body = self.request("POST", path, headers, credentials)
            assert status == 201, f"{self.name}: {path} answered {status}: {body[:300]!r}"
        self.token = json.loads(body)["token"]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def reset(self) -> None:
        """Delete every task, so that the example starts from an empty table."""
        self.task_ids.clear()
        self.etags.clear()
        self.symbols.clear()
        while True:
            status, _, body = self.request("GET", "/api/tasks?limit=100", self.auth, None)
            assert status == 200, f"{self.name}: listing the leftovers answered {status}"
            items = json.loads(body)["items"]
            if not items:
                return
            for task in items:
                status, _, _ = self.request("DELETE", f"/api/tasks/{task['id']}", self.auth, None)
                assert status in (204, 404), f"{self.name}: deleting a leftover answered {status}"


def resolve(step: Step, target: Target) -> tuple[str, dict[str, str]]:
    """The path and headers of a step for one variant: its own ids and ETags."""
    task_id = None
    if isinstance(step.target, int):
        task_id = target.task_ids[step.target % len(target.task_ids)] if target.task_ids else ABSENT_IDS[0]
    elif step.target is not None:
        task_id = step.target
    path = step.route.replace("{task}", task_id or "")
    if step.query:
        path += "?" + step.query
    headers = dict(step.headers)
    headers.setdefault("X-Request-ID", "differential")
    authorization = f"Bearer {target.token}" if step.auth == "token" else AUTHORIZATION[step.auth]
    if authorization is not None:
        headers["Authorization"] = authorization
    current = target.etags.get(task_id or "", '"1"')
    if step.if_match is not None:
        headers["If-Match"] = step.if_match.replace("current", current)
    if headers.get("If-None-Match") == "current":
        headers["If-None-Match"] = current
    return path, headers


def normalise(target: Target, sent_request_id: str, status: int, headers: dict[str, str], body: bytes) -> dict:
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    seen = {"status": status, "content-type": media_type}
    for name in ("etag", "allow", "www-authenticate"):
        if name in headers:
            seen[name] = headers[name]
    if location := headers.get("location"):
        seen["location"] = re.sub(r"[0-9]+$", lambda match: target.symbol(int(match[0])), location)
    request_id = headers.get("x-request-id")
    seen["x-request-id"] = (
        "<generated>"
        if request_id != sent_request_id and request_id and GENERATED_REQUEST_ID.fullmatch(request_id)
        else request_id
    )
    if media_type in ("application/json", "application/problem+json") and body:
        seen["body"] = normalise_json(target, json.loads(body), sent_request_id)
    else:
        seen["body"] = body
    return seen


def normalise_json(target: Target, value, sent_request_id: str):
    if isinstance(value, list):
        return [normalise_json(target, element, sent_request_id) for element in value]
    if not isinstance(value, dict):
        return value
    normalised = {}
    for key, element in value.items():
        if key == "id" and isinstance(element, int):
            normalised[key] = target.symbol(element)
        elif key in TIMESTAMP_KEYS and isinstance(element, str):
            normalised[key] = "<timestamp>"
        elif key == "request_id" and element != sent_request_id and GENERATED_REQUEST_ID.fullmatch(str(element)):
            normalised[key] = "<generated>"
        else:
            normalised[key] = normalise_json(target, element, sent_request_id)
    return normalised


def learn(step: Step, target: Target, path: str, status: int, headers: dict[str, str], body: bytes) -> None:
    """Remember the ids a create made and the ETags answered, for the steps after this one."""
    if step.method == "POST" and path == "/api/tasks" and status == 201:
        task_id = str(json.loads(body)["id"])
        target.task_ids.append(task_id)
        target.etags[task_id] = headers["etag"]
    elif step.route == "/api/tasks/{task}" and "etag" in headers:
        target.etags[path.rsplit("/", 1)[-1]] = headers["etag"]


@dataclass
class Tally:
    examples: int = 0
    steps: int = 0


def describe_difference(answers: dict[str, dict]) -> str:
    reference_name, reference = next(iter(answers.items()))
    lines = [f"{reference_name}: {reference!r}"]
    for name, answer in answers.items():
        if answer != reference:
            differing = {
                key: answer.get(key) for key in set(answer) | set(reference) if answer.get(key) != reference.get(key)
            }
            lines.append(f"{name} differs in {differing!r}")
    return "\n".join(lines)


# --- the test ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def six(variant_envs, admin_url, tmp_path_factory) -> list[Target]:
    if sorted(variant_envs) != sorted(variant.name for variant in variants.all_variants()):
        pytest.fail(f"--variant-env must name every variant's tox env; got {sorted(variant_envs)}", pytrace=False)
    scratch = tmp_path_factory.mktemp("differential")
    databases = DatabaseProvisioner(admin_url, scratch, "differential")
    targets = []
    try:
        for name, env_dir in sorted(variant_envs.items(), key=lambda item: variants.load(item[0]).port):
            server = ServerInstance(
                variants.load(name),
                scratch,
                name,
                databases.fresh_database_url(name),
                {
                    **{
                        key: variants.env_environment(env_dir)[key]
                        for key in ("PATH", "VIRTUAL_ENV", "PYTHONPYCACHEPREFIX")
                    },
                    "WEB_CONCURRENCY": "1",
                },
            )
            server.migrate()
            server.start()
            targets.append(Target(name, server))
            server.wait_until_answering("/health/ready")
            targets[-1].sign_up()
        yield targets
    except HarnessError as error:
        pytest.fail(str(error), pytrace=False)
    finally:
        failures = []
        for target in targets:
            try:
                target.server.stop()
            except HarnessError as error:
                failures.append(str(error))
        databases.drop_all()
        if failures:
            pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.fixture(scope="module")
def tally(figures) -> Tally:
    counted = Tally()
    yield counted
    figures["differential"] = {"examples": counted.examples, "steps": counted.steps, "variants": 6}


def test_all_six_answer_every_sequence_alike(six, tally):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(steps(), min_size=1, max_size=MAX_STEPS))
    def run(sequence: list[Step]) -> None:
        tally.examples += 1
        for target in six:
            target.reset()
        for number, step in enumerate(sequence, 1):
            tally.steps += 1
            answers = {}
            for target in six:
                path, headers = resolve(step, target)
                status, response_headers, body = target.request(step.method, path, headers, step.body)
                answers[target.name] = normalise(target, headers["X-Request-ID"], status, response_headers, body)
                learn(step, target, path, status, response_headers, body)
            if step.method in ("POST", "PATCH", "DELETE"):
                # Two writes in one millisecond would tie in updated_at, and ties are broken by id,
                # which need not follow the order of the writes: keep the order of time.
                time.sleep(0.002)
            reference = next(iter(answers.values()))
            if any(answer != reference for answer in answers.values()):
                note(describe_difference(answers))
                sent = "\n".join(f"  {index}. {earlier!r}" for index, earlier in enumerate(sequence[:number], 1))
                raise AssertionError(
                    f"step {number} of\n{sent}\nis answered differently:\n{describe_difference(answers)}"
                )

    run()
