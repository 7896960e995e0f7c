"""Django settings for the Django variant, read from the environment (spec section 6.4).

One module for every environment: each value that differs between a laptop and production
comes from an environment variable, with a default that works locally.
"""

import os
from pathlib import Path

from tasktracker.config import Settings, ensure_sqlite_folder, parse_database_url
from tasktracker.http import MAX_BODY_BYTES
from tasktracker.observability.logging import logging_config

# region: app-config
BASE_DIR = Path(__file__).resolve().parent.parent

# The spec's settings, the one place the variant names itself. The app reads them as
# django.conf.settings.TASKTRACKER (GET /api, app_info); gunicorn.conf.py imports them from here.
TASKTRACKER = Settings.from_env("django")

SECRET_KEY = TASKTRACKER.secret_key
# Debug pages show tracebacks and settings, and the spec wants problem+json on every error.
DEBUG = os.environ.get("DJANGO_DEBUG", "").lower() in ("1", "true")
# Django checks the Host header against this list. The default covers the spec's HOST default
# (127.0.0.1); a deployment behind a proxy names its public host names here.
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

# django.contrib.auth for its user model and hashers (it needs contenttypes for its
# permissions); no admin, sessions or templates: a JSON API over two apps.
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "accounts", "tasks"]

# Outermost first. The unit of work sits inside CommonMiddleware and around ProblemMiddleware, so
# it sees the problem response a failing view turned into and rolls that request back.
# ATOMIC_REQUESTS stays off: it would connect and begin before the view runs, so a request
# refused without the database (a malformed body) would fail while the database is down.
MIDDLEWARE = [
    "tasks.middleware.RequestObservationMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tasks.middleware.UnitOfWorkMiddleware",
    "tasks.middleware.ProblemMiddleware",
]
# No CsrfViewMiddleware: CSRF abuses the cookies a browser sends by itself, and this API has no
# cookies or sessions to abuse. Its clients send JSON, which a cross-site form cannot forge.
# No SessionMiddleware or AuthenticationMiddleware either: a bearer view authenticates itself
# (accounts/authentication.py), and no response sets a cookie.

# The spec's paths match exactly: /api/tasks/ is a 404, never a redirect to /api/tasks.
APPEND_SLASH = False

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# request.body raises RequestDataTooBig past this size, which the views answer with a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES

USE_TZ = True
TIME_ZONE = "UTC"
# endregion

# region: auth
# The user model is django.contrib.auth's own (AUTH_USER_MODEL stays auth.User).
# make_password hashes with the first hasher: Argon2id with Django's parameters (m=102400 KiB,
# t=2, p=8), above OWASP's minimum (spec 7.5). The second is Django's default, kept so that
# check_password still reads a hash made before the switch (createsuperuser's, say).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Only the bearer token: no ModelBackend, so no view accepts a username and password but
# POST /api/tokens, through the account service and its lock-out.
AUTHENTICATION_BACKENDS = ["accounts.authentication.BearerTokenBackend"]
# endregion

# region: persistence
database = parse_database_url(TASKTRACKER.database_url, base_dir=BASE_DIR)
if database.backend == "sqlite":
    ensure_sqlite_folder(database)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": database.path,
            "OPTIONS": {
                # A request's transaction (transaction.atomic()) takes the write lock at BEGIN and
                # waits up to `timeout` seconds for it. With SQLite's default (DEFERRED), two
                # transactions that read and then write deadlock, and one fails at once with
                # "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # Write-ahead log: readers outside a transaction (readiness) carry on while a
                # writer holds the lock.
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": database.host,
            "PORT": database.port,
            "USER": database.user,
            "PASSWORD": database.password,
            "NAME": database.name,
            # An unreachable server fails readiness within seconds instead of hanging a worker.
            "OPTIONS": {"connect_timeout": 5},
            # Keep a worker's connection between requests, and check it before reuse.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # The variant's tests create (and drop) their own database on the same server, one
            # per process: tox runs django-pg, django-py312-pg and django-py313-pg at once.
            # (On SQLite Django's test database is in memory, so each process has its own.)
            "TEST": {"NAME": f"test_tasktracker_django_{os.getpid()}"},
        }
    }

# Ids fit the spec's 1..2147483647: a plain integer key, not Django's default bigint.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# endregion

# region: logging
LOGGING = logging_config(TASKTRACKER)
LOGGING["filters"] = {
    "tracebacks_only": {
        "()": "django.utils.log.CallbackFilter",
        "callback": lambda record: record.exc_info is not None,
    }
}
# django.request repeats every 4xx and 5xx response as a warning or an error once the middleware
# has finished; the access log already has them. Only its records of an exception that escaped
# ProblemMiddleware carry news.
LOGGING["loggers"] = {"django.request": {"filters": ["tracebacks_only"]}}
# endregion
