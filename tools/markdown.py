"""Markdown for the generated documents: tables, and the measured part the stale checks skip."""

from __future__ import annotations


def table(header: list[str], rows: list[list[str]], numbers_right: bool = False) -> str:
    """A pipe table; with ``numbers_right`` every column but the first is right-aligned."""
    alignment = "|---|" + ("--:|" if numbers_right else "---|") * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", alignment]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


# The part of a generated page that depends on the machine and the day: the stale check skips it.
MEASURED_BEGIN = "<!-- measured:begin (machine-dependent; the stale check skips this part) -->"
MEASURED_END = "<!-- measured:end -->"


def committed_measured_block(path, rebuild: str) -> str:
    """The measured part of the page at ``path`` as committed, or a placeholder naming ``rebuild``."""
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        begin, end = text.find(MEASURED_BEGIN), text.find(MEASURED_END)
        if 0 <= begin < end:
            return text[begin : end + len(MEASURED_END)]
    return f"{MEASURED_BEGIN}\n\nNot measured yet: run `{rebuild}`.\n\n{MEASURED_END}"
