"""/stars/households/upload/: administrators and sub-district leaders upload household ratings."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.areas.models import Community
from apps.stars.models import HouseholdRating
from pages_cast import fast_passwords, star_cast  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
URL = "/stars/households/upload/"
HEADER = "户编号,村社区编码,户主,达标星\n"
ALL_TEN = "文明爱国、创业致富、遵纪守法、尊老爱幼、诚实守信、团结和睦、干净整洁、文教科技、移风易俗、爱心奉献"


def csv_file(rows, name="ratings.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, (HEADER + "".join(rows)).encode(encoding), content_type="text/csv")


def upload(client, person, file, period, **extra):
    client.force_login(person.user)
    return client.post(URL, {"period": period.code, "file": file, **extra})


@pytest.mark.parametrize(
    ("who", "code"),
    [("admin", 200), ("reviewer", 200), ("district_leader", 403), ("secretary", 403), ("member", 403),
     ("worker", 404), ("dispatcher", 404)],
)
def test_who_opens_the_upload_page(star_cast, client, who, code):
    client.force_login(getattr(star_cast, who).user)
    assert client.get(URL).status_code == code


def test_a_valid_gbk_file_is_imported_and_summarised(star_cast, client):
    c = star_cast
    code = c.branch.community.code
    rows = [f"H{n:04d},{code},张{n},{ALL_TEN if n < 3 else '文明爱国、遵纪守法'}\n" for n in range(10)]
    response = upload(client, c.reviewer, csv_file(rows, encoding="gbk"), c.period)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="households">10<' in html and 'class="ten-star">3<' in html
    assert HouseholdRating.objects.filter(period=c.period, community=c.branch.community).count() == 10


def test_a_dry_run_writes_nothing(star_cast, client):
    c = star_cast
    rows = [f"H0001,{c.branch.community.code},李四,文明爱国\n"]
    response = upload(client, c.admin, csv_file(rows), c.period, dry_run="1")
    assert response.status_code == 200 and 'class="households">1<' in response.content.decode()
    assert not HouseholdRating.objects.exists()


def test_problems_are_listed_by_file_line_and_column_and_nothing_is_written(star_cast, client):
    c = star_cast
    code = c.branch.community.code
    rows = [f"H0001,{code},王五,文明爱国\n", f"H0002,999999999999,赵六,文明爱国\n", f"H0001,{code},王五,文明爱国\n",
            f"H0003,{code},钱七,飞天星\n"]
    response = upload(client, c.admin, csv_file(rows, name="兴达路.csv"), c.period)
    assert response.status_code == 400
    html = response.content.decode()
    assert "兴达路.csv" in html
    table = html[html.index('class="problems"'):]
    for line in ("3", "4", "5"):
        assert f'<td class="num">{line}</td>' in table
    assert "999999999999" in table and "H0001" in table and "飞天星" in table
    assert not HouseholdRating.objects.exists()


def test_a_subdistrict_leader_may_not_import_another_subdistricts_households(star_cast, client):
    c = star_cast
    elsewhere = Community.objects.exclude(subdistrict=c.branch.community.subdistrict).order_by("code").first()
    response = upload(client, c.reviewer, csv_file([f"H0009,{elsewhere.code},孙八,文明爱国\n"]), c.period)
    assert response.status_code == 400
    assert elsewhere.code in response.content.decode()
    assert not HouseholdRating.objects.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(star_cast, client):
    c = star_cast
    response = upload(client, c.admin, SimpleUploadedFile("ratings.txt", b"x"), c.period)
    assert response.status_code == 400 and "ratings.txt" in response.content.decode()
    response = upload(client, c.admin, csv_file(["H1,1,甲,文明爱国\n"], encoding="utf-16"), c.period)
    assert response.status_code == 400
    assert not HouseholdRating.objects.exists()
