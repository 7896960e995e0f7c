"""The WSGI entry point gunicorn serves: ``gunicorn --config gunicorn.conf.py tracker.wsgi:app``."""

from tracker import create_app

# region: serving
app = create_app()
# endregion
