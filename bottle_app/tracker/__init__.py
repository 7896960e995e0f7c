"""The Bottle variant of the task tracker. The factory is ``tracker.app.create_app``.

This file stays empty on purpose: ``python -m tracker`` imports it before ``__main__`` has had a
chance to prepare prometheus-client's multiprocess directory.
"""
