#!/usr/bin/env python3
"""Deterministic sample district for GridGov: 金水区 (410105) with 17 sub-districts, 214 villages/communities,
~1,500 grids, 281 zones of 644 unmanaged compounds, departments with their office points, cadres (one zone head
each zone) and leaders.

    python gis_data/generate.py [--out gis_data/district.gpkg]

Geometry is built in metres in a local frame centred on the district (EPSG:4547 minus a whole-metre offset),
then written as EPSG:4326 rounded to 7 decimals. Everything random comes from one numpy generator (and the work
units' offices and zone heads, added later, from a second one seeded from the same SEED so the rest stayed as it
was), so two runs give byte-identical files. No Django here: the stages are plain functions over shapely geometries.
"""
import argparse
import math
import os
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import shapely.ops
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import names as N  # noqa: E402  (static name tables, kept out of this file for readability)

SEED = 410105
CENTRE_LONLAT = (113.68, 34.80)
DISTRICT_AREA_M2 = 215e6      # real 金水区 is ~242 km2; 214 branches of the sizes in the brief fill ~215 km2
SNAP = 0.1                    # m: snap-rounding grid of the planar partition (well above the 1e-7 deg ~ 1 cm rounding)
OGR_DATE = "2026-01-01T00:00:00Z"
ZONE_SUFFIX = ["", "东", "西", "南", "北", "中", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
TO_WGS = Transformer.from_crs(4547, 4326, always_xy=True)
TO_GK = Transformer.from_crs(4326, 4547, always_xy=True)
_E0, _N0 = (round(v) for v in TO_GK.transform(*CENTRE_LONLAT))   # local frame origin in EPSG:4547


def log(msg, t0=[time.time()]):
    print(f"[{time.time() - t0[0]:6.1f}s] {msg}", flush=True)


# ---------------------------------------------------------------- geometry helpers

def polygonal(g):
    """Keep only the polygon parts of an overlay result (intersections can return stray lines/points)."""
    parts = [p for p in getattr(g, "geoms", [g]) if isinstance(p, Polygon) and not p.is_empty]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def random_points_in(poly, n, rng):
    minx, miny, maxx, maxy = poly.bounds
    out = []
    while len(out) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(Point(x, y)):
            out.append((x, y))
    return np.array(out)


def clip_halfplane(poly, a, b):
    """Sutherland-Hodgman clip of a convex ring (k x 2) to a.x <= b."""
    d = poly @ a - b
    if (d <= 0).all():
        return poly
    if (d > 0).all():
        return poly[:0]
    out = []
    for k in range(len(poly)):
        p, q, dp, dq = poly[k], poly[(k + 1) % len(poly)], d[k], d[(k + 1) % len(poly)]
        if dp <= 0:
            out.append(p)
        if (dp < 0 < dq) or (dq < 0 < dp):
            out.append(p + (q - p) * (dp / (dp - dq)))
    return np.array(out)


def power_cells(parent, pts, w):
    """Power diagram (Voronoi with additive weights) of pts clipped to parent. Weights let small old-city
    cells sit next to big village cells while edges stay straight, which a plain Voronoi cannot do."""
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    frame = np.array([[minx - pad, miny - pad], [maxx + pad, miny - pad], [maxx + pad, maxy + pad], [minx - pad, maxy + pad]])
    sq = (pts ** 2).sum(axis=1)
    cells = []
    for i in range(len(pts)):
        ring = frame
        for j in range(len(pts)):
            if j != i and len(ring) >= 3:
                ring = clip_halfplane(ring, 2 * (pts[j] - pts[i]), sq[j] - sq[i] + w[i] - w[j])
        cells.append(polygonal(Polygon(ring).intersection(parent)) if len(ring) >= 3 else Polygon())
    return cells


def merge_fragments(cells):
    """A convex cell clipped to a non-convex parent can fall apart; hand stray pieces to the neighbour that
    touches them most, so every unit is one polygon."""
    cells = list(cells)
    for i in range(len(cells)):
        if not isinstance(cells[i], MultiPolygon):
            continue
        parts = sorted(cells[i].geoms, key=lambda p: -p.area)
        cells[i] = parts[0]
        for p in parts[1:]:
            halo = p.buffer(1.0)
            j = max((k for k in range(len(cells)) if k != i), key=lambda k: halo.intersection(cells[k]).area)
            cells[j] = polygonal(shapely.union(cells[j], p, grid_size=0.01))
    return cells


def partition(parent, seeds, targets, iters, lloyd=1.0):
    """Lloyd relaxation of a power diagram: seeds move (a fraction lloyd of the way) to their cell centroids,
    which keeps cells compact, while weights move each cell's area toward its target."""
    pts, w = np.array(seeds, dtype=float), np.zeros(len(seeds))
    targets = np.asarray(targets, float) * parent.area / np.sum(targets)
    for _ in range(iters):
        cells = power_cells(parent, pts, w)
        areas = np.array([c.area for c in cells])
        for i, c in enumerate(cells):
            if areas[i] > 0:
                pts[i] += lloyd * (np.array(c.centroid.coords[0]) - pts[i])
        w += 0.5 * (targets - areas)
    cells = merge_fragments(power_cells(parent, pts, w))
    assert all(c.area > 0 for c in cells), "empty cell"
    return cells


def row_order(parent_gk, centroids):
    """Index order 'north to south, west to east': rows are bands of sqrt(parent area / n) metres measured
    down from the parent's northern bound (EPSG:4547), and within a band children go by centroid x."""
    band = math.sqrt(parent_gk.area / len(centroids))
    top = parent_gk.bounds[3]
    return sorted(range(len(centroids)), key=lambda i: (math.floor((top - centroids[i][1]) / band), centroids[i][0]))


def to_wgs(geom):
    """Local metres -> EPSG:4326 rounded to 7 decimals. Each vertex is transformed on its own, so a vertex
    shared by two polygons lands on the same rounded coordinate and the topology survives."""
    def f(c):
        lon, lat = TO_WGS.transform(c[:, 0] + _E0, c[:, 1] + _N0)
        return np.round(np.column_stack([lon, lat]), 7)
    g = shapely.transform(geom, f)
    return g if isinstance(g, MultiPolygon) else MultiPolygon([g])


def to_wgs_point(p):
    """A local-metre point -> EPSG:4326 Point rounded to 7 decimals."""
    lon, lat = TO_WGS.transform(p.x + _E0, p.y + _N0)
    return Point(round(lon, 7), round(lat, 7))


def to_gk(geom_wgs):
    """EPSG:4326 -> EPSG:4547, the same way check.py measures."""
    return shapely.transform(geom_wgs, lambda c: np.column_stack(TO_GK.transform(c[:, 0], c[:, 1])))


# ---------------------------------------------------------------- stage 1: district outline

def district_outline(rng):
    """A hand-drawn irregular outline (km; old city narrow in the south, villages wide in the north),
    roughened by midpoint displacement so it reads like a surveyed boundary, scaled to DISTRICT_AREA_M2."""
    ring = np.array([(-5.5, -6.0), (-3.5, -6.8), (-1.5, -7.6), (0.8, -7.4), (2.6, -6.6), (4.6, -6.9), (6.2, -5.2),
                     (6.0, -2.5), (7.0, -0.5), (6.6, 2.0), (7.4, 4.5), (7.0, 7.5), (5.6, 9.6), (3.0, 10.4),
                     (0.2, 10.8), (-2.6, 10.2), (-5.2, 9.4), (-6.8, 7.6), (-6.4, 4.6), (-7.0, 2.0), (-6.2, -0.6),
                     (-6.6, -3.2)]) * 1000.0
    for amp in (0.07, 0.06, 0.05):
        nxt = np.roll(ring, -1, axis=0)
        d = nxt - ring
        mid = (ring + nxt) / 2 + np.column_stack([-d[:, 1], d[:, 0]]) * rng.uniform(-amp, amp, (len(ring), 1))
        ring = np.column_stack([ring, mid]).reshape(-1, 2)
    poly = Polygon(ring)
    ring = ring * math.sqrt(DISTRICT_AREA_M2 / poly.area)
    ring -= np.array(Polygon(ring).centroid.coords[0])   # centroid on CENTRE_LONLAT
    poly = shapely.set_precision(Polygon(ring), SNAP)
    assert poly.is_valid
    return poly


# ---------------------------------------------------------------- stages 2-4: design partition

def build_units(rng, district):
    """Sub-districts -> villages/communities -> grids, each level a relaxed power diagram of its parent."""
    subs = [dict(code=s[0], name=s[1] + "街道", urban=s[3].split(), villages=s[4].split(),
                 urban_km2=s[5], village_km2=s[6], roads=s[7].split(), zone_weight=s[8]) for s in N.SUBDISTRICTS]
    targets = [len(s["urban"]) * s["urban_km2"] + len(s["villages"]) * s["village_km2"] for s in subs]
    minx, miny, maxx, maxy = district.bounds
    seeds = [(minx + u * (maxx - minx), miny + v * (maxy - miny)) for u, v in (s[2] for s in N.SUBDISTRICTS)]
    # a gentle Lloyd keeps the hand-placed layout (old city south, villages north) while evening the shapes
    for s, cell in zip(subs, partition(district, seeds, targets, iters=60, lloyd=0.3)):
        s["design"] = cell
    log(f"sub-districts: {len(subs)}, km2 {min(s['design'].area for s in subs) / 1e6:.1f}"
        f"-{max(s['design'].area for s in subs) / 1e6:.1f}")

    comms = []
    for si, s in enumerate(subs):
        nv, nu = len(s["villages"]), len(s["urban"])
        pts = random_points_in(s["design"], nv + nu, rng)
        pts = pts[np.argsort(-pts[:, 1], kind="stable")]          # villages take the northern (rural) seeds
        kinds = ["village"] * nv + ["community"] * nu
        names = s["villages"] + [u + "社区" for u in s["urban"]]
        tg = [(s["village_km2"] if k == "village" else s["urban_km2"]) * rng.uniform(0.9, 1.1) for k in kinds]
        for k, nm, cell in zip(kinds, names, partition(s["design"], pts, tg, iters=60)):
            comms.append(dict(sub=si, kind=k, name=nm, design=cell))
    log(f"communities: {len(comms)} ({sum(c['kind'] == 'village' for c in comms)} villages)")

    grids = []
    for ci, c in enumerate(comms):
        rural = c["kind"] == "village"
        n = int(rng.integers(2, 6)) if rural else int(rng.integers(5, 12))
        hh = rng.integers(250, 351, n) if rural else rng.integers(300, 501, n)
        pts = random_points_in(c["design"], n, rng)
        for h, cell in zip(hh, partition(c["design"], pts, hh, iters=30)):
            grids.append(dict(comm=ci, households=int(h), population=int(round(h * rng.uniform(2.5, 2.9))), design=cell))
    log(f"grids: {len(grids)}")
    return subs, comms, grids


# ---------------------------------------------------------------- stage 5: one planar partition

def node_partition(subs, comms, grids):
    """Design cells were clipped level by level, so neighbours agree only to floating noise and a parent's
    neighbour lacks the nodes its children add on the shared edge. Snap-round all grid edges together,
    polygonize once, and rebuild every level as a coverage union of the resulting faces: then every shared
    edge carries the same vertices on both sides at every level."""
    lines = shapely.union_all([g["design"].boundary for g in grids], grid_size=SNAP)
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    tree = shapely.STRtree([g["design"] for g in grids])
    owner = []
    for f in faces:
        hit = tree.query(f.representative_point(), predicate="intersects")
        if len(hit) != 1:   # a sliver from snapping: give it to the design cell it overlaps most
            cand = tree.query(f.buffer(SNAP))
            hit = [max(cand, key=lambda k: grids[k]["design"].intersection(f.buffer(SNAP)).area)]
        owner.append(int(hit[0]))
    log(f"noded partition: {len(faces)} faces for {len(grids)} grids")
    for gi, g in enumerate(grids):
        g["geom"] = shapely.coverage_union_all([f for f, o in zip(faces, owner) if o == gi])
    for ci, c in enumerate(comms):
        c["geom"] = shapely.coverage_union_all([g["geom"] for g in grids if g["comm"] == ci])
    for si, s in enumerate(subs):
        s["geom"] = shapely.coverage_union_all([c["geom"] for c in comms if c["sub"] == si])
    whole = shapely.coverage_union_all([s["geom"] for s in subs])
    for unit in grids + comms + subs + [dict(geom=whole)]:
        assert isinstance(unit["geom"], Polygon) and unit["geom"].is_valid, "unit is not one valid polygon"
    return whole


# ---------------------------------------------------------------- stage 6: WGS84, codes, sums

def assign_codes(whole, subs, comms, grids):
    """Codes follow GB/T 30428.1: 410105 + 3 sub-district + 3 village/community + 3 grid. Communities are
    001-199 and villages 201-399, each numbered north to south, west to east; grids likewise."""
    for u in subs + comms + grids:
        u["wgs"] = to_wgs(u["geom"])
        u["gk"] = to_gk(u["wgs"])
    for si, s in enumerate(subs):
        members = [c for c in comms if c["sub"] == si]
        cents = [c["gk"].centroid.coords[0] for c in members]
        counters = {"community": 0, "village": 200}
        for i in row_order(s["gk"], cents):
            c = members[i]
            counters[c["kind"]] += 1
            c["code"] = s["code"] + f"{counters[c['kind']]:03d}"
    for ci, c in enumerate(comms):
        members = [g for g in grids if g["comm"] == ci]
        for seq, i in enumerate(row_order(c["gk"], [g["gk"].centroid.coords[0] for g in members]), 1):
            members[i].update(code=c["code"] + f"{seq:03d}", name=f"{c['name']}第{seq}网格", comm_code=c["code"])
        c["households"] = sum(g["households"] for g in members)
        c["population"] = sum(g["population"] for g in members)
    for si, s in enumerate(subs):
        s["households"] = sum(c["households"] for c in comms if c["sub"] == si)
        s["population"] = sum(c["population"] for c in comms if c["sub"] == si)
    log("codes assigned, geometry in EPSG:4326 (7 decimals)")
    return to_wgs(whole)


# ---------------------------------------------------------------- stage 7: zones and compounds

def allot(rng, n_items, total, cap):
    """Split total into n_items integers in [1, cap] at random (each item draws extra slots)."""
    slots = np.repeat(np.arange(n_items), cap - 1)
    extra = rng.choice(len(slots), total - n_items, replace=False)
    return 1 + np.bincount(slots[extra], minlength=n_items)


def compound_shape(rng, cx, cy, scale):
    """A rectangle or L-shape 40-200 m a side, turned a little off the street grid."""
    w, h = rng.uniform(45, 160) * scale, rng.uniform(40, 130) * scale
    w, h = max(w, 40.0), max(h, 40.0)
    xy = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    if rng.random() < 0.3:                               # L-shape: cut one corner
        fx, fy = rng.uniform(0.35, 0.55, 2)
        xy = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2 - fy * h), (w / 2 - fx * w, h / 2 - fy * h),
              (w / 2 - fx * w, h / 2), (-w / 2, h / 2)]
    a = math.radians(rng.uniform(-12, 12))
    ca, sa = math.cos(a), math.sin(a)
    return Polygon([(round(cx + x * ca - y * sa, 2), round(cy + x * sa + y * ca, 2)) for x, y in xy])


def place_zone(rng, inner, placed, k):
    """k compounds near one centre, each inside one grid's inner buffer and >= 6 m from any other compound
    (so a zone's union is exactly its compounds). Shrinks them when a crowded community will not fit."""
    weights = np.array([g.area for g in inner]) / sum(g.area for g in inner)
    for attempt in range(300):
        gi = rng.choice(len(inner), p=weights)
        cx, cy = random_points_in(inner[gi], 1, rng)[0]
        scale = max(0.45, 1.0 - attempt / 150)
        got = []
        for tries in range(40 * k):
            r, t = (0.0, 0.0) if not got and tries == 0 else (rng.uniform(60, 260), rng.uniform(0, 2 * math.pi))
            shape = compound_shape(rng, cx + r * math.cos(t), cy + r * math.sin(t), scale)
            if any(shape.within(g) for g in inner) and all(shape.distance(o) > 6 for o in placed + got):
                got.append(shape)
                if len(got) == k:
                    return got
    raise RuntimeError("could not place a zone")


def build_zones(rng, subs, comms, grids):
    """281 zones of 644 unmanaged compounds, mostly in the old-city communities."""
    hosts = [ci for ci, c in enumerate(comms) if c["kind"] == "community"
             and rng.random() < subs[c["sub"]]["zone_weight"]]
    zones_per = allot(rng, len(hosts), 281, cap=4)
    compounds_per = allot(rng, 281, 644, cap=5)
    road_no, road_zones, zones, compounds, zi = {}, {}, [], [], 0
    for ci, nz in zip(hosts, zones_per):
        c, s = comms[ci], subs[comms[ci]["sub"]]
        inner = [g["geom"].buffer(-8) for g in grids if g["comm"] == ci]
        placed, local = [], []
        for _ in range(nz):
            shapes = place_zone(rng, inner, placed, int(compounds_per[zi]))
            placed += shapes
            road = min(rng.permutation(s["roads"]), key=lambda r: road_zones.get(r, 0))   # least-used road
            road_zones[road] = road_zones.get(road, 0) + 1
            local.append(dict(road=str(road), name=str(road) + ZONE_SUFFIX[road_zones[road] - 1] + "片区", shapes=shapes))
            zi += 1
        wgs = [to_wgs(MultiPolygon(z["shapes"])) for z in local]
        nseq = 0
        for zs, j in enumerate(row_order(c["gk"], [to_gk(w).centroid.coords[0] for w in wgs]), 1):
            z, zcode, parts = local[j], f"Z{c['code']}{zs:02d}", []
            for shape in z["shapes"]:
                nseq += 1
                road_no[z["road"]] = road_no.get(z["road"], 0) + int(rng.integers(1, 9))
                hh = int(np.clip(round(shape.area / 40 * rng.uniform(0.7, 1.3)), 20, 300))
                parts.append(to_wgs(shape))
                compounds.append(dict(code=f"C{c['code']}{nseq:03d}", name=f"{z['road']}{road_no[z['road']]}号院",
                                      community_code=c["code"], zone_code=zcode, households=hh,
                                      address=f"河南省郑州市金水区{z['road']}{road_no[z['road']]}号", geometry=parts[-1]))
            zones.append(dict(code=zcode, name=z["name"], community_code=c["code"],
                              households=sum(k["households"] for k in compounds[-len(parts):]),
                              geometry=MultiPolygon([p.geoms[0] for p in parts])))
    zones.sort(key=lambda z: z["code"])
    log(f"zones: {len(zones)} in {len(hosts)} communities, compounds: {len(compounds)}")
    return zones, compounds


# ---------------------------------------------------------------- stage 8: people

def person_names(rng, n, taken):
    out = []
    while len(out) < n:
        nm = str(rng.choice(N.SURNAMES)) + "".join(rng.choice(N.GIVEN, int(rng.choice([1, 2], p=[0.3, 0.7]))))
        if nm not in taken:
            taken.add(nm)
            out.append(nm)
    return out


def build_people(rng, subs, comms, zones):
    depts = [dict(code=f"D{i:02d}", name=nm, kind="district_department", subdistrict_code="")
             for i, nm in enumerate(N.DEPARTMENTS, 1)]
    depts += [dict(code="SD" + s["code"], name=s["name"] + "办事处", kind="subdistrict_office", subdistrict_code=s["code"])
              for s in subs]
    taken, phones = set(), set()
    names = person_names(rng, len(zones) * 5 + len(N.LEADER_TITLES), taken)
    cadres = []
    for z in zones:                                      # 2 of 5 from the zone's own sub-district office
        for k in range(5):
            dept = "SD" + z["community_code"][:9] if k < 2 else f"D{int(rng.integers(1, len(N.DEPARTMENTS) + 1)):02d}"
            phone = None
            while phone is None or phone in phones:
                phone = str(rng.choice(N.PHONE_PREFIXES)) + f"{int(rng.integers(0, 10 ** 8)):08d}"
            phones.add(phone)
            cadres.append(dict(code=f"GB{len(cadres) + 1:04d}", name=names[len(cadres)], department_code=dept,
                               zone_code=z["code"], phone=phone))
    codes = sorted(c["code"] for c in comms)
    sizes = 2 + allot(rng, len(N.LEADER_TITLES), len(codes) - 2 * len(N.LEADER_TITLES), cap=3)   # 3-5 each
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    leaders = [dict(code=f"LD{i + 1:02d}", name=names[len(cadres) + i], title=t,
                    branch_codes=",".join(codes[bounds[i]:bounds[i + 1]])) for i, t in enumerate(N.LEADER_TITLES)]
    log(f"departments: {len(depts)}, cadres: {len(cadres)}, leaders: {len(leaders)}")
    return depts, cadres, leaders


# ---------------------------------------------------------------- stage 9: work-unit offices and zone heads

DEPT_RADIUS_M = 2500.0        # district departments sit within this distance of the district's centre
DEPT_SPACING_M = 150.0        # ... and at least this far apart (separate buildings)
OFFICE_INSET_M = 250.0        # a sub-district office lies at least this far inside its sub-district
OFFICE_JITTER_M = 400.0       # ... within this distance of the sub-district's interior anchor


def place_offices(rng, district, subs, depts, cadres, zones):
    """Give every work unit an office point and every zone a head.

    Drawn from their own generator (seeded from SEED), after everything else, so adding them left every
    earlier layer byte-identical. District departments cluster around the district's centroid (the
    government quarter): uniform in a disc of DEPT_RADIUS_M, DEPT_SPACING_M apart, 300 m inside the outline.
    A sub-district office sits near its sub-district's interior anchor: the centroid when it lies well inside,
    else the pole of inaccessibility (the point farthest from the boundary), moved at random by up to
    OFFICE_JITTER_M while staying OFFICE_INSET_M inside. The zone head is one of the zone's cadres from its
    own sub-district office."""
    centre = np.array(district.centroid.coords[0])
    inside = district.buffer(-300.0)
    taken = []
    for d in depts:
        if d["kind"] != "district_department":
            continue
        while True:
            r, t = DEPT_RADIUS_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            p = Point(centre[0] + r * math.cos(t), centre[1] + r * math.sin(t))
            if inside.contains(p) and all(p.distance(q) >= DEPT_SPACING_M for q in taken):
                break
        taken.append(p)
        d["point"] = p
    by_code = {s["code"]: s for s in subs}
    for d in depts:
        if d["kind"] != "subdistrict_office":
            continue
        geom = by_code[d["subdistrict_code"]]["geom"]
        inner = geom.buffer(-OFFICE_INSET_M)
        anchor = geom.centroid if inner.contains(geom.centroid) else shapely.ops.polylabel(geom, tolerance=10.0)
        while True:
            r, t = OFFICE_JITTER_M * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            p = Point(anchor.x + r * math.cos(t), anchor.y + r * math.sin(t))
            if inner.contains(p):
                break
        d["point"] = p
    for d in depts:
        d["geometry"] = to_wgs_point(d["point"])
    from_office = {}
    for c in cadres:
        if c["department_code"] == "SD" + c["zone_code"][1:10]:
            from_office.setdefault(c["zone_code"], []).append(c["code"])
    heads = {}
    for z in zones:
        office = from_office[z["code"]]
        heads[z["code"]] = office[int(rng.integers(0, len(office)))]
    for c in cadres:
        c["head"] = int(heads[c["zone_code"]] == c["code"])
    log(f"offices: {len(depts)} points, zone heads: {len(heads)}")


# ---------------------------------------------------------------- stage 10: write

def write(out, district_wgs, subs, comms, grids, zones, compounds, depts, cadres, leaders):
    if os.path.exists(out):
        os.remove(out)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": OGR_DATE})

    def layer(name, rows, cols, geom="MultiPolygon"):
        df = pd.DataFrame([{k: r[k] for k in cols} for r in rows], columns=cols)
        if geom:
            df = gpd.GeoDataFrame(df, geometry=[r["geometry"] for r in rows], crs="EPSG:4326")
            pyogrio.write_dataframe(df, out, layer=name, driver="GPKG", geometry_type=geom)
        else:
            pyogrio.write_dataframe(df, out, layer=name, driver="GPKG")

    layer("district", [dict(code=N.DISTRICT_CODE, name=N.DISTRICT_NAME, geometry=district_wgs)], ["code", "name"])
    layer("subdistricts", [dict(s, geometry=s["wgs"]) for s in subs], ["code", "name", "households", "population"])
    crow = [dict(code=c["code"], name=c["name"], kind=c["kind"], subdistrict_code=subs[c["sub"]]["code"],
                 households=c["households"], population=c["population"], branch_name=c["name"] + "党支部",
                 demonstration=N.DEMONSTRATION.get(c["name"], ""), geometry=c["wgs"])
            for c in sorted(comms, key=lambda c: c["code"])]
    layer("communities", crow, ["code", "name", "kind", "subdistrict_code", "households", "population",
                                "branch_name", "demonstration"])
    grow = [dict(g, community_code=g["comm_code"], geometry=g["wgs"]) for g in sorted(grids, key=lambda g: g["code"])]
    layer("grids", grow, ["code", "name", "community_code", "households", "population"])
    layer("zones", zones, ["code", "name", "community_code", "households"])
    layer("compounds", sorted(compounds, key=lambda k: k["code"]),
          ["code", "name", "community_code", "zone_code", "households", "address"])
    layer("departments", depts, ["code", "name", "kind", "subdistrict_code"], geom="Point")
    layer("cadres", cadres, ["code", "name", "department_code", "zone_code", "phone", "head"], geom=False)
    layer("leaders", leaders, ["code", "name", "title", "branch_codes"], geom=False)
    log(f"wrote {out} ({os.path.getsize(out) / 1e6:.2f} MB)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "district.gpkg"))
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    district = district_outline(rng)
    log(f"district outline: {district.area / 1e6:.1f} km2, {len(district.exterior.coords)} vertices")
    subs, comms, grids = build_units(rng, district)
    whole = node_partition(subs, comms, grids)
    district_wgs = assign_codes(whole, subs, comms, grids)
    zones, compounds = build_zones(rng, subs, comms, grids)
    depts, cadres, leaders = build_people(rng, subs, comms, zones)
    place_offices(np.random.default_rng([SEED, 9]), whole, subs, depts, cadres, zones)
    write(args.out, district_wgs, subs, comms, grids, zones, compounds, depts, cadres, leaders)


if __name__ == "__main__":
    main()
