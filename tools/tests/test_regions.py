"""The region markers, the deviation registry's matching, and the checks tox runs on the real tree."""

import pytest

import regions
import side_by_side
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
