"""apps.compounds.assignment: equal to an exact cadre-level MILP, the rules kept, the report by hand, bad input.

Pure functions: no database. The reference solver is scipy's HiGHS on one variable per cadre and zone.
"""

import math
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from apps.compounds import assignment
from apps.compounds.assignment import AssignmentError, Unit, ZoneSlot, assign_cadres

PROPERTY = settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exact_total(units, zones, *, per_zone, max_per_department, head_from_office, threshold=None):
    """The cadre-level optimum (metres) by MILP, or None when infeasible.

    Variables: x[c, z] cadre c serves zone z; h[c, z] cadre c heads zone z (only cadres of z's office).
    """
    cadres = [(c, u) for u in units for c in u.cadres]
    office = {u.office_of: u.code for u in units if u.office_of}
    columns, cost = [], []
    for ci, (c, u) in enumerate(cadres):
        for zi, z in enumerate(zones):
            d = math.hypot(u.x - z.x, u.y - z.y)
            if threshold is not None and d > threshold + 1e-9:
                continue
            columns.append((ci, zi, False, u.code))
            cost.append(d)
            if head_from_office and office.get(z.subdistrict) == u.code:
                columns.append((ci, zi, True, u.code))
                cost.append(d)
    if not columns:
        return None
    rows, lower, upper = [], [], []
    matrix = lil_matrix((len(cadres) + 2 * len(zones) + len(units) * len(zones), len(columns)))
    r = 0
    for ci in range(len(cadres)):  # a cadre serves at most one zone
        for j, col in enumerate(columns):
            if col[0] == ci:
                matrix[r, j] = 1
        lower.append(0)
        upper.append(1)
        r += 1
    for zi in range(len(zones)):  # exactly per_zone a zone, one of them the head
        for j, col in enumerate(columns):
            if col[1] == zi:
                matrix[r, j] = 1
                if col[2]:
                    matrix[r + 1, j] = 1
        lower += [per_zone, 1 if head_from_office else 0]
        upper += [per_zone, 1 if head_from_office else 0]
        r += 2
    if max_per_department is not None:
        for u in units:
            for zi in range(len(zones)):
                for j, col in enumerate(columns):
                    if col[1] == zi and col[3] == u.code:
                        matrix[r, j] = 1
                lower.append(0)
                upper.append(max_per_department)
                r += 1
    matrix = matrix[:r].tocsr()
    result = milp(np.array(cost), constraints=LinearConstraint(matrix, lower, upper),
                  integrality=np.ones(len(columns)), bounds=Bounds(0, 1))
    return result.fun if result.status == 0 else None


@st.composite
def problems(draw):
    subdistricts = ["S1", "S2"][: draw(st.integers(1, 2))]
    coordinate = st.integers(0, 5000).map(float)
    zones = [ZoneSlot(f"Z{i}", draw(coordinate), draw(coordinate), draw(st.sampled_from(subdistricts)))
             for i in range(draw(st.integers(1, 5)))]
    units, n = [], 0
    for k in range(draw(st.integers(1, 4))):
        size = draw(st.integers(0, 6))
        units.append(Unit(f"D{k}", draw(coordinate), draw(coordinate), tuple(f"c{n + i:02d}" for i in range(size))))
        n += size
    for s in subdistricts:
        size = draw(st.integers(0, 6))
        units.append(Unit(f"O{s}", draw(coordinate), draw(coordinate), tuple(f"c{n + i:02d}" for i in range(size)), office_of=s))
        n += size
    rules = dict(
        per_zone=draw(st.integers(1, 4)),
        max_per_department=draw(st.sampled_from([None, 1, 2])),
        head_from_office=draw(st.booleans()),
    )
    return units, zones, rules


def check_rules(units, zones, result, *, per_zone, max_per_department, head_from_office):
    unit_of = {c: u for u in units for c in u.cadres}
    office = {u.office_of: u.code for u in units if u.office_of}
    placed = [c for cs in result.members.values() for c in cs]
    assert len(placed) == len(set(placed))  # nobody in two zones
    assert sorted(placed + list(result.spare)) == sorted(unit_of)
    for z in zones:
        members = result.members[z.code]
        assert len(members) == per_zone
        if max_per_department is not None:
            per_unit = {}
            for c in members:
                per_unit[unit_of[c].code] = per_unit.get(unit_of[c].code, 0) + 1
            assert max(per_unit.values()) <= max_per_department
        if head_from_office:
            head = result.heads[z.code]
            assert head in members and unit_of[head].code == office[z.subdistrict]
    total = sum(math.hypot(unit_of[c].x - z.x, unit_of[c].y - z.y) for z in zones for c in result.members[z.code])
    assert result.report["total_m"] == pytest.approx(total, abs=1e-6)
    return total


@PROPERTY
@given(problems(), st.booleans(), st.booleans())
def test_the_assignment_is_the_exact_optimum_or_a_named_impossibility(problem, minimax, pricing):
    """pricing: start from one arc a node, so the pricing rounds (used above 250,000 arcs) find the rest."""
    units, zones, rules = problem
    try:
        if pricing:
            with patch.object(assignment, "ALL_ARCS", 0), patch.object(assignment, "CANDIDATES", 0):
                result = assign_cadres(units, zones, minimax=minimax, **rules)
        else:
            result = assign_cadres(units, zones, minimax=minimax, **rules)
    except AssignmentError as error:
        assert exact_total(units, zones, **rules) is None, str(error)
        assert str(error)
        return
    total = check_rules(units, zones, result, **rules)
    report = result.report
    assert report["optimal"]  # within the solver's millimetre of the dual bound
    assert report["lower_bound_m"] <= total + 1e-6
    if minimax:
        threshold = report["max_m"]
        assert report["minimax_threshold_m"] == pytest.approx(threshold)
        assert total == pytest.approx(exact_total(units, zones, threshold=threshold, **rules), abs=0.01)
        below = [d for d in {math.hypot(u.x - z.x, u.y - z.y) for u in units for z in zones} if d < threshold - 1e-9]
        if below:  # the next shorter distance admits no assignment at all
            assert exact_total(units, zones, threshold=max(below), **rules) is None
    else:
        assert total == pytest.approx(exact_total(units, zones, **rules), abs=0.01)
    assert report["greedy_total_m"] >= total - 0.01 or report["greedy_department_breaches"]
    assert all(v is None or v >= -0.01 for v in report["rule_costs"].values())


def hand_made():
    """Two zones, two places each: A (0, 0) in S1 and B (1000, 0) in S2.

    Office of S1 at A with x1, x2; office of S2 at (4000, 0) with y1; a department at (0, 300) with c1, c2.
    """
    units = [
        Unit("O1", 0.0, 0.0, ("x1", "x2"), office_of="S1"),
        Unit("O2", 4000.0, 0.0, ("y1",), office_of="S2"),
        Unit("D", 0.0, 300.0, ("c1", "c2")),
    ]
    zones = [ZoneSlot("A", 0.0, 0.0, "S1"), ZoneSlot("B", 1000.0, 0.0, "S2")]
    return units, zones


DB = math.hypot(1000, 300)  # the department to zone B: 1,044.03 m


def test_the_report_of_a_hand_made_case():
    units, zones = hand_made()
    result = assign_cadres(units, zones, per_zone=2, max_per_department=1)
    # Heads: x1 heads A (0 m), y1 heads B (3,000 m). One place each is left, one cadre a department
    # a zone: O1 may not send x2 to A, so x2 goes to B (1,000 m) and a department cadre to A (300 m).
    assert result.members == {"A": ("c1", "x1"), "B": ("x2", "y1")}
    assert result.heads == {"A": "x1", "B": "y1"}
    assert result.spare == ("c2",)
    r = result.report
    assert r["total_m"] == pytest.approx(4300)
    assert r["mean_m"] == pytest.approx(1075)
    assert r["max_m"] == pytest.approx(3000)
    assert r["optimal"] and r["gap"] == pytest.approx(0, abs=1e-9)
    assert (r["cadres"], r["zones"], r["spare_cadres"], r["heads"]) == (4, 2, 1, 2)
    # Without the department rule: x2 joins x1 in A (0 m) and c1 goes to B: 3,000 + 1,044.03.
    assert r["rule_costs"]["max_per_department"] == pytest.approx(4300 - (3000 + DB))
    # Without heads (one a department still): A takes x1 and c1 (300 m), B x2 (1,000 m) and c2: 2,344.03.
    assert r["rule_costs"]["head_from_office"] == pytest.approx(4300 - (300 + 1000 + DB))
    assert r["rule_costs"]["minimax"] is None  # not in force
    # Greedy: heads first (x1 -> A, y1 -> B), then c1 -> A (300 m), c2 -> B (1,044.03 m).
    assert r["greedy_total_m"] == pytest.approx(3000 + 300 + DB)
    assert r["greedy_over_optimal"] == pytest.approx((3300 + DB) / 4300)


def test_minimax_shortens_the_longest_distance_first():
    units, zones = hand_made()
    result = assign_cadres(units, zones, per_zone=2, max_per_department=None, head_from_office=False, minimax=True)
    # Without rules the shortest total is A x1 x2 (0 m), B c1 c2 (2 x 1,044.03 m), longest 1,044.03 m;
    # minimax sends x1 x2 to B (1,000 m each) and c1 c2 to A (300 m each): longest 1,000 m, 2,600 m in all.
    assert result.report["max_m"] == pytest.approx(1000)
    assert result.report["minimax_threshold_m"] == pytest.approx(1000)
    assert result.report["total_m"] == pytest.approx(2600)
    assert result.report["rule_costs"]["minimax"] == pytest.approx(2600 - 2 * DB)
    assert result.members == {"A": ("c1", "c2"), "B": ("x1", "x2")}
    ruled = assign_cadres(units, zones, per_zone=2, max_per_department=1, head_from_office=False, minimax=True)
    # One a department a zone: B needs two units among O1 (1,000), D (1,044.03), O2 (3,000): longest 1,044.03,
    # so O2's y1 stays out; A takes x1 and c1 (300), B x2 and c2: 2,344.03 in all.
    assert ruled.report["max_m"] == pytest.approx(DB)
    assert ruled.report["total_m"] == pytest.approx(300 + 1000 + DB)
    assert ruled.spare == ("y1",)


def test_cadres_already_in_a_zone_stay_among_interchangeable_ones():
    units, zones = hand_made()
    result = assign_cadres(units, zones, per_zone=2, max_per_department=1, current={"c2": "A", "c1": "B"}, current_heads={})
    assert result.members["A"] == ("c2", "x1") and result.spare == ("c1",)
    assert result.report["kept"] == 1


def test_the_head_in_force_stays_head():
    units = [Unit("O1", 0.0, 0.0, ("x1", "x2", "x3"), office_of="S1")]
    zones = [ZoneSlot("A", 0.0, 0.0, "S1")]
    result = assign_cadres(units, zones, per_zone=2, max_per_department=None,
                           current={"x2": "A", "x3": "A"}, current_heads={"A": "x3"})
    assert result.members == {"A": ("x2", "x3")} and result.heads == {"A": "x3"}
    assert assign_cadres(units, zones, per_zone=2, max_per_department=None).heads == {"A": "x1"}


def test_the_result_does_not_depend_on_input_order():
    units, zones = hand_made()
    first = assign_cadres(units, zones, per_zone=2, max_per_department=1)
    again = assign_cadres(list(reversed(units)), list(reversed(zones)), per_zone=2, max_per_department=1)
    assert (again.members, again.heads, again.spare) == (first.members, first.heads, first.spare)


# --- bad input ------------------------------------------------------------------------------------


def test_fewer_cadres_than_places_is_refused():
    units, zones = hand_made()
    with pytest.raises(AssignmentError, match=r"fewer cadres than zones x per_zone: 5 cadres for 2 zones x 3 = 6"):
        assign_cadres(units, zones, per_zone=3)


def test_an_office_with_too_few_cadres_for_its_heads_is_named():
    units = [Unit("O1", 0.0, 0.0, ("x1",), office_of="S1"), Unit("D", 0.0, 0.0, ("c1", "c2", "c3"))]
    zones = [ZoneSlot("A", 0.0, 0.0, "S1"), ZoneSlot("B", 10.0, 0.0, "S1")]
    with pytest.raises(AssignmentError, match=r"sub-district office O1 has 1 cadres, too few for the heads of its 2 zones \(A, B\)"):
        assign_cadres(units, zones, per_zone=2, max_per_department=None)


def test_a_zone_whose_sub_district_has_no_office_is_named():
    units, zones = hand_made()
    zones = zones + [ZoneSlot("C", 0.0, 0.0, "S9")]
    with pytest.raises(AssignmentError, match=r"zone C needs a head from the office of sub-district S9, and no work unit is that office"):
        assign_cadres(units, zones, per_zone=1)


def test_a_department_rule_that_cannot_be_met_names_the_department_and_zone():
    units = [Unit("D1", 0.0, 0.0, ("a", "b", "c")), Unit("D2", 0.0, 0.0, ("d",))]
    zones = [ZoneSlot("A", 0.0, 0.0, "S1"), ZoneSlot("B", 10.0, 0.0, "S1")]
    with pytest.raises(AssignmentError, match=r"zone B can get only 1 of its 2 cadres under the rules: the departments with cadres left \(D1\) already send it 1, the most one department may"):
        assign_cadres(units, zones, per_zone=2, max_per_department=1, head_from_office=False)
    units = [Unit("D1", 0.0, 0.0, ("a", "b", "c", "e", "f")), Unit("D2", 0.0, 0.0, ("d",))]
    with pytest.raises(AssignmentError, match=r"each zone needs cadres of 3 departments; only 2 have cadres"):
        assign_cadres(units, zones, per_zone=3, max_per_department=1, head_from_office=False)


@pytest.mark.parametrize(
    "units, kwargs, message",
    [
        ([Unit("D", math.nan, 0.0, ("a",))], {}, r"work unit D has no office point"),
        ([Unit("D", None, 0.0, ("a",))], {}, r"work unit D has no office point"),
        ([Unit("D", 0.0, 0.0, ("a",)), Unit("D", 0.0, 0.0, ("b",))], {}, r"work unit D is given twice"),
        ([Unit("D", 0.0, 0.0, ("a",)), Unit("E", 0.0, 0.0, ("a",))], {}, r"cadre a is listed under both D and E"),
        ([Unit("O", 0.0, 0.0, ("a",), "S1"), Unit("P", 0.0, 0.0, ("b",), "S1")], {}, r"sub-district S1 has two offices: O and P"),
        ([Unit("D", 0.0, 0.0, ("a",))], {"per_zone": 0}, r"per_zone must be a whole number above 0, not 0"),
        ([Unit("D", 0.0, 0.0, ("a",))], {"max_per_department": 0}, r"max_per_department must be a whole number above 0 or None, not 0"),
        ([], {}, r"no work units with cadres"),
    ],
)
def test_bad_input_is_refused(units, kwargs, message):
    zones = [ZoneSlot("A", 0.0, 0.0, "S1")]
    with pytest.raises(AssignmentError, match=message):
        assign_cadres(units, zones, **{"per_zone": 1, "head_from_office": False, **kwargs})


def test_no_zones_is_refused():
    with pytest.raises(AssignmentError, match=r"no zones to assign cadres to"):
        assign_cadres([Unit("D", 0.0, 0.0, ("a",))], [])
