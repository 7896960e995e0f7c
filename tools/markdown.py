"""Markdown tables for the generated documents (PARITY.md, COMPARISON.md)."""

from __future__ import annotations


def table(header: list[str], rows: list[list[str]], numbers_right: bool = False) -> str:
    """A pipe table; with ``numbers_right`` every column but the first is right-aligned."""
    alignment = "|---|" + ("--:|" if numbers_right else "---|") * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", alignment]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
