"""docs/side-by-side/index.html in headless Chromium: it renders, with one filled column per variant per concern.

Needs Debian's ``chromium`` (or ``CHROMIUM=/path/to/it``); ``.ci/run`` installs it. The screenshot is
kept in ``build/artifacts/side-by-side.png`` for a person to look at.
"""

import os
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

import regions
import side_by_side

PAGE = side_by_side.OUTPUT_DIR / "index.html"
ARTIFACT_DIR = side_by_side.variants.REPO_ROOT / "build" / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def run_chromium(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: apt-get install -y chromium, or set CHROMIUM")
    # A fresh profile each time, so that nothing from an earlier run changes what is rendered.
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *arguments, PAGE.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


class ColumnReader(HTMLParser):
    """Collects, per concern section, each variant column's code text, and columns flagged missing."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: dict[str, list[tuple[str, str]]] = {}
        self.missing: list[tuple[str, str]] = []
        self.concern: str | None = None
        self.variant: str | None = None
        self.code_depth = 0
        self.code_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section" and "data-concern" in attributes:
            self.concern = attributes["data-concern"]
            self.columns[self.concern] = []
        elif tag == "article" and "data-variant" in attributes:
            self.variant = attributes["data-variant"]
            self.code_text = []
        elif tag == "pre" and self.variant:
            self.code_depth += 1
        elif "missing" in (attributes.get("class") or "").split() and self.variant:
            self.missing.append((self.concern, self.variant))

    def handle_endtag(self, tag):
        if tag == "pre" and self.code_depth:
            self.code_depth -= 1
        elif tag == "article" and self.variant:
            self.columns[self.concern].append((self.variant, "".join(self.code_text)))
            self.variant = None

    def handle_data(self, data):
        if self.code_depth:
            self.code_text.append(data)


def test_every_concern_has_one_filled_column_per_variant(tmp_path):
    dom = run_chromium(tmp_path, "--dump-dom").stdout
    reader = ColumnReader()
    reader.feed(dom)
    variant_names = [variant.name for variant in regions.ordered_variants()]
    assert list(reader.columns) == list(regions.CONCERN_SLUGS)
    for concern, columns in reader.columns.items():
        assert [variant for variant, _ in columns] == variant_names, concern
        for variant, code in columns:
            assert code.strip(), f"{concern}: the {variant} column shows no code"
    assert reader.missing == []


def test_a_screenshot_of_the_page(tmp_path):
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACT_DIR / "side-by-side.png"
    screenshot.unlink(missing_ok=True)
    run_chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1600,1400", "--hide-scrollbars")
    image = screenshot.read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    # A blank page compresses to a few kilobytes; highlighted code in columns does not.
    assert len(image) > 50_000, f"{screenshot} is suspiciously small ({len(image)} bytes)"
