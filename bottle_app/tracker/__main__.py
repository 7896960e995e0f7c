"""``python -m tracker``: serve the app with gunicorn, through Bottle's own server adapter.

gunicorn rather than waitress: on SIGTERM gunicorn lets the requests in flight finish and exits 0;
waitress has no graceful shutdown, and the signal kills it mid-request.
"""

import bottle

from tasktracker.gunicorn_settings import gunicorn_settings
from tracker.settings import settings


# region: serving
def main() -> None:
    # Before the app is imported: this also prepares prometheus-client's multiprocess directory.
    options = gunicorn_settings(settings)
    # Bottle imports the app here, in gunicorn's master, and each worker inherits it: nothing in
    # create_app() may open a database connection. Quiet: Bottle's start-up banner is not JSON.
    # The adapter hands the options to gunicorn; their bind replaces the one it builds from
    # bottle.run's own host and port.
    bottle.run("tracker.wsgi:app", server="gunicorn", quiet=True, **options)


if __name__ == "__main__":
    main()
# endregion
