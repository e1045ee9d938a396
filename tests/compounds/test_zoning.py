"""apps.compounds.zoning: hard rules on random districts, the report by hand, and every bad input's message.

Pure functions: no database.
"""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box

from apps.compounds.zoning import plan_zones
from apps.compounds.zoning_district import Site, ZoningError
from apps.compounds.zoning_report import evaluate

PROPERTY = settings(derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def square(x, y, side=10.0):
    return box(x, y, x + side, y + side)


@st.composite
def districts(draw):
    """1-3 communities of 1-10 compounds on a 250 m lattice, some cells skipped so groups fall apart."""
    sites = []
    for c in range(draw(st.integers(1, 3))):
        cells = draw(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2)), min_size=1, max_size=10, unique=True))
        for n, (i, j) in enumerate(cells):
            households = draw(st.integers(1, 300))
            side = draw(st.sampled_from([10.0, 60.0, 60.0, 60.0]))  # 60 m squares 250 m apart are 190 m apart: neighbours
            sites.append(Site(f"C{c}{n:02d}", f"community-{c}", households, square(c * 5000 + i * 250, j * 250, side)))
    return sites


def groups_needed(sites, band=200.0):
    """The number of band-connected groups inside each community (a brute-force reference)."""
    total = 0
    for community in {s.community for s in sites}:
        own = [s for s in sites if s.community == community]
        seen = set()
        for s in own:
            if s.code in seen:
                continue
            total += 1
            stack = [s]
            seen.add(s.code)
            while stack:
                a = stack.pop()
                for b in own:
                    if b.code not in seen and a.geom.distance(b.geom) <= band:
                        seen.add(b.code)
                        stack.append(b)
    return total


def assert_hard_rules(sites, plan, zones):
    by_code = {s.code: s for s in sites}
    assert sorted(plan.labels) == sorted(by_code)  # every compound in exactly one zone
    assert len(plan.zones) == zones == len(set(plan.labels.values()))
    listed = [code for zone in plan.zones for code in zone.codes]
    assert sorted(listed) == sorted(by_code)
    for zone in plan.zones:
        assert {by_code[c].community for c in zone.codes} == {zone.community}
        assert zone.key.startswith(zone.community + ":")
        assert zone.households == sum(by_code[c].households for c in zone.codes)
    report = plan.report
    assert (report.crossings, report.disconnected, report.unassigned, report.empty) == (0, 0, 0, 0)
    assert report.problems == []
    assert report.load_max >= report.lower_bound >= max(s.households for s in sites)
    # An independent check of connectivity through the band graph.
    for zone in plan.zones:
        geoms = [by_code[c].geom for c in zone.codes]
        reached, stack = {0}, [0]
        while stack:
            a = stack.pop()
            for b in range(len(geoms)):
                if b not in reached and geoms[a].distance(geoms[b]) <= 200.0:
                    reached.add(b)
                    stack.append(b)
        assert len(reached) == len(geoms), zone


@PROPERTY
@given(districts(), st.data())
def test_any_target_keeps_every_hard_rule(sites, data):
    low = groups_needed(sites)
    target = data.draw(st.integers(low, len(sites)))
    plan = plan_zones(sites, target=target)
    assert_hard_rules(sites, plan, target)
    assert plan.report.target == target


@settings(PROPERTY, max_examples=25)
@given(districts(), st.integers(300, 900))
def test_a_household_cap_keeps_every_zone_under_it(sites, cap):
    plan = plan_zones(sites, cap=cap)
    assert_hard_rules(sites, plan, len(plan.zones))
    assert all(zone.households <= cap for zone in plan.zones)


@settings(PROPERTY, max_examples=25)
@given(districts(), st.data())
def test_zone_counts_per_community_are_met(sites, data):
    counts = {}
    for community in sorted({s.community for s in sites}):
        own = [s for s in sites if s.community == community]
        counts[community] = data.draw(st.integers(groups_needed(own), len(own)))
    plan = plan_zones(sites, counts=counts)
    assert_hard_rules(sites, plan, sum(counts.values()))
    for community, k in counts.items():
        assert sum(1 for zone in plan.zones if zone.community == community) == k


@settings(PROPERTY, max_examples=15)
@given(districts())
def test_the_report_of_the_plan_equals_evaluate_of_its_labels(sites):
    plan = plan_zones(sites, target=groups_needed(sites))
    again = evaluate(sites, plan.labels, target=plan.report.target)
    assert again.as_dict() == plan.report.as_dict()


def chain():
    """Four 10 m squares 160 m apart in a row (150 m gaps: only next neighbours are within 200 m)."""
    return [
        Site("C1", "A", 100, square(0, 0)),
        Site("C2", "A", 200, square(160, 0)),
        Site("C3", "A", 300, square(320, 0)),
        Site("C4", "A", 400, square(480, 0)),
    ]


def test_the_report_of_a_hand_made_chain():
    plan = plan_zones(chain(), target=2)
    # Connected splits of the chain: 100|900, 300|700, 600|400; the last has the smallest sum of squares.
    assert plan.labels == {"C1": "A:01", "C2": "A:01", "C3": "A:01", "C4": "A:02"}
    assert [(z.key, z.codes, z.households) for z in plan.zones] == [("A:01", ("C1", "C2", "C3"), 600), ("A:02", ("C4",), 400)]
    r = plan.report.as_dict()
    assert r["problems"] == []
    assert (r["zones"], r["compounds"], r["crossings"], r["disconnected"], r["unassigned"]) == (2, 4, 0, 0, 0)
    assert (r["load_min"], r["load_max"], r["load_mean"]) == (400, 600, 500.0)
    assert r["load_cv"] == pytest.approx(100 / 500)  # population standard deviation 100
    assert r["max_over_mean"] == pytest.approx(1.2)
    # Lower bound: the heaviest compound is 400, but 1,000 households in 2 zones need one of 500 or more.
    assert r["lower_bound"] == 500
    assert r["max_over_bound"] == pytest.approx(1.2)
    # Zone A:01's centre: (100 * 5 + 200 * 165 + 300 * 325) / 600 = 218.33 m; C1's centroid (x 5) is farthest.
    # A:02 is one compound (radius 0).
    assert r["mean_radius_m"] == pytest.approx((218.3333333 - 5) / 2)
    assert r["band_m"] == 200.0 and r["target"] == 2


def test_evaluate_lists_crossings_disconnected_unassigned_and_empty_zones():
    sites = chain() + [Site("C5", "B", 50, square(1000, 0))]
    labels = {"C1": "z1", "C3": "z1", "C2": "z2", "C4": "z2", "C5": "z2"}
    report = evaluate(sites, labels, zones={"z1": "A", "z2": "A", "z3": "A"})
    assert (report.crossings, report.disconnected, report.unassigned, report.empty) == (1, 2, 0, 1)
    rules = sorted((p["rule"], p["zone"]) for p in report.problems)
    assert rules == [("crossing", "z2"), ("disconnected", "z1"), ("disconnected", "z2"), ("empty", "z3")]
    crossing = next(p for p in report.problems if p["rule"] == "crossing")
    assert crossing["message"] == "zone z2 crosses communities A, B"
    disconnected = next(p for p in report.problems if p["zone"] == "z1" and p["rule"] == "disconnected")
    assert "C1 | C3" in disconnected["message"]
    assert report.zones == 3 and report.load_min == 0  # the empty zone counts with no households
    assert not report.ok

    missing = evaluate(sites, {"C1": "z1", "C2": "z1", "C3": "z1", "C4": "z2"})
    assert missing.unassigned == 1
    assert missing.problems == [{"rule": "unassigned", "zone": None, "community": "B", "compound": "C5",
                                 "message": "compound C5 (community B) is in no zone"}]


def test_a_band_of_zero_joins_only_touching_compounds():
    touching = [Site("C1", "A", 10, square(0, 0)), Site("C2", "A", 10, square(10, 0)), Site("C3", "A", 10, square(100, 0))]
    assert plan_zones(touching, target=2, band=0).labels == {"C1": "A:01", "C2": "A:01", "C3": "A:02"}
    with pytest.raises(ZoningError, match="community A needs 2"):
        plan_zones(touching, target=1, band=0)


def test_progress_reaches_its_total():
    calls = []
    plan_zones(chain(), target=2, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1, 1)


def test_multipolygon_compounds_are_accepted():
    sites = [Site("C1", "A", 10, MultiPolygon([square(0, 0), square(50, 0)])), Site("C2", "A", 20, square(150, 0))]
    assert len(plan_zones(sites, target=1).zones) == 1


def test_planning_is_deterministic_whatever_the_input_order():
    sites = chain() + [Site("C5", "A", 250, square(640, 0)), Site("C6", "B", 90, square(2000, 0))]
    first = plan_zones(sites, target=4)
    assert plan_zones(list(reversed(sites)), target=4).labels == first.labels


# --- bad input ------------------------------------------------------------------------------------

BOWTIE = Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])


@pytest.mark.parametrize(
    "sites, kwargs, message",
    [
        ([Site("C1", "A", 10, BOWTIE)], {"target": 1}, r"compound C1 \(community A\) has an invalid geometry: Self-intersection"),
        ([Site("C1", "A", 0, square(0, 0))], {"target": 1}, r"compound C1 \(community A\): households must be a whole number above 0, not 0"),
        ([Site("C1", "A", -3, square(0, 0))], {"target": 1}, r"compound C1 .*not -3"),
        ([Site("C1", "A", 2.5, square(0, 0))], {"target": 1}, r"compound C1 .*not 2.5"),
        ([Site("C1", "A", 10, None)], {"target": 1}, r"compound C1 has no geometry"),
        ([Site("C1", "A", 10, Polygon())], {"target": 1}, r"compound C1 \(community A\) has an empty geometry"),
        ([Site("C1", "A", 10, square(0, 0).exterior)], {"target": 1}, r"compound C1 .*must be a polygon, not LinearRing"),
        ([Site("C1", "A", 10, square(0, 0)), Site("C1", "A", 10, square(20, 0))], {"target": 1}, r"compound C1 is given twice"),
        ([], {"target": 1}, r"no compounds to zone"),
    ],
)
def test_bad_sites_are_refused_naming_the_compound(sites, kwargs, message):
    with pytest.raises(ZoningError, match=message):
        plan_zones(sites, **kwargs)
    if sites:
        with pytest.raises(ZoningError, match=message):
            evaluate(sites, {})


def test_every_bad_compound_is_listed_in_one_error():
    sites = [Site("C1", "A", 0, square(0, 0)), Site("C2", "B", 10, BOWTIE)]
    with pytest.raises(ZoningError) as caught:
        plan_zones(sites, target=2)
    assert [p["compound"] for p in caught.value.problems] == ["C1", "C2"]


def test_more_zones_than_a_community_has_compounds_names_the_community():
    with pytest.raises(ZoningError, match=r"community A has 4 compounds, too few for 5 zones"):
        plan_zones(chain(), counts={"A": 5})


def test_fewer_zones_than_a_community_has_groups_names_the_community():
    apart = chain() + [Site("C9", "A", 10, square(5000, 0))]
    with pytest.raises(ZoningError, match=r"community A needs at least 2 zones: its compounds form 2 groups more than 200 m apart"):
        plan_zones(apart, counts={"A": 1})
    with pytest.raises(ZoningError, match=r"a target of 1 zones is too few: the 1 communities need at least 2 .*community A needs 2"):
        plan_zones(apart, target=1)


def test_counts_must_cover_exactly_the_communities_given():
    sites = chain() + [Site("C9", "B", 10, square(5000, 0))]
    with pytest.raises(ZoningError, match=r"community B is missing from counts"):
        plan_zones(sites, counts={"A": 2})
    with pytest.raises(ZoningError, match=r"community X has no compounds among those to zone"):
        plan_zones(sites, counts={"A": 2, "B": 1, "X": 1})
    with pytest.raises(ZoningError, match=r"community A: the number of zones must be a whole number above 0, not 0"):
        plan_zones(sites, counts={"A": 0, "B": 1})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, r"give exactly one of target"),
        ({"target": 2, "cap": 500}, r"give exactly one of target"),
        ({"target": 0}, r"target must be a whole number above 0, not 0"),
        ({"target": 5}, r"a target of 5 zones is more than the 4 compounds to zone"),
        ({"cap": 350}, r"compound C4 \(community A\) has 400 households, more than the cap of 350"),
        ({"target": 2, "band": -1}, r"band must be a distance of 0 metres or more, not -1"),
        ({"target": 2, "band": math.nan}, r"band must be a distance"),
    ],
)
def test_bad_requests_are_refused(kwargs, message):
    with pytest.raises(ZoningError, match=message):
        plan_zones(chain(), **kwargs)


def test_labels_of_unknown_compounds_are_refused():
    with pytest.raises(ZoningError, match=r"compound C9 is labelled but is not among the compounds"):
        evaluate(chain(), {"C9": "z1"})
