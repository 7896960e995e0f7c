"""docs/RELIABILITY.md from the fault suite's figures, without running a server."""

import json

import reliability

NAMES = ["django", "flask", "bottle", "cherrypy", "turbogears", "web2py"]


def outcomes(failed: str | None = None, skipped: tuple[str, ...] = ()) -> dict:
    found = {}
    for key, (test, _) in reliability.TESTS.items():
        if key == failed:
            found[test] = {"outcome": "failed", "message": "AssertionError: 3 acknowledged writes are missing"}
        elif key in skipped:
            found[test] = {"outcome": "skipped", "message": "not here"}
        else:
            found[test] = {"outcome": "passed"}
    return found


def write_results(directory, name: str, database: str, figures: dict, **outcome_options) -> None:
    result = {"variant": name, "figures": figures, "outcomes": outcomes(**outcome_options)}
    (directory / f"{name}--{database}.json").write_text(json.dumps(result), encoding="utf-8")


def test_the_page_has_a_row_per_variant_and_database_and_names_each_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(reliability, "RESULTS_DIR", tmp_path)
    sqlite_figures = {
        "sigterm": {"writes": 420, "acknowledged": 400, "refused": 20, "broken": 0, "lost": 0, "exit_seconds": 1.5},
        "kill9": {"writes": 300, "acknowledged": 290, "in_flight": 8, "lost": 0, "half_written": 0},
        "idle": {"stalled": 100, "bare_seconds": None, "edge_seconds": 0.01, "probe_timeout_seconds": 3.0},
        "cardinality": {"requests": 10000, "series_before": 90, "series_after": 90, "statuses": {"404": 9000}},
        "fuzz": {
            "requests": 1200, "test_cases": 1150, "findings": 0, "known": 3, "seconds": 31.6,
            "phases": {"examples": "skip", "coverage": "success", "fuzzing": "success", "stateful": "success"},
        },
    }  # fmt: skip
    postgres_figures = {
        "outage": {"slowest_503_seconds": 0.05, "recovery_seconds": 0.3},
        "outage_burst": {"writes": 200, "acknowledged": 150, "unavailable": 50, "lost": 0, "half_written": 0},
    }
    for name in NAMES:
        write_results(tmp_path, name, "sqlite", sqlite_figures, skipped=("outage", "outage_burst"))
        write_results(
            tmp_path, name, "postgresql", postgres_figures, failed="kill9" if name == "web2py" else None,
            skipped=("idle", "cardinality"),
        )  # fmt: skip
    differential = {"differential": {"examples": 60, "steps": 400, "variants": 6}}
    write_results(tmp_path, "differential", "sqlite", differential)
    write_results(tmp_path, "differential", "postgresql", differential, failed="differential")
    block = reliability.measured_block(reliability.load_results())
    assert block.startswith(reliability.markdown.MEASURED_BEGIN) and block.endswith(reliability.markdown.MEASURED_END)
    summary = [
        line
        for line in block.splitlines()
        if line.startswith("| ") and ("| SQLite |" in line or "| PostgreSQL |" in line)
    ]
    assert sum(1 for line in summary if line.count("|") == len(reliability.TESTS) + 3) >= 12
    assert "| web2py | PostgreSQL | ✔ | ✔ | ✔ | ✔ | ✘ | ➖ | ➖ | ✔ | ✘ |" in block
    assert "| flask | SQLite | ➖ | ➖ | ✔ | ✔ | ✔ | ✔ | ✔ | ✔ | ✔ |" in block
    assert "| bottle | SQLite | 1200 | 1150 | 0 | 3 | coverage, fuzzing, stateful | 32 s |" in block
    assert "| PostgreSQL | 60 | 400 | 2400 |" in block
    assert "- ✘ **differential** on PostgreSQL, `differential.py::" in block
    assert "- ✘ **web2py** on PostgreSQL, `test_kill9.py::" in block
    assert "| django | 100 | no answer in 3 s | 0.01 s | no |" in block
    assert "| flask | 0.05 s | 0.30 s | 200 | 150 | 50 | 0 | 0 |" in block


def test_the_check_passes_on_the_page_as_rendered_and_fails_on_a_changed_method(tmp_path, monkeypatch):
    page = tmp_path / "RELIABILITY.md"
    monkeypatch.setattr(reliability, "PAGE_PATH", page)
    page.write_text(reliability.document("<!-- measured:begin (x) -->"), encoding="utf-8")
    measured = reliability.markdown.committed_measured_block(page, "tox -e reliability")
    page.write_text(reliability.document(measured), encoding="utf-8")
    assert reliability.main(["--check"]) == 0
    page.write_text(page.read_text(encoding="utf-8").replace("## Method", "## How"), encoding="utf-8")
    assert reliability.main(["--check"]) == 1
