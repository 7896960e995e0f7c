"""How the parity matrix reads JUnit XML and counts outcomes."""

import xml.etree.ElementTree as ElementTree

import parity


def case(xml: str) -> ElementTree.Element:
    return ElementTree.fromstring(xml)


def test_a_test_id_is_the_node_id_from_the_test_file_on():
    element = case('<testcase classname="contract_tests.test_health" name="test_live[x/y]" />')
    assert parity.test_id_of(element) == "test_health.py::test_live[x/y]"


def test_outcomes_from_junit_elements():
    assert parity.outcome_of(case('<testcase name="t" />')) == "passed"
    assert parity.outcome_of(case('<testcase name="t"><failure message="boom" /></testcase>')) == "failed"
    assert parity.outcome_of(case('<testcase name="t"><error message="setup" /></testcase>')) == "failed"
    assert parity.outcome_of(case('<testcase name="t"><skipped type="pytest.skip" /></testcase>')) == "skipped"
    assert parity.outcome_of(case('<testcase name="t"><skipped type="pytest.xfail" /></testcase>')) == "deviation"
    # A known deviation that fails again at teardown is a failure.
    both = '<testcase name="t"><skipped type="pytest.xfail" /><error message="teardown" /></testcase>'
    assert parity.outcome_of(case(both)) == "failed"


def test_cells_count_cases():
    assert parity.cell(["passed"] * 24) == "✔ 24/24"
    assert parity.cell(["passed"] * 22 + ["failed"] * 2) == "✘ 22/24"
    assert parity.cell(["passed"] * 22 + ["deviation", "skipped"]) == "✔ 22/24 ⚠ 1 ➖ 1"
    assert parity.cell([]) == "not run"


def test_areas_come_from_the_test_modules_docstrings():
    area = parity.area_of("test_body_decoding.py")
    assert area.section == "2.1" and area.label == "§2.1 body decoding"
    assert parity.area_of("test_state_machine.py").sort_key < parity.area_of("test_metrics.py").sort_key
