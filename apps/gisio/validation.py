"""Check a read district completely before anything is written.

`validate(dataset)` returns clean records (codes, parsed numbers, MultiPolygons
in EPSG:4326) or raises GisInputError listing every problem found, each naming
the file, layer, feature (1-based), code and field.  Plain data only: no ORM.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point

from apps.gisio.problems import ProblemList
from apps.gisio.spec import (
    BRANCH_CODES_SPLIT,
    CADRES_PER_ZONE,
    CODE_FORMAT_HINTS,
    CODE_PATTERNS,
    COMMUNITY_KIND_RANGES,
    CONTAINMENT_TOLERANCE_M2,
    DEMONSTRATIONS,
    DEPARTMENT_KINDS,
    FLAG_VALUES,
    LAYERS,
    MAX_LENGTHS,
)

METRIC_SRID = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E: areas in square metres
_TO_METRIC = Transformer.from_crs(4326, METRIC_SRID, always_xy=True)
NOUNS = {"district": "district", "subdistricts": "sub-district", "communities": "community", "zones": "zone"}


@dataclass
class CleanLayer:
    name: str
    file: str
    records: list  # dicts: spec fields (numbers parsed) and "geom" for spatial layers
    columns: frozenset  # fields the file gave; the others keep their database values


def validate(dataset):
    """Return {layer name: CleanLayer} for `dataset`, or raise GisInputError."""
    checker = _Checker(dataset)
    clean = checker.run()
    checker.problems.raise_if_any()
    return clean


class _Checker:
    def __init__(self, dataset):
        self.dataset = dataset
        self.problems = ProblemList()
        self.first_index = {}  # layer -> {code: 0-based index of its first feature}
        self.records = {}  # layer -> list of records (None where the row is unusable)

    def add(self, layer, index, message, *, field=None, code=None):
        file = self.dataset.layers[layer].file
        feature = None if index is None else index + 1
        self.problems.add(file, layer, message, feature=feature, code=code, field=field)

    def run(self):
        for name, layer in self.dataset.layers.items():
            self.records[name] = self.check_rows(layer)
        self.check_district()
        self.check_communities()
        self.check_children("grids", "community_code", "communities", lambda code: code[:12])
        self.check_children("zones", "community_code", "communities", lambda code: code[1:13])
        self.check_children("compounds", "community_code", "communities", lambda code: code[1:13])
        self.check_compound_zones()
        self.check_departments()
        self.check_office_points()
        self.check_cadres()
        self.check_heads()
        self.check_offices_of_cadres()
        self.check_leaders()
        self.check_containment()
        clean = {}
        for name, records in self.records.items():
            layer = self.dataset.layers[name]
            clean[name] = CleanLayer(name, layer.file, [r for r in records if r is not None], layer.columns)
        return clean | self.derived_district()

    # -- one layer at a time -------------------------------------------------------------

    def check_rows(self, layer):
        spec = LAYERS[layer.name]
        pattern = CODE_PATTERNS[layer.name]
        seen = self.first_index.setdefault(layer.name, {})
        records = []
        for index, row in enumerate(layer.rows):
            code = row.get("code", "")
            record = {"code": code}
            usable = True
            if not code:
                self.add(layer.name, index, "code is empty", field="code")
                usable = False
            elif not pattern.match(code):
                self.add(
                    layer.name, index, f"code {code!r} is malformed; expected {CODE_FORMAT_HINTS[layer.name]}",
                    field="code", code=code,
                )
                usable = False
            elif code in seen:
                message = f"duplicate code (first at feature {seen[code] + 1})"
                self.add(layer.name, index, message, field="code", code=code)
                usable = False
            else:
                seen[code] = index
            for column in spec.fields:
                if column == "code" or column not in layer.columns:
                    continue
                value = row[column]
                if column in spec.counts:
                    if value == "":
                        value = 0
                    elif value.isdigit():
                        value = int(value)
                    else:
                        message = f"expected a whole number >= 0, got {value!r}"
                        self.add(layer.name, index, message, field=column, code=code)
                        usable = False
                elif column in spec.flags:
                    if value.lower() in FLAG_VALUES:
                        value = FLAG_VALUES[value.lower()]
                    else:
                        message = f"expected 1 (yes) or 0 (no), got {value!r}"
                        self.add(layer.name, index, message, field=column, code=code)
                        usable = False
                elif column == "name" and not value:
                    self.add(layer.name, index, "name is empty", field=column, code=code)
                    usable = False
                limit = MAX_LENGTHS.get((layer.name, column))
                if limit and len(str(value)) > limit:
                    self.add(layer.name, index, f"longer than {limit} characters", field=column, code=code)
                    usable = False
                record[column] = value
            if spec.spatial:
                geom = self.check_geometry(layer, index, code)
                usable = usable and geom is not None
                record["geom"] = geom
            elif spec.points and layer.geoms is not None:
                geom, ok = self.check_point(layer, index, code)
                usable = usable and ok
                record["geom"] = geom
            records.append(record if usable else None)
        return records

    def check_geometry(self, layer, index, code):
        geom = layer.geoms[index]
        if geom is None or geom.is_empty:
            self.add(layer.name, index, "geometry is missing or empty", field="geometry", code=code)
            return None
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            self.add(layer.name, index, f"expected a Polygon or MultiPolygon, got a {geom.geom_type}",
                     field="geometry", code=code)
            return None
        if not geom.is_valid:
            self.add(layer.name, index, f"invalid polygon: {shapely.is_valid_reason(geom)}",
                     field="geometry", code=code)
            return None
        return MultiPolygon([geom]) if geom.geom_type == "Polygon" else geom

    def check_point(self, layer, index, code):
        """(Point or None when the feature has none, whether the feature is usable)."""
        geom = layer.geoms[index]
        if geom is None or geom.is_empty:
            return None, True
        if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if geom.geom_type != "Point":
            self.add(layer.name, index, f"expected a Point (the office location), got a {geom.geom_type}",
                     field="geometry", code=code)
            return None, False
        return Point(geom.x, geom.y), True

    # -- references between layers -----------------------------------------------------

    def known(self, layer):
        return self.first_index.get(layer, {})

    def each(self, layer):
        """(index, record) for the usable records of `layer`."""
        return ((i, r) for i, r in enumerate(self.records.get(layer, [])) if r is not None)

    def reject(self, layer, index, message, *, field, code):
        """Drop the record from further checks; `message` None when its parent was already reported."""
        if message:
            self.add(layer, index, message, field=field, code=code)
        self.records[layer][index] = None

    def check_district(self):
        prefixes = Counter(r["code"][:6] for _, r in self.each("subdistricts"))
        if "district" in self.records:
            district = [r for _, r in self.each("district")]
            if len(self.records["district"]) != 1:
                self.add("district", None, f"expected exactly one feature, found {len(self.records['district'])}")
                return
            expected = district[0]["code"] if district else None
        else:
            if len(prefixes) > 1:
                shown = ", ".join(sorted(prefixes))
                message = f"codes start with several district codes ({shown}) and no district layer says which"
                self.add("subdistricts", None, message)
            return
        for index, record in self.each("subdistricts"):
            if expected and not record["code"].startswith(expected):
                self.reject("subdistricts", index, f"code does not start with the district code {expected}",
                            field="code", code=record["code"])

    def derived_district(self):
        """Without a district layer, the district is the union of its sub-districts."""
        if "district" in self.records or not self.records.get("subdistricts"):
            return {}
        subs = [r for _, r in self.each("subdistricts")]
        if not subs:
            return {}
        union = shapely.union_all([r["geom"] for r in subs])
        if union.geom_type == "Polygon":
            union = MultiPolygon([union])
        record = {"code": subs[0]["code"][:6], "geom": union}
        file = self.dataset.layers["subdistricts"].file
        return {"district": CleanLayer("district", file, [record], frozenset({"code"}))}

    def check_communities(self):
        subdistricts = self.known("subdistricts")
        for index, record in self.each("communities"):
            code = record["code"]
            kind = record.get("kind", "")
            parent = record.get("subdistrict_code", "")
            if kind not in COMMUNITY_KIND_RANGES:
                message = f"kind {kind!r} is not one of village, community"
                self.reject("communities", index, message, field="kind", code=code)
                continue
            span = COMMUNITY_KIND_RANGES[kind]
            if int(code[-3:]) not in span:
                message = f"a {kind} code ends in {span.start:03d}-{span.stop - 1:03d}, not {code[-3:]}"
                self.reject("communities", index, message, field="code", code=code)
            elif parent not in subdistricts:
                message = f"unknown sub-district code {parent!r}"
                self.reject("communities", index, message, field="subdistrict_code", code=code)
            elif code[:9] != parent:
                message = f"code does not start with its subdistrict_code {parent}"
                self.reject("communities", index, message, field="code", code=code)
            elif "demonstration" in record and record["demonstration"] not in DEMONSTRATIONS:
                allowed = ", ".join(d for d in DEMONSTRATIONS if d)
                self.reject("communities", index, f"{record['demonstration']!r} is not one of {allowed} or empty",
                            field="demonstration", code=code)

    def check_children(self, layer, field, parent_layer, parent_part):
        parents = self.usable_codes(parent_layer)
        for index, record in self.each(layer):
            code, parent = record["code"], record.get(field, "")
            if parent not in parents:
                message = self.reference_problem(parent_layer, parent, NOUNS[parent_layer])
                self.reject(layer, index, message, field=field, code=code)
            elif parent_part(code) != parent:
                self.reject(layer, index, f"code does not contain its {field} {parent}", field="code", code=code)

    def check_compound_zones(self):
        zones = {r["code"]: r for _, r in self.each("zones")}
        for index, record in self.each("compounds"):
            code, zone_code = record["code"], record.get("zone_code", "")
            zone = zones.get(zone_code)
            if zone is None:
                message = self.reference_problem("zones", zone_code, "zone")
                self.reject("compounds", index, message, field="zone_code", code=code)
            elif zone["community_code"] != record["community_code"]:
                self.reject("compounds", index, f"zone {zone_code} belongs to community {zone['community_code']}, "
                            f"not {record['community_code']}", field="zone_code", code=code)

    def check_departments(self):
        subdistricts = self.known("subdistricts")
        names, offices = {}, {}
        for index, record in self.each("departments"):
            code, kind = record["code"], record.get("kind", "")
            parent = record.get("subdistrict_code", "")
            if kind not in DEPARTMENT_KINDS:
                self.reject("departments", index, f"kind {kind!r} is not one of {', '.join(DEPARTMENT_KINDS)}",
                            field="kind", code=code)
            elif kind == "subdistrict_office" and parent not in subdistricts:
                self.reject("departments", index, f"unknown sub-district code {parent!r} for a sub-district office",
                            field="subdistrict_code", code=code)
            elif kind == "subdistrict_office" and parent in offices:
                self.reject("departments", index, f"sub-district {parent} already has an office ({offices[parent]})",
                            field="subdistrict_code", code=code)
            elif kind == "district_department" and parent:
                self.reject("departments", index, "a district department has no subdistrict_code",
                            field="subdistrict_code", code=code)
            elif record["name"] in names:
                message = f"duplicate name (also {names[record['name']]})"
                self.reject("departments", index, message, field="name", code=code)
            else:
                names[record["name"]] = code
                if kind == "subdistrict_office":
                    offices[parent] = code

    def check_office_points(self):
        """An office point lies inside its sub-district (an office) or the district (a district department)."""
        subdistricts = {r["code"]: r["geom"] for _, r in self.each("subdistricts")}
        district = next((r for _, r in self.each("district")), None)
        if district is None and "district" not in self.records and subdistricts:
            district = {"code": next(iter(subdistricts))[:6], "geom": shapely.union_all(list(subdistricts.values()))}
        for index, record in self.each("departments"):
            point, code = record.get("geom"), record["code"]
            if point is None:
                continue
            if record["kind"] == "subdistrict_office":
                parent = subdistricts.get(record["subdistrict_code"])
                where = f"its sub-district {record['subdistrict_code']}"
            else:
                parent = district and district["geom"]
                where = f"the district {district and district['code']}"
            if parent is None or parent.covers(point):
                continue
            distance = shapely.distance(*_metric(np.array([parent, point], dtype=object)))
            self.reject("departments", index, f"office location lies outside {where} by {distance:.0f} m",
                        field="geometry", code=code)

    def check_cadres(self):
        departments, zones = self.usable_codes("departments"), self.usable_codes("zones")
        leaders = self.known("leaders")
        for index, record in self.each("cadres"):
            code = record["code"]
            if code in leaders:
                self.reject("cadres", index, "code is also a leader's code", field="code", code=code)
            elif record["department_code"] not in departments:
                message = self.reference_problem("departments", record["department_code"], "department")
                self.reject("cadres", index, message, field="department_code", code=code)
            elif record["zone_code"] not in zones:
                message = self.reference_problem("zones", record["zone_code"], "zone")
                self.reject("cadres", index, message, field="zone_code", code=code)
        if "cadres" not in self.dataset.layers:
            return
        # Count every row of the file, rejected or not: the file's own count is what is wrong.
        per_zone = Counter(row.get("zone_code", "") for row in self.dataset.layers["cadres"].rows)
        for zone in sorted(self.known("zones")):
            if per_zone[zone] != CADRES_PER_ZONE:
                self.add("cadres", None, f"zone {zone} has {per_zone[zone]} cadre(s); each zone needs exactly "
                         f"{CADRES_PER_ZONE}", field="zone_code")

    def check_heads(self):
        """At most one head (片区长) a zone, and the head is from the zone's own sub-district office."""
        if not self.dataset.has("cadres", "head"):
            return
        zones = {r["code"]: r for _, r in self.each("zones")}
        offices = {r["subdistrict_code"]: r["code"] for _, r in self.each("departments")
                   if r["kind"] == "subdistrict_office"}
        heads = {}
        for index, record in self.each("cadres"):
            if not record["head"]:
                continue
            code, zone_code = record["code"], record["zone_code"]
            subdistrict = zones[zone_code]["community_code"][:9]
            office = offices.get(subdistrict)
            if office is None:
                self.reject("cadres", index, f"cadre is head of zone {zone_code}, but its sub-district {subdistrict} "
                            "has no office in the departments layer to take a head from", field="head", code=code)
            elif record["department_code"] != office:
                self.reject("cadres", index, f"cadre is head of zone {zone_code} but belongs to "
                            f"{record['department_code']}; a zone head comes from the zone's sub-district office "
                            f"{office}", field="head", code=code)
            elif zone_code in heads:
                first_code, first_index = heads[zone_code]
                self.reject("cadres", index, f"zone {zone_code} already has a head ({first_code}, feature "
                            f"{first_index + 1}); a zone has one head", field="head", code=code)
            else:
                heads[zone_code] = (code, index)

    def check_offices_of_cadres(self):
        """Cadres are assigned to zones near their work unit: a unit with cadres needs its office point."""
        if "cadres" not in self.dataset.layers:
            return
        has_cadres = {row.get("department_code", "") for row in self.dataset.layers["cadres"].rows}
        for index, record in self.each("departments"):
            code = record["code"]
            if code in has_cadres and record.get("geom") is None:
                self.add("departments", index, f"department {code} has cadres but no office location "
                         "(needed to assign cadres)", field="geometry", code=code)

    def reference_problem(self, layer, code, noun):
        """What is wrong with a reference to `code`; None if the row exists but was rejected (reported there)."""
        if code in self.known(layer):
            return None
        return f"unknown {noun} code {code!r}"

    def check_leaders(self):
        communities = self.known("communities")
        answered = {}
        for index, record in self.each("leaders"):
            code = record["code"]
            branches = [c for c in BRANCH_CODES_SPLIT.split(record.get("branch_codes", "")) if c]
            for branch in branches:
                if branch not in communities:
                    message = f"unknown branch (community) code {branch!r}"
                    self.reject("leaders", index, message, field="branch_codes", code=code)
                    break
                if branch in answered:
                    self.reject("leaders", index, f"branch {branch} is already answered for by {answered[branch]}",
                                field="branch_codes", code=code)
                    break
                answered[branch] = code
            else:
                record["branch_codes"] = sorted(branches)

    def usable_codes(self, layer):
        return {r["code"] for _, r in self.each(layer)}

    # -- geometry against geometry -------------------------------------------------------

    def check_containment(self):
        """A child sticking out of its parent by 1 m² or more (EPSG:4547) is an error."""
        pairs = [
            ("subdistricts", None, "district"),
            ("communities", "subdistrict_code", "subdistricts"),
            ("grids", "community_code", "communities"),
            ("zones", "community_code", "communities"),
            ("compounds", "community_code", "communities"),
        ]
        metric = {}
        for layer, field, parent_layer in pairs:
            parents = {r["code"]: r for _, r in self.each(parent_layer)}
            def parent_of(record, field=field):
                return record[field] if field else record["code"][:6]

            rows = [(i, r) for i, r in self.each(layer) if parent_of(r) in parents]
            if not rows:
                continue
            for name in (layer, parent_layer):
                if name not in metric:
                    codes, geoms = zip(*[(r["code"], r["geom"]) for _, r in self.each(name)], strict=True)
                    metric[name] = dict(zip(codes, _metric(np.array(geoms, dtype=object)), strict=True))
            child = np.array([metric[layer][r["code"]] for _, r in rows], dtype=object)
            parent = np.array([metric[parent_layer][parent_of(r)] for _, r in rows], dtype=object)
            outside = shapely.area(shapely.difference(child, parent))
            for (index, record), area in zip(rows, outside, strict=True):
                if area >= CONTAINMENT_TOLERANCE_M2:
                    message = f"polygon lies outside its {NOUNS[parent_layer]} {parent_of(record)} by {area:.1f} m²"
                    self.reject(layer, index, message, field="geometry", code=record["code"])


def _metric(geoms):
    return shapely.transform(geoms, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))

