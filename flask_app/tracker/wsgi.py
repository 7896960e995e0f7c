"""The WSGI entry point gunicorn serves: ``gunicorn --config gunicorn.conf.py tracker.wsgi:app``."""

from tracker import create_app

app = create_app()
