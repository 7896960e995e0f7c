"""The concerns a reader compares across variants, and the region markers that say where each one lives.

A variant marks a stretch of its code with a comment line naming one or more concerns, and closes
it with ``endregion``::

    # region: routing
    bp = Blueprint("api", __name__, url_prefix="/api")
    # endregion

    # region: logging, metrics          (one stretch may serve several concerns)
    ...
    # endregion

Regions may nest; ``endregion`` closes the innermost open one. The comment may start with ``#``,
``;`` (ini files), ``//`` or ``<!--`` (templates, closed by ``-->``). ``tools/side_by_side.py`` and
``tools/compare.py`` read the markers through this module, and ``side_by_side.py --check`` holds
every variant to three rules:

- every concern is marked at least once;
- a region holds whole definitions: in a Python file, no region begins or ends inside a function,
  a class or a multi-line module-level statement (a settings block) unless it holds all of it;
- at least ``MIN_COVERAGE`` of the variant's countable lines outside its tests are in some region.
  Countable lines are the non-blank lines, comments included, markers excluded; in Python files
  imports and the module docstring are not counted either (a reader compares what a file does,
  not what it imports).
"""

from __future__ import annotations

import ast
import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import variants


@dataclass(frozen=True)
class Concern:
    slug: str
    title: str
    summary: str


CONCERNS: tuple[Concern, ...] = (
    Concern(
        "app-config",
        "App and config assembly",
        "Where the application object is built: the settings of spec 6.4 read from the environment in one "
        "place, the framework switches the spec needs turned on or off, and the pieces — routes, error "
        "handlers, request hooks, database — wired together.",
    ),
    Concern(
        "routing",
        "Routing",
        "How the seven route templates of spec 4 become code: exact paths with no trailing-slash or "
        "slash-merging redirects, `{id}` as one path segment that is never `stats`, method dispatch with "
        "`HEAD` wherever `GET` works, and a 405 whose `Allow` lists exactly the spec's methods.",
    ),
    Concern(
        "request-parsing",
        "Request parsing and validation hand-off",
        "How a view reaches the raw body bytes, the `Content-Type` header and the raw query string, and "
        "hands them unchanged to `tasktracker.http.decode_json_body` and "
        "`tasktracker.validation.parse_list_query`. The rules live in `shared/`; the variant's job is to "
        "keep the framework's own parsing (size limits, form decoding, charset guessing) out of the way.",
    ),
    Concern(
        "errors",
        "Error mapping to problem+json",
        "How every failure leaves as `application/problem+json` carrying the request id (spec 5): the "
        "service layer's `ProblemError`s, the framework's own 404, 405 and 413, and any unexpected "
        "exception, which is logged and answered 500 without details.",
    ),
    Concern(
        "auth",
        "Users, tokens and authentication",
        "Spec 7: where the user model and its migrations live, which password hasher runs, where a "
        "bearer token is read and checked — after the route and method, before everything else — and how "
        "the request's user reaches the service, whose task repository is that user's alone. What the "
        "framework gave (a user model, a hasher, an authentication hook) and what had to be written.",
    ),
    Concern(
        "persistence",
        "Persistence and repository",
        "How the variant reaches the database: the engine or connection pool made once per process, the "
        "repository handed to the shared `TaskService`, and the migration command that creates the "
        "schema before the server takes traffic.",
    ),
    Concern(
        "transaction",
        "Transaction per request",
        "One request, one transaction: committed when the view succeeded, rolled back when anything "
        "failed, and the session or connection released at the end of the request whatever happened.",
    ),
    Concern(
        "logging",
        "Logging",
        "JSON lines on stdout (spec 6.2), configured once before serving: the framework's and the "
        "server's loggers routed through the same formatter, the server's own access log off, and one "
        "access line per request from `tasktracker.access` carrying the request id.",
    ),
    Concern(
        "metrics",
        "Metrics",
        "The Prometheus metrics of spec 6.3: a per-request hook that knows the matched route template "
        "(or `unmatched`), the `/metrics` endpoint, and — when the server forks workers — "
        "prometheus-client's multiprocess mode.",
    ),
    Concern(
        "serving",
        "Serving and process model",
        "How the variant runs in production: its entry point, the server and its workers or threads "
        "(`WEB_CONCURRENCY`), `HOST` and `PORT`, a graceful stop on SIGTERM within 10 seconds, and the "
        "migrate and serve commands declared in `variant.toml`.",
    ),
    Concern(
        "tests",
        "Tests",
        "The variant's own tests, in its framework's idiom, for what the black-box contract suite cannot "
        "provoke from outside: an unexpected exception, a failing commit, a management command.",
    ),
)
CONCERN_SLUGS = tuple(concern.slug for concern in CONCERNS)

MARKER = re.compile(r"^\s*(?:#|;|//|<!--)\s*(?P<kind>region:|endregion\b)(?P<rest>.*?)\s*(?:-->)?\s*$")
# Files a reader of the variant does not compare: its prose, what its runs leave behind, and its
# generated requirements.lock (tools/locks.py).
SKIPPED_SUFFIXES = (".md", ".rst", ".db", ".sqlite3", ".pyc", ".png", ".ico", ".lock")


# The share of a variant's countable non-test lines that must be in some region.
MIN_COVERAGE = 0.90


class MarkerError(Exception):
    """A marker that cannot be read: unknown concern, unbalanced region."""


@dataclass(frozen=True)
class Region:
    variant: str
    concern: str
    path: Path  # relative to the repository root
    first_line: int  # the region's first and last lines of content, 1-based, markers excluded
    last_line: int
    lines: tuple[str, ...]  # the content lines, verbatim (nested markers included)
    counted: frozenset[int]  # the numbers of its countable lines (see countable_lines)

    @property
    def code(self) -> str:
        return textwrap.dedent("\n".join(self.lines))

    def counted_line_numbers(self) -> set[int]:
        return set(self.counted)


def is_test_file(relative_path: Path) -> bool:
    return (
        "tests" in relative_path.parts
        or relative_path.name in ("conftest.py", "pytest.ini")
        or relative_path.name.startswith("test_")
        or relative_path.stem.endswith("_test")
    )


def variant_files(variant: variants.Variant) -> list[Path]:
    """The variant's text files, repository-relative: tracked or new, never ignored; no prose, no dotfiles."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "."],
        cwd=variant.folder,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = []
    for name in sorted(set(filter(None, listing.split("\0")))):
        path = variant.folder / name
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(SKIPPED_SUFFIXES):
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        paths.append(path.relative_to(variants.REPO_ROOT))
    return paths


def parse_markers(text: str, where: str) -> list[tuple[str, int, int]]:
    """``(concern, first_line, last_line)`` per concern of each region, content lines only."""
    found: list[tuple[str, int, int]] = []
    open_regions: list[tuple[tuple[str, ...], int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = MARKER.match(line)
        if not marker:
            continue
        if marker["kind"] == "region:":
            concerns = tuple(name.strip() for name in marker["rest"].split(","))
            unknown = [name for name in concerns if name not in CONCERN_SLUGS]
            if unknown:
                raise MarkerError(
                    f"{where}:{number}: unknown concern {unknown[0]!r}; known: {', '.join(CONCERN_SLUGS)}"
                )
            open_regions.append((concerns, number))
            continue
        if not open_regions:
            raise MarkerError(f"{where}:{number}: endregion without a region")
        concerns, start = open_regions.pop()
        named = marker["rest"].lstrip(":").strip()
        if named and named not in concerns:
            raise MarkerError(f"{where}:{number}: endregion {named!r} closes the region of {', '.join(concerns)}")
        found.extend((concern, start + 1, number - 1) for concern in concerns)
    if open_regions:
        concerns, start = open_regions[-1]
        raise MarkerError(f"{where}:{start}: region {', '.join(concerns)} is never closed")
    return found


def regions_of(variant: variants.Variant) -> list[Region]:
    """Every region of the variant, in concern order, then by file and line."""
    regions = []
    for relative_path in variant_files(variant):
        text = (variants.REPO_ROOT / relative_path).read_text(encoding="utf-8")
        all_lines = text.splitlines()
        countable = countable_lines(text, relative_path)
        for concern, first, last in parse_markers(text, str(relative_path)):
            # Blank lines at either end carry nothing; the link should frame the code itself.
            while first <= last and not all_lines[first - 1].strip():
                first += 1
            while last >= first and not all_lines[last - 1].strip():
                last -= 1
            if first > last:
                raise MarkerError(f"{relative_path}:{first - 1}: region {concern} is empty")
            lines = tuple(all_lines[first - 1 : last])
            counted = frozenset(number for number in range(first, last + 1) if number in countable)
            regions.append(Region(variant.name, concern, relative_path, first, last, lines, counted))
    return sorted(
        regions, key=lambda region: (CONCERN_SLUGS.index(region.concern), str(region.path), region.first_line)
    )


def ordered_variants() -> list[variants.Variant]:
    """The variants in the spec's order (django, flask, bottle, …), which is the order of their ports."""
    return sorted(variants.all_variants(), key=lambda variant: (variant.port, variant.name))


def missing_concerns(variant_regions: list[Region]) -> list[str]:
    marked = {region.concern for region in variant_regions}
    return [slug for slug in CONCERN_SLUGS if slug not in marked]


# --- the shape rules: whole definitions, and how much of a variant is in regions ---------------


def _python_tree(text: str, where: str) -> ast.Module:
    try:
        return ast.parse(text, filename=where)
    except SyntaxError as error:
        raise MarkerError(f"{where}:{error.lineno}: not Python: {error.msg}") from None


def _span(node: ast.stmt) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno, *(decorator.lineno for decorator in decorators)])
    return first, node.end_lineno or node.lineno


def python_preamble_lines(text: str, where: str = "<text>") -> set[int]:
    """The lines of a Python file's module docstring and of its imports, which are not counted."""
    tree = _python_tree(text, where)
    excluded: set[int] = set()
    docstring = tree.body[0] if tree.body else None
    is_docstring = isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    if is_docstring and isinstance(docstring.value.value, str):
        excluded.update(range(docstring.lineno, (docstring.end_lineno or docstring.lineno) + 1))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            excluded.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return excluded


def countable_lines(text: str, path: Path) -> set[int]:
    """Non-blank lines, comments included, markers excluded; in Python, no imports or module docstring."""
    numbers = {
        number for number, line in enumerate(text.splitlines(), start=1) if line.strip() and not MARKER.match(line)
    }
    if path.suffix == ".py":
        numbers -= python_preamble_lines(text, str(path))
    return numbers


def whole_units(text: str, where: str) -> list[tuple[str, int, int]]:
    """``(name, first_line, last_line)`` of what a region may not cut: every function and class
    at any depth, decorators included, and every module-level statement of more than one line."""
    tree = _python_tree(text, where)
    units = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            units.append((f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}", *_span(node)))
    for node in tree.body:
        first, last = _span(node)
        if last > first and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            units.append((f"the statement at line {first}", first, last))
    return units


def cut_definitions(text: str, where: str) -> list[str]:
    """Each region of a Python file that holds part of a definition but not all of it."""
    problems = []
    units = whole_units(text, where)
    for concern, first, last in parse_markers(text, where):
        for name, unit_first, unit_last in units:
            overlaps = first <= unit_last and last >= unit_first
            holds_all = first <= unit_first and last >= unit_last
            if overlaps and not holds_all:
                problems.append(
                    f"{where}:{first - 1}: region {concern} (lines {first}-{last}) cuts {name} "
                    f"(lines {unit_first}-{unit_last}); a region holds whole definitions"
                )
    return problems


@dataclass(frozen=True)
class Coverage:
    counted: int  # countable lines outside tests
    in_regions: int  # of those, the lines inside some region

    @property
    def share(self) -> float:
        return self.in_regions / self.counted if self.counted else 1.0


def coverage_of(variant_regions: list[Region], files: dict[Path, str]) -> Coverage:
    """How many of the countable lines of ``files`` (path → text, none of them tests) are in a region."""
    in_regions = {(region.path, number) for region in variant_regions for number in region.counted_line_numbers()}
    counted = covered = 0
    for path, text in files.items():
        lines = countable_lines(text, path)
        counted += len(lines)
        covered += sum((path, number) in in_regions for number in lines)
    return Coverage(counted, covered)


def variant_texts(variant: variants.Variant) -> dict[Path, str]:
    """The variant's files, repository-relative, with their text."""
    return {path: (variants.REPO_ROOT / path).read_text(encoding="utf-8") for path in variant_files(variant)}


def shape_problems(folder: str, variant_regions: list[Region], texts: dict[Path, str]) -> list[str]:
    """The whole-definition and coverage rules for the variant in ``folder``, as messages.

    ``texts`` are its files (repository-relative path → text); tests are held to whole
    definitions but do not count towards coverage.
    """
    problems = []
    for path, text in texts.items():
        if path.suffix == ".py":
            problems += cut_definitions(text, str(path))
    code = {path: text for path, text in texts.items() if not is_test_file(path.relative_to(folder))}
    coverage = coverage_of(variant_regions, code)
    if coverage.share < MIN_COVERAGE:
        problems.append(
            f"{folder}/ has {coverage.in_regions} of its {coverage.counted} countable lines "
            f"({coverage.share:.0%}) in regions; at least {MIN_COVERAGE:.0%} must be"
        )
    return problems


def variant_shape_problems(variant: variants.Variant, variant_regions: list[Region]) -> list[str]:
    return shape_problems(variant.folder.name, variant_regions, variant_texts(variant))


def main(argv: list[str]) -> int:
    """``python tools/regions.py [variant …]``: each variant's coverage, and what breaks the rules."""
    names = argv or [variant.name for variant in ordered_variants()]
    failed = False
    for name in names:
        variant = variants.load(name)
        variant_regions = regions_of(variant)
        texts = variant_texts(variant)
        code = {path: text for path, text in texts.items() if not is_test_file(path.relative_to(variant.folder.name))}
        coverage = coverage_of(variant_regions, code)
        problems = [f"no `region: {slug}` marker" for slug in missing_concerns(variant_regions)]
        problems += shape_problems(variant.folder.name, variant_regions, texts)
        print(f"{name}: {coverage.in_regions}/{coverage.counted} lines in regions ({coverage.share:.1%})")
        for problem in problems:
            print(f"  {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
