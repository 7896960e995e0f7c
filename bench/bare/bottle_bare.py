"""Bottle's smallest JSON app (a dict is written as JSON by its default plugin)."""

from bottle import Bottle

app = Bottle()


@app.get("/")
def ok():
    return {"ok": True}
