"""Options and fixtures of the fault suite: the variant, its database, and where its figures go.

    pytest reliability --variant flask                              # on SQLite
    pytest reliability --variant flask --database-url postgresql://postgres@127.0.0.1:5432/postgres
    pytest reliability --variant flask --figures build/reliability/flask--sqlite.json

Each test starts its own instances through the contract suite's harness, and records what it
measured (``figures``); ``tools/reliability.py`` runs this suite for every variant and database and
renders the figures into ``docs/RELIABILITY.md``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from harness import DatabaseProvisioner, HarnessError, ServerInstance, ServerLauncher, is_postgres_url

pytest.register_assert_rewrite("expectations")

# Known deviations (reliability/deviations.toml) become strict xfails of their variant, as in the
# contract suite.
pytest_plugins = ("deviations",)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("reliability", "task tracker fault suite")
    group.addoption("--variant", help="the variant to start (the NAME of NAME_app/variant.toml)")
    group.addoption(
        "--variant-env",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="a variant and its tox env, for differential.py, which starts all six at once (repeat it)",
    )
    group.addoption(
        "--database-url",
        default=os.environ.get("CONTRACT_DATABASE_URL"),
        help="a PostgreSQL admin URL to create throwaway databases on (default: $CONTRACT_DATABASE_URL, else SQLite)",
    )
    group.addoption("--figures", help="write what the tests measured to this JSON file")


RESULTS = pytest.StashKey[dict]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RESULTS] = {"figures": {}, "outcomes": {}}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Each test's outcome, the worst of its phases, with the first line of a failure's message."""
    report = (yield).get_result()
    outcomes = item.config.stash[RESULTS]["outcomes"]
    name = item.nodeid
    if hasattr(report, "wasxfail"):
        if report.when == "call" or report.skipped:
            outcomes[name] = {"outcome": "deviation", "message": report.wasxfail}
    elif report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr).strip()
        outcomes[name] = {"outcome": "failed", "message": message.splitlines()[0][:300] if message else ""}
    elif report.skipped and name not in outcomes:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        outcomes[name] = {"outcome": "skipped", "message": str(reason).removeprefix("Skipped: ")}
    elif report.when == "call" and report.passed and name not in outcomes:
        outcomes[name] = {"outcome": "passed"}


def pytest_sessionfinish(session: pytest.Session) -> None:
    if path := session.config.getoption("--figures"):
        results = session.config.stash[RESULTS]
        results["variant"] = session.config.getoption("--variant")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> dict:
    """What each test measured, by the test's own key; written with the outcomes by --figures."""
    return pytestconfig.stash[RESULTS]["figures"]


@pytest.fixture(scope="session")
def variant_name(pytestconfig: pytest.Config) -> str:
    if not (name := pytestconfig.getoption("--variant")):
        pytest.fail("these tests start one variant: give --variant NAME", pytrace=False)
    return name


@pytest.fixture(scope="session")
def variant_envs(pytestconfig: pytest.Config) -> dict[str, Path]:
    """``--variant-env NAME=DIR`` options, by variant name."""
    pairs = (option.partition("=") for option in pytestconfig.getoption("--variant-env"))
    return {name: Path(directory).resolve() for name, _, directory in pairs}


@pytest.fixture(scope="session")
def admin_url(pytestconfig: pytest.Config) -> str | None:
    url = pytestconfig.getoption("--database-url")
    return url if is_postgres_url(url) else None


@pytest.fixture(scope="session")
def databases(admin_url, variant_name, tmp_path_factory: pytest.TempPathFactory):
    provisioner = DatabaseProvisioner(admin_url, tmp_path_factory.mktemp("databases"), variant_name)
    yield provisioner
    provisioner.drop_all()


@pytest.fixture
def launch(variant_name, databases, tmp_path_factory: pytest.TempPathFactory):
    """Starts instances of the variant for one test; those still running after it are stopped and checked."""
    launcher = ServerLauncher(variant_name, databases, tmp_path_factory.mktemp)

    def start(label: str, **options) -> ServerInstance:
        try:
            return launcher.launch(label, **options)
        except HarnessError as error:
            pytest.fail(str(error), pytrace=False)

    yield start
    if failures := launcher.stop_all():
        pytest.fail("\n\n".join(failures), pytrace=False)


@pytest.fixture
def postgres_only(admin_url):
    if admin_url is None:
        pytest.skip("SQLite is a file in the server's own process: there is no connection to cut")


@pytest.fixture
def sqlite_only(admin_url):
    if admin_url is not None:
        pytest.skip("does not depend on the database: measured on SQLite only")
