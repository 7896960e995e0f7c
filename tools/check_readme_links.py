"""Fail when a README's link to a line of code no longer points where it says.

A link ``[`tracker/api.py`](tracker/api.py#L24) `task_service()` `` must name an existing file
and line, and when a backticked name follows the link, that name must be on that line. Run by
``tox -e lint``, so a README's tour cannot drift from the code it describes.

    python tools/check_readme_links.py          # check
    python tools/check_readme_links.py --fix    # move each broken named link to its name's definition
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LINE_LINK = re.compile(r"\]\((?P<path>[^)#\s]+)#L(?P<line>\d+)\)(?:\s*`(?P<name>[^`]+)`)?")


def definition_line(lines: list[str], name: str) -> int | None:
    """The line defining ``name`` (def, class, assignment), else the first line naming it."""
    for pattern in (rf"^\s*(async def|def|class) {re.escape(name)}\b", rf"^\s*{re.escape(name)}\s*=", re.escape(name)):
        for number, line in enumerate(lines, start=1):
            if re.search(pattern, line):
                return number
    return None


def fixed(readme: Path) -> str:
    def move(link: re.Match) -> str:
        target = (readme.parent / link["path"]).resolve()
        if not link["name"] or not target.is_file():
            return link[0]
        lines = target.read_text(encoding="utf-8").splitlines()
        name = link["name"].removesuffix("()").split()[-1]
        current = int(link["line"])
        if current <= len(lines) and name in lines[current - 1]:
            return link[0]
        number = definition_line(lines, name)
        return link[0] if number is None else link[0].replace(f"#L{link['line']})", f"#L{number})", 1)

    return LINE_LINK.sub(move, readme.read_text(encoding="utf-8"))


def problems_in(readme: Path) -> list[str]:
    problems = []
    for number, text in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        for link in LINE_LINK.finditer(text):
            where = f"{readme.relative_to(REPO_ROOT)}:{number}"
            target = (readme.parent / link["path"]).resolve()
            if not target.is_file():
                problems.append(f"{where}: {link['path']} does not exist")
                continue
            lines = target.read_text(encoding="utf-8").splitlines()
            line_number = int(link["line"])
            if line_number > len(lines):
                problems.append(f"{where}: {link['path']} has no line {line_number}")
            elif link["name"]:
                name = link["name"].removesuffix("()").split()[-1]
                if name not in lines[line_number - 1]:
                    problems.append(f"{where}: {link['path']}#L{line_number} does not contain {name!r}")
    return problems


def main() -> int:
    readmes = [REPO_ROOT / "README.md", *sorted(REPO_ROOT.glob("*/README.md"))]
    if "--fix" in sys.argv[1:]:
        for readme in readmes:
            readme.write_text(fixed(readme), encoding="utf-8")
    problems = [problem for readme in readmes for problem in problems_in(readme)]
    print("\n".join(problems) or f"{len(readmes)} READMEs: every line link holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
