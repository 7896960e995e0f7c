# ruff: noqa: F821 (web2py runs this file with response and session as globals)
def index():
    session.forget(response)
    return response.json({"ok": True})
