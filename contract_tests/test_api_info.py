"""Spec 4.1: GET /api says which variant, framework and versions are serving."""

from expectations import assert_json

FRAMEWORK_BY_VARIANT = {
    "django": "Django",
    "flask": "Flask",
    "bottle": "bottle",
    "cherrypy": "CherryPy",
    "turbogears": "TurboGears2",
    "web2py": "web2py-gluon",
}


def test_api_info(anonymous_client, variant_name):
    info = assert_json(anonymous_client.get("/api"), 200, "ApiInfo")
    assert info["name"] == "task-tracker"
    assert info["spec_version"] == "2.0"
    if variant_name is not None:
        assert info["variant"] == variant_name
    assert info["framework"] == FRAMEWORK_BY_VARIANT[info["variant"]]


def test_api_info_does_not_change_between_requests(anonymous_client):
    assert anonymous_client.get("/api").json() == anonymous_client.get("/api").json()
