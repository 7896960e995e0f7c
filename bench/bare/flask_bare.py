"""Flask's smallest JSON app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def ok():
    return {"ok": True}
