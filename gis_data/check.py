#!/usr/bin/env python3
"""Standalone checker for gis_data/district.gpkg (shapely + pyogrio only; no Django, no generate.py).

    python gis_data/check.py [path/to/district.gpkg]

Prints one line per check and exits 1 if any fails. Areas and distances are measured in EPSG:4547.
"""
import math
import os
import re
import sys
from collections import Counter, defaultdict

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point

TOL_M2 = 1.0
TO_GK = Transformer.from_crs(4326, 4547, always_xy=True)
SUB_CODES = {"经八路": "410105001", "花园路": "410105002", "人民路": "410105003", "杜岭": "410105004",
             "大石桥": "410105005", "南阳路": "410105006", "南阳新村": "410105007", "文化路": "410105008",
             "丰产路": "410105009", "东风路": "410105010", "北林路": "410105011", "未来路": "410105013",
             "凤凰台": "410105014", "国基路": "410105017", "杨金路": "410105018", "丰庆路": "410105019",
             "兴达路": "410105020"}
FIELDS = {
    "district": ["code", "name"],
    "subdistricts": ["code", "name", "households", "population"],
    "communities": ["code", "name", "kind", "subdistrict_code", "households", "population", "branch_name", "demonstration"],
    "grids": ["code", "name", "community_code", "households", "population"],
    "zones": ["code", "name", "community_code", "households"],
    "compounds": ["code", "name", "community_code", "zone_code", "households", "address"],
    "departments": ["code", "name", "kind", "subdistrict_code"],
    "cadres": ["code", "name", "department_code", "zone_code", "phone", "head"],
    "leaders": ["code", "name", "title", "branch_codes"],
}
# name: (kind, sub-district or None for "any", demonstration)
NAMED = {"马渡村": ("village", "兴达路", "planned_five_star"), "通信花园社区": ("community", None, "planned_five_star"),
         "省委社区": ("community", "经八路", "planned_five_star"), "杲村": ("village", "花园路", "quasi_five_star"),
         "戊院社区": ("community", "花园路", "quasi_five_star"), "建业城市花园社区": ("community", None, "quasi_five_star")}
GEOMETRY = {"district": "MultiPolygon", "subdistricts": "MultiPolygon", "communities": "MultiPolygon",
            "grids": "MultiPolygon", "zones": "MultiPolygon", "compounds": "MultiPolygon", "departments": "Point"}
DEPT_RADIUS_M = 3000.0   # district departments: within this distance of the district's centroid
DEPT_SPACING_M = 50.0    # ... and this far apart (no two on top of each other)
OFFICE_INSET_M = 100.0   # a sub-district office at least this far inside its sub-district
REQUIRED_DEPTS = ["区委组织部", "区委政法委", "区委社治委", "区农委", "区城市管理局", "区住房和城乡建设局", "区市场监督管理局",
                  "区应急管理局", "区生态环境分局", "区卫生健康委员会", "区民政局", "区信访局", "公安分局", "区消防救援大队",
                  "区交通运输局", "区园林绿化中心", "区水利局"]

failures = []


def check(label, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}  {label}" + (f"  [{detail}]" if detail else ""))
    if not ok:
        failures.append(label)


def to_gk(g):
    return shapely.transform(g, lambda c: np.column_stack(TO_GK.transform(c[:, 0], c[:, 1])))


def row_order(parent_gk, centroids):
    """North to south in bands of sqrt(parent area / n) m from the parent's northern bound; west to east within."""
    band = math.sqrt(parent_gk.area / len(centroids))
    top = parent_gk.bounds[3]
    return sorted(range(len(centroids)), key=lambda i: (math.floor((top - centroids[i][1]) / band), centroids[i][0]))


def tiling(parent, children):
    """(gap + overlap with the parent's outline, summed pairwise overlap) in m2."""
    union = shapely.union_all(children)   # plain union: must not assume the children are noded
    off = shapely.symmetric_difference(union, parent).area
    tree = shapely.STRtree(children)
    left, right = tree.query(children, predicate="intersects")
    keep = left < right
    overlap = float(shapely.area(shapely.intersection(np.array(children)[left[keep]], np.array(children)[right[keep]])).sum())
    return off, overlap


def check_offices(G, depts, cadres, zones, com_by, district):
    """Work-unit offices (departments near the district's centre, offices well inside their sub-district)
    and zone heads (one a zone, from the zone's own sub-district office)."""
    points = G["departments"]
    central = [points[x["code"]] for x in depts if x["kind"] == "district_department" and x["code"] in points]
    centre = district.centroid
    far = max((p.distance(centre) for p in central), default=0.0)
    check(f"district departments inside the district, within {DEPT_RADIUS_M / 1000:.0f} km of its centroid",
          all(district.contains(p) for p in central) and far <= DEPT_RADIUS_M, f"farthest {far:.0f} m")
    pairs = shapely.distance(np.array(central)[:, None], np.array(central)[None, :]) if len(central) > 1 else np.zeros((1, 1))
    closest = float(pairs[~np.eye(len(pairs), dtype=bool)].min()) if len(central) > 1 else math.inf
    check(f"district departments at least {DEPT_SPACING_M:.0f} m apart", closest >= DEPT_SPACING_M, f"closest {closest:.0f} m")
    bad = [x["code"] for x in depts if x["kind"] == "subdistrict_office" and not (
        x["code"] in points and G["subdistricts"][x["subdistrict_code"]].buffer(-OFFICE_INSET_M).contains(points[x["code"]]))]
    check(f"sub-district offices inside their sub-district, at least {OFFICE_INSET_M:.0f} m from its border", not bad,
          ",".join(bad[:5]))
    bad = [x["code"] for x in cadres if x["head"] not in (0, 1)]
    check("cadres' head is 0 or 1", not bad, ",".join(bad[:5]))
    heads = defaultdict(list)
    for x in cadres:
        if x["head"] == 1:
            heads[x["zone_code"]].append(x)
    bad = [z["code"] for z in zones if len(heads.get(z["code"], [])) != 1]
    check("exactly one head per zone", not bad, ",".join(bad[:5]))
    bad = [z["code"] for z in zones for x in heads.get(z["code"], [])
           if x["department_code"] != "SD" + com_by[z["community_code"]]["subdistrict_code"]]
    check("each zone head comes from the zone's own sub-district office", not bad, ",".join(bad[:5]))


def main(path):
    print(f"checking {path}")
    layers = dict(pyogrio.list_layers(path))
    check("all nine layers present", set(FIELDS) <= set(layers), ", ".join(sorted(set(FIELDS) - set(layers))))
    L, G = {}, {}
    for name, cols in FIELDS.items():
        info = pyogrio.read_info(path, layer=name)
        check(f"{name}: fields are exactly {cols}", list(info["fields"]) == cols, str(list(info["fields"])))
        kind = GEOMETRY.get(name)
        if kind:
            check(f"{name}: {kind} in EPSG:4326", info["geometry_type"] == kind and info["crs"] == "EPSG:4326",
                  f"{info['geometry_type']} {info['crs']}")
        df = pyogrio.read_dataframe(path, layer=name, read_geometry=bool(info["geometry_type"]))
        L[name] = df.to_dict("records")
        if kind == "Point":
            points = np.array(df.geometry.values) if info["geometry_type"] else np.array([None] * len(df))
            check(f"{name}: every feature has a point", all(isinstance(g, Point) and not g.is_empty for g in points))
            G[name] = {r["code"]: to_gk(g) for r, g in zip(L[name], points) if isinstance(g, Point)}
        elif info["geometry_type"]:
            geoms = np.array(df.geometry.values)
            check(f"{name}: every geometry a valid, non-empty MultiPolygon",
                  all(isinstance(g, MultiPolygon) and not g.is_empty and g.is_valid for g in geoms))
            G[name] = {r["code"]: to_gk(g) for r, g in zip(L[name], geoms)}
        check(f"{name}: codes unique strings", all(isinstance(r["code"], str) for r in L[name])
              and len({r["code"] for r in L[name]}) == len(L[name]))
    d, subs, comms, grids = L["district"], L["subdistricts"], L["communities"], L["grids"]
    zones, comps, depts, cadres, leaders = L["zones"], L["compounds"], L["departments"], L["cadres"], L["leaders"]

    # ---- counts
    kinds = Counter(c["kind"] for c in comms)
    check("1 district 410105 金水区", len(d) == 1 and d[0]["code"] == "410105" and d[0]["name"] == "金水区")
    check("17 sub-districts with the agreed codes and names",
          {(s["code"], s["name"]) for s in subs} == {(c, n + "街道") for n, c in SUB_CODES.items()})
    check("214 villages/communities: 40 village + 174 community", len(comms) == 214 and kinds == {"village": 40, "community": 174},
          f"{len(comms)} {dict(kinds)}")
    check("grid count between 1,300 and 1,700", 1300 <= len(grids) <= 1700, str(len(grids)))
    check("281 zones", len(zones) == 281, str(len(zones)))
    check("644 compounds", len(comps) == 644, str(len(comps)))
    dk = Counter(x["kind"] for x in depts)
    check("35 district departments + 17 sub-district offices", dk == {"district_department": 35, "subdistrict_office": 17}, str(dict(dk)))
    check("1405 cadres", len(cadres) == 1405, str(len(cadres)))
    check("55 leaders", len(leaders) == 55, str(len(leaders)))

    # ---- codes and parents
    sub_by = {s["code"]: s for s in subs}
    com_by = {c["code"]: c for c in comms}
    zone_by = {z["code"]: z for z in zones}
    check("sub-district codes 410105 + 3 digits", all(re.fullmatch(r"410105\d{3}", s["code"]) for s in subs))
    bad = [c["code"] for c in comms if not (re.fullmatch(r"\d{12}", c["code"]) and c["code"][:9] == c["subdistrict_code"]
           and c["subdistrict_code"] in sub_by
           and (1 <= int(c["code"][9:]) <= 199 if c["kind"] == "community" else 200 <= int(c["code"][9:]) <= 399))]
    check("community codes: sub-district + 001-199 (community) / 200-399 (village), parent exists", not bad, ",".join(bad[:5]))
    bad = [g["code"] for g in grids if not (re.fullmatch(r"\d{15}", g["code"]) and g["code"][:12] == g["community_code"]
                                          and g["community_code"] in com_by)]
    check("grid codes: community code + 3 digits, parent exists", not bad, ",".join(bad[:5]))
    bad = [z["code"] for z in zones if not (re.fullmatch(r"Z\d{14}", z["code"]) and z["code"][1:13] == z["community_code"]
                                          and z["community_code"] in com_by)]
    check("zone codes: Z + community code + 2 digits, parent exists", not bad, ",".join(bad[:5]))
    bad = [k["code"] for k in comps if not (re.fullmatch(r"C\d{15}", k["code"]) and k["code"][1:13] == k["community_code"]
                                          and k["zone_code"] in zone_by and zone_by[k["zone_code"]]["community_code"] == k["community_code"])]
    check("compound codes: C + community code + 3 digits; zone exists in the same community", not bad, ",".join(bad[:5]))
    check("community names unique", len({c["name"] for c in comms}) == len(comms))
    check("branch_name = name + 党支部", all(c["branch_name"] == c["name"] + "党支部" for c in comms))
    check("village names end in 村, community names in 社区",
          all(c["name"].endswith("村" if c["kind"] == "village" else "社区") for c in comms))

    # ---- numbering rule: north to south, west to east
    kids = defaultdict(list)
    for g in grids:
        kids[g["community_code"]].append(g["code"])
    bad = []
    for cc, codes in kids.items():
        order = row_order(G["communities"][cc], [G["grids"][k].centroid.coords[0] for k in codes])
        if [codes[i] for i in order] != [f"{cc}{n:03d}" for n in range(1, len(codes) + 1)]:
            bad.append(cc)
    check("grid sequence numbered north to south, west to east inside each community", not bad, ",".join(bad[:5]))
    bad = []
    for sc in sub_by:
        codes = [c["code"] for c in comms if c["subdistrict_code"] == sc]
        ordered = [codes[i] for i in row_order(G["subdistricts"][sc], [G["communities"][k].centroid.coords[0] for k in codes])]
        for kind, first in (("community", 1), ("village", 201)):
            seq = [k for k in ordered if com_by[k]["kind"] == kind]
            if seq != [f"{sc}{n:03d}" for n in range(first, first + len(seq))]:
                bad.append(sc + kind)
    check("community/village sequence numbered north to south, west to east in each sub-district", not bad, ",".join(bad))
    bad = [g["code"] for g in grids if g["name"] != f"{com_by[g['community_code']]['name']}第{int(g['code'][12:])}网格"]
    check("grid names: community name + 第N网格", not bad, ",".join(bad[:5]))

    # ---- topology (EPSG:4547)
    district = G["district"]["410105"]
    off, ov = tiling(district, list(G["subdistricts"].values()))
    check("sub-districts tile the district (gap/overlap < 1 m2)", off < TOL_M2 and ov < TOL_M2, f"off {off:.2e} overlap {ov:.2e}")
    worst = (0.0, 0.0, "")
    for sc in sub_by:
        off, ov = tiling(G["subdistricts"][sc], [G["communities"][c["code"]] for c in comms if c["subdistrict_code"] == sc])
        worst = max(worst, (off, ov, sc))
    check("communities tile each sub-district (gap/overlap < 1 m2)", worst[0] < TOL_M2 and worst[1] < TOL_M2,
          f"worst off {worst[0]:.2e} overlap {worst[1]:.2e} {worst[2]}")
    worst = (0.0, 0.0, "")
    for cc, codes in kids.items():
        off, ov = tiling(G["communities"][cc], [G["grids"][k] for k in codes])
        worst = max(worst, (off, ov, cc))
    check("grids tile each community (gap/overlap < 1 m2)", worst[0] < TOL_M2 and worst[1] < TOL_M2,
          f"worst off {worst[0]:.2e} overlap {worst[1]:.2e} {worst[2]}")
    check("every community has at least one grid", set(kids) == set(com_by))

    # ---- compounds and zones
    bad = [k["code"] for k in comps if not G["compounds"][k["code"]].within(G["communities"][k["community_code"]].buffer(-5))]
    check("compounds lie inside their community buffered by -5 m", not bad, ",".join(bad[:5]))
    cg = list(G["compounds"].values())
    left, right = shapely.STRtree(cg).query(cg, predicate="intersects")
    check("compounds never overlap or touch", int((left != right).sum()) == 0, f"{int((left != right).sum()) // 2} pairs")
    dims = np.array([shapely.minimum_rotated_rectangle(g).exterior.coords for g in cg])
    lens = np.hypot(*(dims[:, 1:3] - dims[:, 0:2]).transpose(2, 0, 1))
    check("compound sides 35-210 m", lens.min() > 35 and lens.max() < 210, f"{lens.min():.0f}-{lens.max():.0f} m")
    check("compound households 20-300", all(20 <= k["households"] <= 300 for k in comps))
    by_zone = defaultdict(list)
    for k in comps:
        by_zone[k["zone_code"]].append(k)
    check("every zone has 1-5 compounds", set(by_zone) == set(zone_by) and all(1 <= len(v) <= 5 for v in by_zone.values()))
    worst = max(shapely.symmetric_difference(G["zones"][z], shapely.union_all([G["compounds"][k["code"]] for k in ks])).area
                for z, ks in by_zone.items())
    check("zone geometry == union of its compounds", worst < 0.01, f"max sym. difference {worst:.2e} m2")
    check("zone names and compound names/addresses unique", len({z["name"] for z in zones}) == len(zones)
          and len({k["name"] for k in comps}) == len({k["address"] for k in comps}) == len(comps))
    check("zone households = sum of its compounds",
          all(zone_by[z]["households"] == sum(k["households"] for k in ks) for z, ks in by_zone.items()))
    old_city = {SUB_CODES[n] for n in ("经八路", "花园路", "人民路", "杜岭", "大石桥", "南阳路", "南阳新村", "文化路", "丰产路",
                                       "东风路", "北林路")}
    share = sum(z["community_code"][:9] in old_city for z in zones) / len(zones)
    check("zones sit mostly (>= 80%) in the old urban sub-districts, none in a village",
          share >= 0.8 and all(com_by[z["community_code"]]["kind"] == "community" for z in zones), f"{share:.0%}")

    # ---- households and population
    rural = {c["code"] for c in comms if c["kind"] == "village"}
    bad = [g["code"] for g in grids if not ((250 <= g["households"] <= 350) if g["community_code"] in rural else (300 <= g["households"] <= 500))]
    check("grid households: urban 300-500, rural 250-350", not bad, ",".join(bad[:5]))
    check("grid population <= 2500", all(0 < g["population"] <= 2500 for g in grids))
    bad = [c["code"] for c in comms if c["households"] != sum(g["households"] for g in grids if g["community_code"] == c["code"])
           or c["population"] != sum(g["population"] for g in grids if g["community_code"] == c["code"])]
    check("community households/population = sum of its grids", not bad, ",".join(bad[:5]))
    bad = [s["code"] for s in subs if s["households"] != sum(c["households"] for c in comms if c["subdistrict_code"] == s["code"])
           or s["population"] != sum(c["population"] for c in comms if c["subdistrict_code"] == s["code"])]
    check("sub-district households/population = sum of its communities", not bad, ",".join(bad))
    check("community population = households x 2.5-2.9",
          all(2.5 <= c["population"] / c["households"] <= 2.9 for c in comms))

    # ---- named branches
    demo = {c["name"]: c for c in comms if c["demonstration"]}
    check("exactly the six named demonstration branches", set(demo) == set(NAMED), ",".join(sorted(demo)))
    bad = [n for n, (kind, sub, val) in NAMED.items() if n not in demo or demo[n]["kind"] != kind
           or demo[n]["demonstration"] != val or (sub and demo[n]["subdistrict_code"] != SUB_CODES[sub])]
    check("named branches have the right kind, sub-district and demonstration level", not bad, ",".join(bad))
    check("other branches have empty demonstration", all(c["demonstration"] in ("", None) for c in comms if c["name"] not in NAMED))

    # ---- placement
    c = pyogrio.read_dataframe(path, layer="district").geometry.values[0].centroid   # lon/lat
    check("district centroid within 0.05 deg of 113.68E 34.80N", abs(c.x - 113.68) < 0.05 and abs(c.y - 34.80) < 0.05,
          f"{c.x:.4f} {c.y:.4f}")
    check("district area 150-350 km2", 150e6 <= district.area <= 350e6, f"{district.area / 1e6:.1f} km2")
    north = {SUB_CODES[n] for n in ("兴达路", "杨金路", "丰庆路", "国基路")}
    check("villages in the northern sub-districts (+ 杲村, 凤凰台, 未来路)",
          sum(c["subdistrict_code"] in north for c in comms if c["kind"] == "village") >= 30)

    # ---- people
    names = {x["name"] for x in depts if x["kind"] == "district_department"}
    check("required district departments present", set(REQUIRED_DEPTS) <= names, ",".join(set(REQUIRED_DEPTS) - names))
    check("district department codes D01-D35, subdistrict_code empty",
          sorted(x["code"] for x in depts if x["kind"] == "district_department") == [f"D{i:02d}" for i in range(1, 36)]
          and all(not x["subdistrict_code"] for x in depts if x["kind"] == "district_department"))
    check("one office per sub-district: SD + code, 街道办事处",
          sorted((x["code"], x["subdistrict_code"], x["name"]) for x in depts if x["kind"] == "subdistrict_office")
          == sorted(("SD" + s["code"], s["code"], s["name"] + "办事处") for s in subs))
    dept_codes = {x["code"] for x in depts}
    per_zone = Counter(x["zone_code"] for x in cadres)
    check("exactly 5 cadres per zone", set(per_zone) == set(zone_by) and set(per_zone.values()) == {5})
    check("cadre codes GB0001-GB1405", sorted(x["code"] for x in cadres) == [f"GB{i:04d}" for i in range(1, 1406)])
    check("cadre departments exist", all(x["department_code"] in dept_codes for x in cadres))
    check("cadre phones: 11 digits, start with 1, unique",
          all(re.fullmatch(r"1[3-9]\d{9}", x["phone"]) for x in cadres) and len({x["phone"] for x in cadres}) == len(cadres))
    check("cadre names non-empty Chinese", all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", x["name"]) for x in cadres + leaders))
    check("leader codes LD01-LD55", sorted(x["code"] for x in leaders) == [f"LD{i:02d}" for i in range(1, 56)])
    check_offices(G, depts, cadres, zones, com_by, district)
    answered = [b for x in leaders for b in x["branch_codes"].split(",")]
    check("each leader answers for 3-5 branches", all(3 <= len(x["branch_codes"].split(",")) <= 5 for x in leaders))
    check("leaders cover all 214 branches exactly once", sorted(answered) == sorted(com_by), f"{len(answered)} listed")

    print(f"\n{'ALL CHECKS PASSED' if not failures else str(len(failures)) + ' CHECK(S) FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "district.gpkg")
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else default))
