"""Four-level linkage (争星晋级、四级联创) for one period: household -> branch -> sub-district -> district.

`chain(period, subdistricts)` returns the data of the linkage page as plain
dicts, with a fixed number of grouped queries whatever the number of
communities:

- per village/community: rated households, ten-star households and their share,
  and its branch's stars and level;
- per sub-district: its five-good result (which goods are met, which not), its
  branches at each level and its households;
- district: the red flags of the period (awarded, recalled) and the totals over
  the sub-districts asked for (the caller asks only for those the reader may see).

`households(period, community)` lists one community's rated households for the
household level, householders masked (张**).
"""

from collections import Counter, defaultdict

from django.db.models import Count, Q

from apps.areas.models import Community, SubDistrict
from apps.stars.levels import held_stars, level_of
from apps.stars.models import ALL_FIVE, ALL_TEN, FIVE_GOODS, TEN_STANDARDS, Branch, FiveGood, HouseholdRating, RedFlag


def share(part, whole):
    return round(part / whole, 4) if whole else None


def _households(rated, ten):
    return {"rated": rated, "ten_star": ten, "share": share(ten, rated)}


def goods_of(bits):
    return {"met": [g for i, g in enumerate(FIVE_GOODS) if bits & (1 << i)],
            "missing": [g for i, g in enumerate(FIVE_GOODS) if not bits & (1 << i)],
            "all": bits == ALL_FIVE}


def chain(period, subdistricts=None, *, subdistrict_ids=None):
    """The linkage page's data for `period` over `subdistricts` (a SubDistrict queryset) or `subdistrict_ids`.

    Neither given: the whole district.
    """
    if subdistricts is None:
        subdistricts = SubDistrict.objects.all()
    if subdistrict_ids is not None:
        subdistricts = subdistricts.filter(pk__in=list(subdistrict_ids))
    subdistricts = list(subdistricts.order_by("code"))
    sd_ids = [s.pk for s in subdistricts]
    communities = list(
        Community.objects.filter(subdistrict_id__in=sd_ids).order_by("code")
        .values("pk", "code", "name", "kind", "subdistrict_id")
    )
    branches = {b["community_id"]: b for b in Branch.objects.filter(community__subdistrict_id__in=sd_ids).values(
        "pk", "community_id", "name", "demonstration", "weak")}
    held = held_stars(period, Branch.objects.filter(pk__in=[b["pk"] for b in branches.values()]))
    ratings = {
        r["community_id"]: (r["rated"], r["ten"])
        for r in HouseholdRating.objects.filter(period=period, community__subdistrict_id__in=sd_ids)
        .values("community_id").annotate(rated=Count("pk"), ten=Count("pk", filter=Q(standards=ALL_TEN)))
    }
    goods = {sd: (bits, note) for sd, bits, note in FiveGood.objects.filter(period=period, subdistrict_id__in=sd_ids)
             .values_list("subdistrict_id", "goods", "note")}

    rows = defaultdict(list)
    for c in communities:
        branch = branches.get(c["pk"])
        stars = sorted(held.get(branch["pk"], ())) if branch else []
        rated, ten = ratings.get(c["pk"], (0, 0))
        rows[c["subdistrict_id"]].append({
            "code": c["code"], "name": c["name"], "kind": c["kind"],
            "branch": branch and {"name": branch["name"], "stars": stars,
                                  "level": level_of(set(stars), period.foundation_gates),
                                  "demonstration": branch["demonstration"], "weak": branch["weak"]},
            "households": _households(rated, ten),
        })
    result = []
    for s in subdistricts:
        members = rows[s.pk]
        levels = Counter(m["branch"]["level"] for m in members if m["branch"])
        rated = sum(m["households"]["rated"] for m in members)
        ten = sum(m["households"]["ten_star"] for m in members)
        result.append({
            "code": s.code, "name": s.name,
            "five_good": ({**goods_of(goods[s.pk][0]), "note": goods[s.pk][1]} if s.pk in goods else None),
            "levels": {str(n): levels.get(n, 0) for n in range(6)},
            "households": _households(rated, ten),
            "communities": members,
        })
    flags = [
        {"field": f.field, "awarded_on": f.awarded_on.isoformat(),
         "recalled_on": f.recalled_on.isoformat() if f.recalled_on else None,
         "standing": f.recalled_on is None, "note": f.note}
        for f in RedFlag.objects.filter(period=period).order_by("awarded_on", "field")
    ]
    totals = Counter()
    for s in result:
        totals.update({str(k): v for k, v in s["levels"].items()})
    return {
        "period": {"code": period.code, "name": period.name},
        "district": {
            "red_flags": flags,
            "red_flags_standing": sum(f["standing"] for f in flags),
            "levels": {str(n): totals.get(str(n), 0) for n in range(6)},
            "households": _households(sum(s["households"]["rated"] for s in result),
                                      sum(s["households"]["ten_star"] for s in result)),
            "five_good_subdistricts": sum(1 for s in result if s["five_good"] and s["five_good"]["all"]),
        },
        "subdistricts": result,
    }


def households(period, community, *, ten_star_only=False):
    """One community's rated households, householders masked; ten-star first."""
    rows = HouseholdRating.objects.filter(period=period, community=community).order_by("household_code")
    if ten_star_only:
        rows = rows.filter(standards=ALL_TEN)
    listed = [
        {"code": r.household_code, "holder": r.masked_holder, "stars": r.stars, "ten_star": r.standards == ALL_TEN,
         "standards": [s for i, s in enumerate(TEN_STANDARDS) if r.standards & (1 << i)]}
        for r in rows
    ]
    return sorted(listed, key=lambda r: (-r["stars"], r["code"]))
