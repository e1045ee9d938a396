"""Each signal on hand-made rows: what its rule counts, what lies just inside its threshold, thresholds as data."""

import datetime as dt

import pytest
from integrity_scene import END, START, at, shifted

from apps.integrity.compute import Window, compute_signals
from apps.integrity.models import SignalRule
from apps.integrity.rules import DEFAULTS, RuleError, check_params

pytestmark = pytest.mark.django_db


def figures(code, subdistricts=None):
    (signal,) = compute_signals(Window(START, END, subdistricts), codes=[code])
    return signal


def numbers(signal):
    return sorted(c["number"] for c in signal["cases"])


def set_params(code, **params):
    SignalRule.objects.filter(code=code).update(params={**DEFAULTS[code], **params})


def test_the_migration_seeds_every_rule_with_its_default_thresholds(db):
    assert dict(SignalRule.objects.values_list("code", "params")) == DEFAULTS


def test_a_result_photo_beyond_the_distance_counts_and_one_within_it_does_not(scene):
    far, near = scene.case(at(3, 2)), scene.case(at(3, 3))
    scene.photo(far, distance_m=101, phash=1)
    scene.photo(near, distance_m=99, phash=2 ** 40)
    signal = figures("photo_far")
    assert numbers(signal) == [far.number]
    assert signal["threshold"] == "max_distance_m = 100" and "100 米" in signal["rule"]
    assert signal["departments"][0]["code"] == scene.handler.department.code
    assert signal["grids"] == [{"code": scene.grid.code, "name": scene.grid.name, "count": 1, "cases": [far.number]}]
    # The threshold is data: lowered, the nearer photo counts too.
    set_params("photo_far", max_distance_m=50)
    assert numbers(figures("photo_far")) == sorted([far.number, near.number])


def test_only_result_photos_count_as_far(scene):
    case = scene.case(at(3, 2))
    scene.photo(case, distance_m=500, action="verify_pass", phash=3)
    assert figures("photo_far")["total"] == 0


def test_a_result_photo_taken_before_dispatch_counts_beyond_the_tolerance(scene):
    early, tolerated = scene.case(at(4, 1)), scene.case(at(4, 2))
    scene.photo(early, taken_at=early.dispatched_at - dt.timedelta(hours=3), phash=4)
    scene.photo(tolerated, taken_at=tolerated.dispatched_at - dt.timedelta(minutes=9), phash=2 ** 41)
    signal = figures("photo_early")
    assert numbers(signal) == [early.number]
    assert signal["cases"][0]["photos"][0]["minutes_before"] == 180


def test_a_near_duplicate_photo_counts_the_later_case_only(scene):
    first, second, third = scene.case(at(5, 4)), scene.case(at(5, 6)), scene.case(at(5, 8))
    h = 0x0F0F_3333_5555_AAAA
    scene.photo(first, phash=h)
    scene.photo(second, phash=h ^ 0b111111)  # 6 bits: the default threshold
    scene.photo(third, phash=h ^ 0b1111111 << 20)  # 7 bits: not a near-duplicate
    signal = figures("photo_reused")
    assert numbers(signal) == [second.number]
    assert signal["cases"][0]["photos"][0] == {"photo": second.attachments.get().pk, "bits": 6,
                                              "other_case": first.number}


def test_a_signed_hash_and_two_photos_of_one_case_are_handled(scene):
    case, other = scene.case(at(5, 4)), scene.case(at(5, 9))
    negative = -0x1234_5678_9ABC_DEF0
    scene.photo(case, phash=negative)
    scene.photo(case, phash=negative ^ 1, action="verify_pass")  # same case: not reuse
    scene.photo(other, phash=negative ^ 0b11)
    assert numbers(figures("photo_reused")) == [other.number]


def test_a_report_near_a_recently_closed_case_of_the_same_category_is_churn(scene):
    closed = scene.case(at(6, 1))
    base = (closed.point.x, closed.point.y)
    churn = scene.case(closed.closed_at + dt.timedelta(days=2), point=shifted(base, 20), until="handling")
    scene.case(closed.closed_at + dt.timedelta(days=3), point=shifted(base, 0, 45), until="handling")  # too far
    scene.case(closed.closed_at + dt.timedelta(days=8), point=shifted(base, 5), until="handling")  # too late
    scene.case(closed.closed_at + dt.timedelta(days=1), point=shifted(base, -5), until="handling",
               category=scene.other_category)  # another category
    signal = figures("reopen_churn")
    assert numbers(signal) == [churn.number]
    assert signal["cases"][0]["closed_case"] == closed.number
    assert 19 < signal["cases"][0]["distance_m"] < 21
    # Thresholds as data: 50 m and 10 days take the other two of the same category in.
    set_params("reopen_churn", max_distance_m=50, days=10)
    assert figures("reopen_churn")["total"] == 3


def test_verifications_faster_than_travel_count_the_later_one(scene):
    scene.worker.grids.add(scene.other_grid)
    here, there = scene.case(at(7, 1)), scene.case(at(7, 1), grid=scene.other_grid, until="handled")
    # Both grids are the worker's: the other case is theirs to verify too.
    from apps.cases.workflow import transition

    transition(there, "verify_pass", by=scene.worker, at=here.closed_at + dt.timedelta(seconds=60), notify=False)
    slow = scene.case(at(7, 10), until="handled")
    transition(slow, "verify_pass", by=scene.worker, at=there.events.get(action="verify_pass").at
               + dt.timedelta(days=9), notify=False)
    signal = figures("fast_verification")
    assert numbers(signal) == [there.number]
    found = signal["cases"][0]
    assert found["previous_case"] == here.number and found["seconds"] == 60 and found["speed_kmh"] > 30
    assert found["distance_m"] > 1000


def test_requests_in_the_last_share_of_the_window_cluster_and_flag_past_both_thresholds(scene):
    from apps.cases.calendar import add_working_hours, load_calendar
    from apps.cases.workflow import transition

    calendar = load_calendar()
    late, early = scene.case(at(8, 3), until="handling"), scene.case(at(8, 4), until="handling")
    window = scene.category.handle_hours
    transition(late, "request_extension", by=scene.handler, note="材料采购中",
               at=add_working_hours(calendar, late.dispatched_at, 0.95 * window), notify=False)
    transition(early, "request_pending", by=scene.handler, note="需专项资金",
               at=add_working_hours(calendar, early.dispatched_at, 0.5 * window), notify=False)
    signal = figures("deadline_requests")
    assert numbers(signal) == [late.number]
    (row,) = signal["departments"]
    assert (row["count"], row["requests"], row["share"], row["flagged"]) == (1, 2, 0.5, False)
    set_params("deadline_requests", flag_min_count=1, flag_min_share=0.5)
    assert figures("deadline_requests")["departments"][0]["flagged"] is True


def test_the_sub_district_scope_leaves_other_areas_out(scene):
    mine, theirs = scene.case(at(3, 2)), scene.case(at(3, 2), grid=scene.other_grid)
    scene.photo(mine, distance_m=400, phash=5)
    scene.photo(theirs, distance_m=400, phash=2 ** 50)
    assert numbers(figures("photo_far", [scene.grid.community.subdistrict_id])) == [mine.number]
    assert figures("photo_far")["total"] == 2


def test_an_inactive_rule_is_left_out(db):
    SignalRule.objects.filter(code="photo_far").update(active=False)
    codes = [s["code"] for s in compute_signals(Window(START, END))]
    assert "photo_far" not in codes and len(codes) == 5


@pytest.mark.parametrize("params, message", [
    ({"max_distance_m": 100, "days": 7, "extra": 1}, "多余：extra"),
    ({"max_distance_m": 100}, "缺少：days"),
    ({"max_distance_m": "100", "days": 7}, "max_distance_m 须为 1 至 1000 之间的数字，实际为 100"),
    ({"max_distance_m": 0, "days": 7}, "max_distance_m 须为 1 至 1000 之间的数字，实际为 0"),
])
def test_bad_thresholds_are_refused_naming_the_threshold(params, message):
    # Messages are Chinese first (deploy/setup.sh compiles the catalogues).
    with pytest.raises(RuleError, match=message):
        check_params("reopen_churn", params)


def test_the_admin_refuses_bad_thresholds_and_saves_good_ones(db, admin_client):
    rule = SignalRule.objects.get(code="photo_far")
    url = f"/admin/integrity/signalrule/{rule.pk}/change/"
    answer = admin_client.post(url, {"name": rule.name, "description": "", "params": '{"max_distance_m": -5}',
                                     "active": "on"})
    assert answer.status_code == 200 and "max_distance_m 须为 1 至 100000 之间的数字，实际为 -5" in answer.content.decode()
    rule.refresh_from_db()
    assert rule.params == {"max_distance_m": 100}
    answer = admin_client.post(url, {"name": rule.name, "description": "", "params": '{"max_distance_m": 150}',
                                     "active": "on"})
    assert answer.status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"max_distance_m": 150}
