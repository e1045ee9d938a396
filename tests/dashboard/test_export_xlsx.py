"""/dashboard/export.xlsx: the table under the map as a workbook, with the map's filters, scoped."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.dashboard.conftest import READERS, client_for, communities_of

pytestmark = pytest.mark.django_db

URL = "/dashboard/export.xlsx"
HEADER_ROW = 3


def table(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[HEADER_ROW - 1]
    return sheet, header, [dict(zip(header, row)) for row in rows[HEADER_ROW:]]


def test_the_workbook_has_chinese_headers_and_a_row_per_community(stars, cast):
    sheet, header, rows = table(client_for(cast.district_leader).get(URL))
    assert header[:6] == ("编码", "村/社区", "类型", "街道", "党支部", "星级")
    assert "包保领导" in header and "已获星" in header
    assert len(rows) == 214
    assert "金水区" in sheet["A1"].value
    a2 = next(r for r in rows if r["编码"] == stars.a2.community.code)
    assert a2["星级"] == 4
    assert a2["已获星"] == "支部过硬星、宜业兴业星、共建共享星、平安法治星"
    assert a2["评定中的星"] == "幸福和谐星"
    assert a2["包保领导"] == stars.a2.leader.name
    madu = next(r for r in rows if r["村/社区"] == "马渡村")
    assert (madu["类型"], madu["示范创建"], madu["已获星"].split("、")[1]) == ("村", "拟五星示范", "产业兴旺星")


def test_the_filters_of_the_map_apply_to_the_workbook(stars, cast):
    client = client_for(cast.district_leader)
    # Who holds 平安法治星? a1, a2, b1, and b2 (which holds it without the foundation star).
    _sheet, _header, rows = table(client.get(URL, {"star": "4"}))
    expected = {stars.a1, stars.a2, stars.b1, stars.b2}
    assert {r["编码"] for r in rows} == {b.community.code for b in expected}
    _sheet, _header, rows = table(client.get(URL, {"star": "4", "kind": "village"}))
    assert [r["村/社区"] for r in rows] == ["马渡村"]
    _sheet, _header, rows = table(client.get(URL, {"demonstration": "1", "subdistrict": stars.b.code}))
    assert [r["村/社区"] for r in rows] == ["马渡村"]
    _sheet, _header, rows = table(client.get(URL, {"period": "P1", "star": "1"}))
    assert {r["编码"] for r in rows} == {stars.a1.community.code, stars.b1.community.code}


@pytest.mark.parametrize(
    ("query", "field"),
    [({"star": "6"}, "star"), ({"kind": "town"}, "kind"), ({"weak": "maybe"}, "weak"),
     ({"subdistrict": "4101"}, "subdistrict"), ({"period": "1999"}, "period")],
)
def test_a_bad_filter_is_a_400_naming_it(stars, cast, query, field):
    response = client_for(cast.district_leader).get(URL, query)
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize(("who", "sees"), READERS)
def test_who_downloads_what(stars, cast, who, sees):
    response = client_for(getattr(cast, who)).get(URL)
    if sees is None:
        assert response.status_code == 403
        return
    _sheet, _header, rows = table(response)
    assert {r["编码"] for r in rows} == communities_of(stars, sees)


def test_anonymous_is_sent_to_log_in(stars):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_export_costs_the_same_queries_however_many_stars(stars, cast):
    client = client_for(cast.centre)
    client.get(URL)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    stars.workflow.apply(stars.a3, stars.current, 4, stars.a3.assessments.first().applied_at)
    with CaptureQueriesContext(connection) as after:
        client.get(URL)
    assert len(after) == len(before) <= 12
