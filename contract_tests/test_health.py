"""Spec 4.10 with a working database; test_db_unreachable.py covers the other case."""

from expectations import assert_json


def test_live(anonymous_client):
    assert assert_json(anonymous_client.get("/health/live"), 200, "Health") == {"status": "ok"}


def test_ready(anonymous_client):
    assert assert_json(anonymous_client.get("/health/ready"), 200, "Readiness") == {
        "status": "ok",
        "checks": {"database": "ok"},
    }
