"""SQLite's plans for the growth queries, as each ORM's own repository sends them.

    python sqlite_plans.py sqlalchemy|django|web2py sqlite:///grown.db OWNER_ID    # JSON on stdout

Run by ``growth.py`` in the env (and, for Django and web2py, the folder) of the ORM named:
the repository runs for real on the grown database, every statement it sends is caught on its
way to the driver, and each is then explained with its own parameters (``EXPLAIN QUERY PLAN``).
SQLite has no server to log plans, as PostgreSQL's ``auto_explain`` does, so this is the way.
Every repository is one owner's (spec 7.4): ``OWNER_ID`` is the bench user's, whose tasks were grown.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from types import SimpleNamespace

from growth import QUERIES, access_paths

from tasktracker.validation import parse_list_query


def explained(caught: list[tuple[str, object]], explain) -> list[dict]:
    plans = []
    for statement, parameters in caught:
        if not statement.lstrip().upper().startswith("SELECT") or "task" not in statement.lower():
            continue  # a ping, a BEGIN
        plan = "\n".join(row[-1] for row in explain(statement, parameters))
        plans.append({"statement": " ".join(statement.split()), "plan": plan, "paths": access_paths(plan)})
    return plans


def sqlalchemy_plans(url: str, owner_id: int) -> dict:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from tasktracker.sqla import SqlAlchemyTaskRepository, create_engine_for

    engine = create_engine_for(url)
    caught: list = []
    event.listen(engine, "before_cursor_execute", lambda _c, _k, text, params, _x, _m: caught.append((text, params)))
    plans = {}
    try:
        for query in QUERIES:
            caught.clear()
            with Session(engine) as session:
                run_one(SqlAlchemyTaskRepository(session, owner_id), query)
            with engine.connect() as connection:
                cursor = connection.connection.cursor()

                def explain(text, params, cursor=cursor):
                    return cursor.execute(f"EXPLAIN QUERY PLAN {text}", params).fetchall()

                plans[query] = explained(list(caught), explain)
    finally:
        engine.dispose()
    return plans


def django_plans(url: str, owner_id: int) -> dict:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.db import connection
    from tasks.repository import DjangoTaskRepository

    caught: list = []

    def catch(execute, sql, params, many, context):
        caught.append((sql, params))
        return execute(sql, params, many, context)

    plans = {}
    for query in QUERIES:
        caught.clear()
        with connection.execute_wrapper(catch):
            run_one(DjangoTaskRepository(lambda: None, owner_id), query)

        def explain(sql, params):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                return cursor.fetchall()

        plans[query] = explained(list(caught), explain)
    return plans


def web2py_plans(url: str, owner_id: int) -> dict:
    os.environ.setdefault("web2py_path", os.getcwd())
    sys.path.insert(0, os.getcwd())
    import tempfile

    from applications.tasks.modules.database import dal_options
    from applications.tasks.modules.schema import define_tables
    from applications.tasks.modules.task_repository import DalTaskRepository
    from gluon.shell import env
    from pydal import DAL

    env("tasks")  # web2py's shell environment (request, session in ``current``), which Auth's tables need
    db = DAL(**dal_options(url), folder=tempfile.mkdtemp(), migrate_enabled=False)
    define_tables(db)  # auth_user too: the task's owner references it
    plans = {}
    for query in QUERIES:
        before = len(db._timings)
        run_one(DalTaskRepository(SimpleNamespace(db=db), owner_id), query)  # the request's LazyDatabase
        # The DAL writes its values into the SQL: no parameters.
        caught = [(statement, ()) for statement, *_ in db._timings[before:]]
        plans[query] = explained(caught, lambda sql, _params: db.executesql(f"EXPLAIN QUERY PLAN {sql}"))
    db.close()
    return plans


def run_one(repository, query: str) -> None:
    _, path = QUERIES[query]
    if query == "stats":
        repository.stats(date.today())
    else:
        repository.list(parse_list_query(path.partition("?")[2]))


ORMS = {"sqlalchemy": sqlalchemy_plans, "django": django_plans, "web2py": web2py_plans}

if __name__ == "__main__":
    print(json.dumps(ORMS[sys.argv[1]](sys.argv[2], int(sys.argv[3]))))
