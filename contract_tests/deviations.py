"""The registry of known deviations, ``deviations.toml``, applied to the collected tests.

A registered test is marked ``xfail(strict=True)`` for its variant only: while it fails it is
reported as a known deviation, and once it passes the run fails until the entry is removed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REGISTRY_PATH = Path(__file__).with_name("deviations.toml")
ENTRY_KEYS = {"variant", "test", "reason", "since"}


@dataclass(frozen=True)
class Deviation:
    variant: str
    test: str
    reason: str
    since: str

    def covers(self, test_id: str) -> bool:
        """The exact node id, or every parametrization of a test named without ``[...]``."""
        return test_id == self.test or ("[" not in self.test and test_id.split("[", 1)[0] == self.test)


def load_registry(path: Path = REGISTRY_PATH) -> list[Deviation]:
    with path.open("rb") as registry_file:
        document = tomllib.load(registry_file)
    if set(document) - {"deviation"}:
        raise pytest.UsageError(f"{path}: only [[deviation]] entries belong here, found {sorted(document)}")
    deviations = []
    for number, entry in enumerate(document.get("deviation", []), start=1):
        if set(entry) != ENTRY_KEYS or not all(str(entry[key]).strip() for key in ENTRY_KEYS):
            raise pytest.UsageError(f"{path}: deviation {number} needs exactly {sorted(ENTRY_KEYS)}, all non-empty")
        deviations.append(Deviation(entry["variant"], entry["test"], entry["reason"], str(entry["since"])))
    seen = set()
    for deviation in deviations:
        if (deviation.variant, deviation.test) in seen:
            raise pytest.UsageError(f"{path}: {deviation.variant} {deviation.test} is registered twice")
        seen.add((deviation.variant, deviation.test))
    return deviations


def test_id(item: pytest.Item) -> str:
    """The node id from the test file on (``test_x.py::test_y[z]``), wherever pytest was started."""
    return f"{item.path.name}::{item.nodeid.split('::', 1)[1]}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "deviations_registry", "the registry of known deviations, beside pytest.ini", default="deviations.toml"
    )


def registry_path(config: pytest.Config) -> Path:
    """This suite's registry: contract_tests/deviations.toml, or the one its pytest.ini names."""
    return config.rootpath / config.getini("deviations_registry")


def pytest_report_header(config: pytest.Config) -> str | None:
    variant_name = config.getoption("--variant")
    if not variant_name:
        return None
    path = registry_path(config)
    count = sum(deviation.variant == variant_name for deviation in load_registry(path))
    return f"known deviations of {variant_name}: {count} ({path.parent.name}/{path.name})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    variant_name = config.getoption("--variant")
    if not variant_name:
        return
    deviations = [deviation for deviation in load_registry(registry_path(config)) if deviation.variant == variant_name]
    for item in items:
        for deviation in deviations:
            if deviation.covers(test_id(item)):
                reason = f"known deviation of {variant_name} since {deviation.since}: {deviation.reason}"
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
