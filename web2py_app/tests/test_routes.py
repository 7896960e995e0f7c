"""routes.py: the spec's paths onto the tasks application, and nothing else."""

import pytest
from gluon.rewrite import filter_url, load

load()

EXPECTED = [
    ("/api", "/tasks/api/index"),
    ("/api/tasks", "/tasks/api/tasks"),
    ("/api/tasks/stats", "/tasks/api/stats"),
    ("/api/tasks/42", "/tasks/api/task ['42']"),
    ("/api/tasks/abc", "/tasks/api/task ['abc']"),
    ("/health/live", "/tasks/health/live"),
    ("/health/ready", "/tasks/health/ready"),
    ("/metrics", "/tasks/health/metrics"),
]
# web2py's own URLs (/<app>/<controller>/<function>) and near misses of the spec's paths.
NOT_ROUTES = ["/", "/tasks/api/tasks", "/tasks/default/index", "/api/", "/api/tasks/", "/api/tasks/1/x", "/metrics.txt"]


@pytest.mark.parametrize(("path", "action"), EXPECTED)
def test_each_path_of_the_spec_reaches_its_action(path, action):
    assert filter_url(f"http://127.0.0.1:8006{path}") == action


@pytest.mark.parametrize("path", NOT_ROUTES)
def test_every_other_path_reaches_the_not_found_action(path):
    assert filter_url(f"http://127.0.0.1:8006{path}") == "/tasks/errors/not_found"


@pytest.mark.parametrize("method", ["brew", "m-search", "propfind2"])
def test_any_method_is_routed(method):
    assert filter_url("http://127.0.0.1:8006/api", method=method) == "/tasks/api/index"
    assert filter_url("http://127.0.0.1:8006/tasks/api/tasks", method=method) == "/tasks/errors/not_found"


def test_the_query_string_is_left_alone():
    assert filter_url("http://127.0.0.1:8006/api/tasks?tag=a&tag=b") == "/tasks/api/tasks ?tag=a&tag=b"


def test_the_task_action_is_written_out_as_the_spec_path():
    assert filter_url("http://127.0.0.1:8006/tasks/api/task/42", out=True) == "/api/tasks/42"
