"""The region markers, the deviation registry's matching, and the checks tox runs on the real tree."""

from pathlib import Path

import pytest

import regions
import side_by_side
import variants
from deviations import Deviation, load_registry


def test_a_region_covers_the_lines_between_its_markers():
    text = "a = 1\n# region: routing\nb = 2\nc = 3\n# endregion\n"
    assert regions.parse_markers(text, "x.py") == [("routing", 3, 4)]


def test_regions_nest_and_one_region_may_name_several_concerns():
    text = (
        "# region: app-config\nx\n    # region: logging, metrics\n    y\n    # endregion\nz\n# endregion: app-config\n"
    )
    assert sorted(regions.parse_markers(text, "x.py")) == [("app-config", 2, 6), ("logging", 4, 4), ("metrics", 4, 4)]


def test_ini_and_template_comments_are_markers_too():
    text = "; region: serving\n[server:main]\n; endregion\n<!-- region: tests -->\n<p>\n<!-- endregion -->\n"
    assert regions.parse_markers(text, "x") == [("serving", 2, 2), ("tests", 5, 5)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# region: routes\nx\n# endregion\n", "unknown concern 'routes'"),
        ("# region: routing\nx\n", "never closed"),
        ("x\n# endregion\n", "endregion without a region"),
        ("# region: routing\nx\n# endregion: logging\n", "closes the region of routing"),
    ],
    ids=["unknown-concern", "unclosed", "stray-end", "wrong-name"],
)
def test_bad_markers_are_errors_that_say_where(text, message):
    with pytest.raises(regions.MarkerError, match=message):
        regions.parse_markers(text, "x.py")


def test_a_word_that_merely_starts_like_a_marker_is_not_one():
    assert regions.parse_markers("# regional settings\n# endregions are below\n", "x.py") == []


def test_every_variant_marks_every_concern():
    for variant in regions.ordered_variants():
        assert regions.missing_concerns(regions.regions_of(variant)) == [], variant.name


def test_the_side_by_side_pages_are_current():
    assert side_by_side.stale(side_by_side.build(side_by_side.collect())) == []


def test_a_deviation_without_parameters_covers_every_parametrization():
    deviation = Deviation("flask", "test_x.py::test_y", "why", "2026-11-26")
    assert deviation.covers("test_x.py::test_y[a]") and deviation.covers("test_x.py::test_y")
    assert not deviation.covers("test_x.py::test_y_other")
    exact = Deviation("flask", "test_x.py::test_y[a]", "why", "2026-11-26")
    assert exact.covers("test_x.py::test_y[a]") and not exact.covers("test_x.py::test_y[b]")


def test_the_registry_is_read_and_checked(tmp_path):
    registry = tmp_path / "deviations.toml"
    entry = '[[deviation]]\nvariant = "flask"\ntest = "test_x.py::test_y"\n'
    registry.write_text(entry + 'reason = "r"\nsince = 2026-11-26\n')
    assert load_registry(registry) == [Deviation("flask", "test_x.py::test_y", "r", "2026-11-26")]
    registry.write_text(entry + 'reason = ""\nsince = "x"\n')
    with pytest.raises(pytest.UsageError, match="non-empty"):
        load_registry(registry)


def test_the_committed_registry_is_valid():
    load_registry()


# --- the shape rules: whole definitions, and 90% of a variant in regions -----------------------


def test_a_region_that_holds_whole_definitions_is_fine():
    text = (
        "# region: routing\n@decorator\ndef one():\n    return 1\n\n\nclass Two:\n    x = 2\n# endregion\n"
        "SETTINGS = {\n    'a': 1,\n}\n"
    )
    assert regions.cut_definitions(text, "x.py") == []


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("def f():\n    # region: logging\n    a = 1\n    # endregion\n    return a\n", "def f"),
        (
            "class C:\n    # region: persistence\n    def get(self):\n        pass\n    # endregion\n\n"
            "    def add(self):\n        pass\n",
            "class C",
        ),
        ("# region: routing\n@app.get('/')\n# endregion\ndef index():\n    pass\n", "def index"),
        ("LOGGING = {\n    # region: logging\n    'version': 1,\n    # endregion\n}\n", "the statement at line 1"),
    ],
    ids=["inside-a-function", "half-a-class", "decorator-without-its-function", "half-a-settings-block"],
)
def test_a_region_that_cuts_a_definition_is_reported(text, cut):
    problems = regions.cut_definitions(text, "x.py")
    assert problems and all(cut in problem for problem in problems[:1]), problems


def test_imports_and_the_module_docstring_are_not_counted():
    text = '"""Doc\nstring."""\n\nfrom a import (\n    b,\n)\nimport c\n\n# why\nx = b(c)\n'
    assert regions.countable_lines(text, Path("x.py")) == {9, 10}
    assert regions.countable_lines("# a toml comment\nname = 1\n", Path("variant.toml")) == {1, 2}


def _region(path, first, last):
    return regions.Region("v", "routing", path, first, last, (), frozenset(range(first, last + 1)))


def test_coverage_below_the_floor_fails_the_check():
    path = Path("v_app/app.py")
    texts = {path: "".join(f"x{number} = {number}\n" for number in range(1, 11))}
    texts[Path("v_app/tests/test_app.py")] = "y = 1\n"
    assert regions.coverage_of([_region(path, 1, 9)], {path: texts[path]}).share == 0.9
    assert regions.shape_problems("v_app", [_region(path, 1, 9)], texts) == []
    (problem,) = regions.shape_problems("v_app", [_region(path, 1, 8)], texts)
    assert "8 of its 10 countable lines (80%)" in problem


def test_a_cut_definition_fails_the_check():
    texts = {Path("v_app/app.py"): "def f():\n    # region: routing\n    return 1\n    # endregion\n"}
    (problem,) = regions.shape_problems("v_app", [_region(Path("v_app/app.py"), 1, 3)], texts)
    assert "cuts def f" in problem


def test_every_variant_keeps_the_shape_rules():
    for variant in regions.ordered_variants():
        assert regions.variant_shape_problems(variant, regions.regions_of(variant)) == [], variant.name


def test_a_tour_table_out_of_order_or_without_links_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(variants, "REPO_ROOT", tmp_path)
    entry = side_by_side.VariantRegions(variants.Variant("v", "V", 1, tmp_path / "v_app", (), (), ()), [])
    (tmp_path / "v_app").mkdir()
    readme = tmp_path / "v_app" / "README.md"
    rows = [f"| `{slug}` | [`x.py`](x.py#L1) | how |" for slug in regions.CONCERN_SLUGS]
    readme.write_text("\n".join(["| concern | where | how |", "|---|---|---|", *rows]), encoding="utf-8")
    assert side_by_side.tour_problems([entry]) == []

    readme.write_text("\n".join([rows[1], rows[0], *rows[2:-1], "| tests | the tests | how |"]), encoding="utf-8")
    problems = side_by_side.tour_problems([entry])
    assert any("in order" in problem for problem in problems)
    assert any("the tests row links to no code" in problem for problem in problems)
