"""The Bottle variant of the task tracker. The factory is ``tracker.app.create_app``; the whole
WSGI application, as it is served, is ``tracker.wsgi.app``.

This file stays empty on purpose: ``python -m tracker`` imports it before ``__main__`` has had a
chance to prepare prometheus-client's multiprocess directory.
"""
