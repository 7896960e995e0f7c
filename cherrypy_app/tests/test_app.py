"""What the contract suite cannot see from outside: the dispatcher, the tools and the error
handling, tested in CherryPy's own harness (a Cheroot server in this process)."""

import json
import logging
import socket
import tempfile
import time
from pathlib import Path
from unittest import mock

import argon2
import cherrypy
from cherrypy.test import helper
from prometheus_client import REGISTRY
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tasktracker.errors import TaskArchived
from tasktracker.http import MAX_BODY_BYTES
from tasktracker.sqla.migrate import upgrade
from tracker.api import bearer_token_required
from tracker.app import Root, mount
from tracker.plugins import SQLAlchemyPlugin, task_service
from tracker.tools import UnitOfWorkTool


# region: tests
@cherrypy.expose
class Failing:
    def GET(self):
        raise RuntimeError("the secret detail of a bug")

    @bearer_token_required
    def POST(self):
        task_service().create_task({"title": "rolled back"})
        raise TaskArchived()

    @bearer_token_required
    def DELETE(self):
        raise RuntimeError("the secret detail of a bug")

    @bearer_token_required
    def PUT(self):
        # An error answered without raising: before_finalize sees its status.
        task_service().create_task({"title": "rolled back"})
        cherrypy.response.status = 409
        return {}


class TestRoot(Root):
    failing = Failing()


def tasks_created() -> float:
    return REGISTRY.get_sample_value("tasks_created_total") or 0.0


# CherryPy's own error log included: a failure must be logged once, by tasktracker.errors.
LOGGERS = ("tasktracker.access", "tasktracker.errors", "cherrypy.error")
USERNAME, PASSWORD = "cherry", "a stone in the fruit"


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TrackerWebCase(helper.CPWebCase):
    interactive = False

    @classmethod
    def _setup_server(cls, supervisor, conf):
        # CherryPy's helper always listens on 54583, and tox runs these tests on three Pythons at
        # once (cherrypy, cherrypy-py312, cherrypy-py313): the second to bind exits with 70.
        supervisor.port = conf["port"] = free_port()
        return super()._setup_server(supervisor, conf)

    @classmethod
    def setup_server(cls):
        cls.database_url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'tasks.db'}"
        upgrade(cls.database_url)
        cls.plugin = SQLAlchemyPlugin(cherrypy.engine, cls.database_url)
        cls.plugin.subscribe()
        # CherryPy's default outside "environment: production" (the harness runs "test_suite",
        # which turns it off): the application's own config has to keep request headers out of the log.
        cherrypy.config.update({"tools.log_headers.on": True})
        mount(TestRoot()).merge({"/failing": {"tools.unit_of_work.on": True}})
        cls.token = None

    @classmethod
    def teardown_class(cls):
        super().teardown_class()
        cls.plugin.unsubscribe()

    def setUp(self):
        self.logs = RecordingHandler()
        for name in LOGGERS:
            logging.getLogger(name).addHandler(self.logs)
            logging.getLogger(name).setLevel(logging.INFO)

    def tearDown(self):
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self.logs)
            logging.getLogger(name).setLevel(logging.NOTSET)

    def authorization(self):
        """The Authorization header of the class's user, signed up on first use (hashing is slow)."""
        if type(self).token is None:
            credentials = {"username": USERNAME, "password": PASSWORD}
            self.send_json("/api/users", "POST", credentials)
            self.send_json("/api/tokens", "POST", credentials)
            type(self).token = json.loads(self.body)["token"]
        return ("Authorization", f"Bearer {type(self).token}")

    def get_as_user(self, url, method="GET"):
        self.getPage(url, method=method, headers=[self.authorization()])

    def send_json_as_user(self, url, method, document, extra_headers=()):
        self.send_json(url, method, document, extra_headers=[self.authorization(), *extra_headers])

    def send_json(self, url, method, document, extra_headers=()):
        body = json.dumps(document).encode()
        # webtest adds Content-Length only when it adds a Content-Type itself.
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *extra_headers]
        self.getPage(url, method=method, body=body, headers=headers)

    def assertProblem(self, status, code):
        self.assertStatus(status)
        self.assertHeader("Content-Type", "application/problem+json")
        problem = json.loads(self.body)
        self.assertEqual(problem["code"], code)
        return problem

    def access_lines(self, path):
        """The access lines of ``path`` with the last response's status, written by the tool after
        the response has gone out (so a previous test's late line is not mistaken for this one)."""
        status = int(self.status.split(" ", 1)[0])
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            lines = [
                record
                for record in self.logs.records
                if getattr(record, "path", None) == path and getattr(record, "status", None) == status
            ]
            if lines:
                return lines
            time.sleep(0.01)
        return []


class DispatchTest(TrackerWebCase):
    def test_only_whole_paths_match(self):
        for path in ("/api/tasks/", "/api/tasks//1", "/api//tasks", "/api/tasks/1/extra", "/health/live/x", "/"):
            with self.subTest(path=path):
                self.getPage(path)
                self.assertProblem(404, "not_found")

    def test_python_attributes_are_not_resources(self):
        for path in ("/api/__class__", "/api/tasks/__init__", "/favicon.ico", "/health"):
            with self.subTest(path=path):
                self.getPage(path)
                self.assertProblem(404, "not_found")

    def test_a_segment_that_is_not_an_id_is_a_404_from_the_id_route(self):
        self.get_as_user("/api/tasks/007")
        self.assertProblem(404, "not_found")
        (access_line,) = self.access_lines("/api/tasks/007")
        self.assertEqual(access_line.route, "/api/tasks/{id}")

    def test_the_405_lists_the_spec_methods(self):
        self.getPage("/api/tasks/1", method="OPTIONS")
        self.assertProblem(405, "method_not_allowed")
        self.assertHeader("Allow", "GET, HEAD, PATCH, DELETE")

    def test_the_stats_route_wins_over_the_id_route(self):
        self.getPage("/api/tasks/stats", method="PATCH")
        self.assertProblem(405, "method_not_allowed")
        self.assertHeader("Allow", "GET, HEAD")

    def test_query_parameters_are_not_method_arguments(self):
        self.get_as_user("/api/tasks?colour=blue&limit=5")
        self.assertStatus(200)
        self.assertEqual(json.loads(self.body)["limit"], 5)

    def test_a_query_value_that_is_not_utf8_is_the_spec_error(self):
        self.get_as_user("/api/tasks?q=%FF")
        self.assertEqual(self.assertProblem(400, "invalid_query")["errors"][0]["field"], "q")

    def test_head_has_the_headers_of_get_and_no_body(self):
        self.getPage("/api")
        content_length = self.assertHeader("Content-Length")
        self.getPage("/api", method="HEAD")
        self.assertStatus(200)
        self.assertHeader("Content-Length", content_length)
        self.assertBody(b"")


class ToolsTest(TrackerWebCase):
    def test_a_well_formed_request_id_is_echoed(self):
        self.getPage("/health/live", headers=[("X-Request-ID", "from-the-client")])
        self.assertHeader("X-Request-ID", "from-the-client")
        (access_line,) = self.access_lines("/health/live")
        self.assertEqual((access_line.route, access_line.status), ("/health/live", 200))

    def test_an_unmatched_path_is_logged_once_with_the_unmatched_route(self):
        self.getPage("/nowhere?secret=1")
        (access_line,) = self.access_lines("/nowhere")
        self.assertEqual((access_line.path, access_line.route, access_line.status), ("/nowhere", "unmatched", 404))

    def test_a_successful_method_is_committed(self):
        self.send_json_as_user("/api/tasks", "POST", {"title": "kept"})
        self.assertStatus(201)
        self.get_as_user(self.assertHeader("Location"))
        self.assertStatus(200)

    def test_a_method_that_raises_is_rolled_back(self):
        self.get_as_user("/api/tasks/stats")
        total_before = json.loads(self.body)["total"]
        self.send_json_as_user("/failing", "POST", {})
        self.assertProblem(409, "task_archived")
        self.get_as_user("/api/tasks/stats")
        self.assertEqual(json.loads(self.body)["total"], total_before)

    def test_an_error_status_set_without_raising_is_rolled_back(self):
        self.get_as_user("/api/tasks/stats")
        total_before = json.loads(self.body)["total"]
        self.send_json_as_user("/failing", "PUT", {})
        self.assertStatus(409)
        self.get_as_user("/api/tasks/stats")
        self.assertEqual(json.loads(self.body)["total"], total_before)

    def test_a_committed_create_is_counted(self):
        created_before = tasks_created()
        self.send_json_as_user("/api/tasks", "POST", {"title": "counted"})
        self.assertStatus(201)
        self.assertEqual(tasks_created(), created_before + 1)

    def test_location_is_the_task_path(self):
        self.send_json_as_user("/api/tasks", "POST", {"title": "located"})
        self.assertEqual(self.assertHeader("Location"), f"/api/tasks/{json.loads(self.body)['id']}")

    def test_location_does_not_depend_on_the_host_header(self):
        self.send_json_as_user("/api/tasks", "POST", {"title": "located"}, extra_headers=[("Host", "a/b")])
        self.assertEqual(self.assertHeader("Location"), f"/api/tasks/{json.loads(self.body)['id']}")


class ErrorsTest(TrackerWebCase):
    def test_an_unexpected_exception_is_a_bare_500_logged_with_its_traceback(self):
        self.getPage("/failing")
        problem = self.assertProblem(500, "internal_error")
        self.assertNotIn(b"secret", self.body)
        self.assertEqual(problem["request_id"], self.assertHeader("X-Request-ID"))
        (error,) = [record for record in self.logs.records if record.levelno >= logging.ERROR]
        self.assertEqual(error.name, "tasktracker.errors")
        self.assertIsInstance(error.exc_info[1], RuntimeError)

    def test_a_failing_commit_is_a_503_without_the_success_headers(self):
        self.get_as_user("/api/tasks/stats")
        total_before = json.loads(self.body)["total"]
        created_before = tasks_created()
        failure = OperationalError("COMMIT", {}, Exception("disk I/O error"))
        with mock.patch("sqlalchemy.orm.Session.commit", side_effect=failure):
            self.send_json_as_user("/api/tasks", "POST", {"title": "never stored"})
        problem = self.assertProblem(503, "unavailable")
        self.assertNoHeader("Location")
        self.assertNoHeader("ETag")
        self.assertEqual(problem["request_id"], self.assertHeader("X-Request-ID"))
        (access_line,) = self.access_lines("/api/tasks")
        self.assertEqual(access_line.status, 503)
        (error,) = [record for record in self.logs.records if record.levelno >= logging.ERROR]
        self.assertEqual(error.name, "tasktracker.errors")
        self.assertIsInstance(error.exc_info[1], OperationalError)
        self.assertEqual(tasks_created(), created_before)
        self.get_as_user("/api/tasks/stats")
        self.assertEqual(json.loads(self.body)["total"], total_before)

    def test_a_request_rejected_before_dispatch_shows_no_traceback(self):
        with socket.create_connection((self.HOST, self.PORT)) as connection:
            connection.sendall(b"GET /api HTTP/1.1\r\nConnection: close\r\n\r\n")
            response = b"".join(iter(lambda: connection.recv(65536), b""))
        self.assertIn(b" 400 ", response.split(b"\r\n", 1)[0])
        self.assertNotIn(b"Traceback", response)

    def test_a_chunked_body_over_the_limit_is_a_413(self):
        body = b'{"title": "' + b"x" * MAX_BODY_BYTES + b'"}'
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        headers = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), self.authorization()]
        self.getPage("/api/tasks", method="POST", body=chunked, headers=headers)
        self.assertProblem(413, "payload_too_large")


class AuthTest(TrackerWebCase):
    def database_rows(self, query):
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(query)).all()
        finally:
            engine.dispose()

    def test_a_password_is_stored_as_argon2id_at_the_owasp_minimum(self):
        self.authorization()
        ((stored_hash,),) = self.database_rows(f"SELECT password_hash FROM users WHERE username = '{USERNAME}'")
        parameters = argon2.extract_parameters(stored_hash)
        self.assertEqual(parameters.type, argon2.Type.ID)
        self.assertEqual((parameters.memory_cost, parameters.time_cost, parameters.parallelism), (19456, 2, 1))
        self.assertNotIn(PASSWORD, stored_hash)

    def test_a_cookie_is_ignored_even_one_that_cherrypy_cannot_parse(self):
        for cookie in ("session=abc", "a/b=c"):
            with self.subTest(cookie=cookie):
                self.getPage("/api/users/me", headers=[("Cookie", cookie), self.authorization()])
                self.assertStatus(200)
                self.getPage("/api/users/me", headers=[("Cookie", cookie)])
                self.assertProblem(401, "unauthenticated")

    def test_a_refused_token_is_not_logged_by_cherrypy(self):
        self.getPage("/api/tasks", headers=[("Authorization", "Bearer unknown")])
        self.assertProblem(401, "invalid_token")
        self.assertHeader("WWW-Authenticate", 'Bearer realm="task-tracker", error="invalid_token"')
        self.assertEqual([record for record in self.logs.records if record.levelno >= logging.WARNING], [])

    def test_a_failed_token_request_is_committed_before_its_401_goes_out(self):
        self.authorization()
        release = UnitOfWorkTool.release

        def late_release(tool):
            # on_end_request runs once the client has the answer: too late for the record.
            time.sleep(0.5)
            release(tool)

        with mock.patch.object(UnitOfWorkTool, "release", late_release):
            self.send_json("/api/tokens", "POST", {"username": USERNAME, "password": "not the password"})
            self.assertProblem(401, "invalid_credentials")
            self.assertNoHeader("WWW-Authenticate")
            self.assertEqual(len(self.database_rows("SELECT failed_at FROM login_failures")), 1)

    def test_a_failed_token_request_whose_record_cannot_be_kept_is_a_503(self):
        failure = OperationalError("COMMIT", {}, Exception("disk I/O error"))
        with mock.patch("sqlalchemy.orm.Session.commit", side_effect=failure):
            self.send_json("/api/tokens", "POST", {"username": "nobody", "password": "not the password"})
        self.assertProblem(503, "unavailable")
        (error,) = [record for record in self.logs.records if record.levelno >= logging.ERROR]
        self.assertEqual(error.name, "tasktracker.errors")
        self.assertIsInstance(error.exc_info[1], OperationalError)

    def test_no_log_line_shows_the_authorization_header(self):
        token = self.authorization()[1].removeprefix("Bearer ")
        malformed = "Bearer not+a+token"
        self.getPage("/failing", method="DELETE", headers=[self.authorization()])
        self.assertProblem(500, "internal_error")
        self.getPage("/api/tasks", headers=[("Authorization", malformed)])
        self.assertProblem(401, "invalid_token")
        self.access_lines("/api/tasks")
        formatter = logging.Formatter()
        logged = "\n".join(formatter.format(record) for record in self.logs.records)
        self.assertIn("the secret detail of a bug", logged)
        self.assertNotIn(token, logged)
        self.assertNotIn(malformed, logged)
        self.assertNotIn(PASSWORD, logged)
        self.assertNotIn("Authorization", logged)


# endregion
