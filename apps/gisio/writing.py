"""Write a validated district in one transaction: upsert by code, prune only when asked.

Each model is synchronised the same way: fetch the existing rows once into a
dict keyed by code, compare field by field, then bulk_create the new rows and
bulk_update the changed ones (no query per row).  Fields the file does not
carry (a person's login and grids, a branch's `weak` flag, an optional column
left out of the file) keep their database values.
"""

from dataclasses import dataclass, field

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from apps.areas.layerversion import bump_layer_version
from apps.areas.models import SRID, Community, District, Grid, SubDistrict
from apps.compounds.models import Compound, Zone, ZoneAssignment
from apps.gisio.problems import ProblemList
from apps.gisio.spec import BRANCH_NAME_SUFFIX, GEOMETRY_TOLERANCE_DEG
from apps.people.models import Department, Person, Role
from apps.stars.models import Branch

BATCH = 500


@dataclass
class LayerReport:
    layer: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # assignments dropped because the file moved a cadre
    stale: list = field(default_factory=list)  # codes in the database but not in the file
    deleted: int = 0


class PruneRefused(Exception):
    """Rows that --prune would delete are still used elsewhere."""


def load(clean, *, prune=False, progress=None):
    """Upsert the clean layers (from validation.validate) and return one LayerReport per layer.

    1. Check the rows the file would collide with in the database (people of
       another role, department names and offices held by other codes).
    2. In one transaction, synchronise parents before children so that each
       layer can map its parent codes to ids with one query.
    3. With `prune`, delete rows the file no longer has, children first; a row
       something else still protects refuses the whole load.
    """
    progress = progress or _silent
    check_database_conflicts(clean)
    writer = _Writer(clean, progress)
    with transaction.atomic():
        writer.run()
        if prune:
            writer.prune()
        bump_layer_version()  # bulk writes send no signals; the map layers' caches key on this
    return writer.reports


def check_database_conflicts(clean):
    problems = ProblemList()
    expected_role = {r["code"]: Role.LEADER for r in clean["leaders"].records}
    expected_role |= {r["code"]: Role.ZONE_CADRE for r in clean["cadres"].records}
    for code, role in Person.objects.filter(code__in=list(expected_role)).values_list("code", "role"):
        if role != expected_role[code]:
            layer = "leaders" if expected_role[code] == Role.LEADER else "cadres"
            message = f"code is already used by a person with role {role}"
            problems.add(clean[layer].file, layer, message, code=code, field="code")
    departments = clean["departments"]
    codes = {r["code"] for r in departments.records}
    names = {r["name"]: r["code"] for r in departments.records}
    offices = {r["subdistrict_code"]: r["code"] for r in departments.records if r.get("subdistrict_code")}
    others = Department.objects.exclude(code__in=codes).values_list("code", "name", "subdistrict__code")
    for other, name, subdistrict in others:
        if name in names:
            message = f"name is already used by department {other} in the database"
            problems.add(departments.file, "departments", message, code=names[name], field="name")
        if subdistrict in offices:
            message = f"sub-district {subdistrict} already has office {other} in the database"
            problems.add(departments.file, "departments", message, code=offices[subdistrict], field="subdistrict_code")
    problems.raise_if_any()


# The model field a layer's geometry goes to, where it is not `geom`.
GEOMETRY_FIELDS = {"departments": "office_point"}

# Per layer, the record fields copied as they are onto the model's fields of the same name.
COPIED = {
    "district": ["name"],
    "subdistricts": ["name", "households", "population"],
    "communities": ["name", "kind", "households", "population"],
    "grids": ["name", "households", "population"],
    "zones": ["name", "households"],
    "compounds": ["name", "address", "households"],
    "departments": ["name", "kind"],
    "leaders": ["name", "title"],
    "cadres": ["name", "phone"],
}


class _Writer:
    def __init__(self, clean, progress):
        self.clean = clean
        self.progress = progress
        self.reports = []
        self.ids = {}  # layer -> {code: id}, filled as each layer is written

    def run(self):
        ids = self.ids
        self.sync_layer("district", District, lambda r: {})
        self.sync_layer("subdistricts", SubDistrict, lambda r: {"district_id": ids["district"][r["code"][:6]]})
        self.sync_layer(
            "communities", Community, lambda r: {"subdistrict_id": ids["subdistricts"][r["subdistrict_code"]]}
        )
        self.sync_layer("grids", Grid, lambda r: {"community_id": ids["communities"][r["community_code"]]})
        self.sync_layer(
            "departments", Department, lambda r: {"subdistrict_id": ids["subdistricts"].get(r.get("subdistrict_code"))}
        )
        self.sync_people("leaders", Role.LEADER, lambda r: {})
        self.sync_branches()
        self.sync_layer("zones", Zone, lambda r: {"community_id": ids["communities"][r["community_code"]]})
        self.sync_layer("compounds", Compound, lambda r: {
            "community_id": ids["communities"][r["community_code"]],
            "zone_id": ids["zones"][r["zone_code"]],
        })
        self.sync_people(
            "cadres", Role.ZONE_CADRE, lambda r: {"department_id": ids["departments"][r["department_code"]]}
        )
        self.sync_assignments()

    # -- one layer each ------------------------------------------------------------------

    def values(self, layer, record, links):
        """The model's field values for `record`: copied fields the file has, links to parents, geometry."""
        values = {name: record[name] for name in COPIED[layer] if name in record} | links(record)
        if "geom" in record:
            values[GEOMETRY_FIELDS.get(layer, "geom")] = record["geom"]
        return values

    def sync_layer(self, layer, model, links):
        wanted = {r["code"]: self.values(layer, r, links) for r in self.clean[layer].records}
        # A district loaded without a district layer has no name of its own: use its code.
        defaults = {"name": next(iter(wanted), "")} if model is District else {}
        self.sync(layer, model, "code", wanted, model.objects.all(), defaults=defaults)
        self.ids[layer] = dict(model.objects.values_list("code", "id"))

    def sync_people(self, layer, role, links):
        wanted = {r["code"]: self.values(layer, r, links) | {"role": role} for r in self.clean[layer].records}
        codes = list(wanted)
        report = self.sync(layer, Person, "code", wanted, Person.objects.filter(code__in=codes))
        report.stale = sorted(Person.objects.filter(role=role).exclude(code__in=codes).values_list("code", flat=True))
        self.ids[layer] = dict(Person.objects.filter(code__in=codes).values_list("code", "id"))

    def sync_branches(self):
        leader_of = {}
        for leader in self.clean["leaders"].records:
            for community in leader["branch_codes"]:
                leader_of[community] = self.ids["leaders"][leader["code"]]
        communities = self.ids["communities"]
        wanted = {}
        for record in self.clean["communities"].records:
            values = {
                "name": record.get("branch_name") or record["name"] + BRANCH_NAME_SUFFIX,
                "leader_id": leader_of.get(record["code"]),
            }
            if "demonstration" in record:
                values["demonstration"] = record["demonstration"]
            wanted[communities[record["code"]]] = values
        report = self.sync("branches", Branch, "community_id", wanted, Branch.objects.all(), stale_codes=False)
        report.stale = sorted(
            Branch.objects.exclude(community_id__in=list(wanted)).values_list("community__code", flat=True)
        )

    def sync_assignments(self):
        """The cadres layer says who works each zone and who heads it: add what it lists, drop what it
        no longer does, set the head flags.

        Without a `head` column the file says nothing about heads: new assignments are not heads and
        existing ones keep their flag unless the file moved the head's cadre out of the zone's
        sub-district office. The one-head-per-zone index is checked row by row, so old heads are
        cleared before new ones are set.
        """
        zones, cadres = self.ids["zones"], self.ids["cadres"]
        records = self.clean["cadres"].records
        wanted = {(zones[r["zone_code"]], cadres[r["code"]]) for r in records}
        rows = ZoneAssignment.objects.filter(zone_id__in=list({zone for zone, _ in wanted}))
        existing = {(zone, cadre): (pk, is_head) for pk, zone, cadre, is_head in
                    rows.values_list("pk", "zone_id", "cadre_id", "is_head")}
        if "head" in self.clean["cadres"].columns:
            heads = {(zones[r["zone_code"]], cadres[r["code"]]) for r in records if r["head"]}
        else:
            office_of_zone = self.zone_offices()
            department_of = {cadres[r["code"]]: self.ids["departments"][r["department_code"]] for r in records}
            heads = {pair for pair, (_, is_head) in existing.items() if is_head and pair in wanted
                     and department_of[pair[1]] == office_of_zone.get(pair[0])}
        report = LayerReport("zone assignments")
        bar = self.progress(report.layer, len(wanted))
        dropped = [pk for pair, (pk, _) in existing.items() if pair not in wanted]
        for start in range(0, len(dropped), BATCH):
            ZoneAssignment.objects.filter(pk__in=dropped[start : start + BATCH]).delete()
        demoted = [pk for pair, (pk, is_head) in existing.items() if is_head and pair in wanted and pair not in heads]
        promoted = [pk for pair, (pk, is_head) in existing.items() if not is_head and pair in heads]
        for pks, flag in ((demoted, False), (promoted, True)):
            for start in range(0, len(pks), BATCH):
                ZoneAssignment.objects.filter(pk__in=pks[start : start + BATCH]).update(is_head=flag)
        new = [ZoneAssignment(zone_id=zone, cadre_id=cadre, is_head=(zone, cadre) in heads)
               for zone, cadre in sorted(wanted - existing.keys())]
        ZoneAssignment.objects.bulk_create(new, batch_size=BATCH)
        report.created, report.removed, report.updated = len(new), len(dropped), len(demoted) + len(promoted)
        report.unchanged = len(wanted) - len(new) - report.updated
        bar.update(len(wanted))
        bar.close()
        self.reports.append(report)

    def zone_offices(self):
        """{zone id: id of the office of the zone's sub-district} as the file leaves them."""
        offices = {r["subdistrict_code"]: self.ids["departments"][r["code"]] for r in self.clean["departments"].records
                   if r["kind"] == "subdistrict_office"}
        zones = self.ids["zones"]
        return {zones[r["code"]]: offices.get(r["community_code"][:9]) for r in self.clean["zones"].records}

    # -- the one comparison ---------------------------------------------------------------

    def sync(self, layer, model, key, wanted, queryset, *, defaults=None, stale_codes=True):
        """Create and update `model` rows so that row[key] -> values matches `wanted`."""
        report = LayerReport(layer)
        bar = self.progress(layer, len(wanted))
        existing = {getattr(obj, key): obj for obj in queryset}
        creates, updates, changed_fields = [], [], set()
        for code, values in wanted.items():
            obj = existing.get(code)
            if obj is None:
                fields = (defaults or {}) | {name: _db_value(value) for name, value in values.items()}
                creates.append(model(**{key: code}, **fields))
                continue
            changed = [name for name, value in values.items() if not _same(getattr(obj, name), value)]
            for name in changed:
                setattr(obj, name, _db_value(values[name]))
            if changed:
                updates.append(obj)
                changed_fields.update(changed)
            else:
                report.unchanged += 1
        for start in range(0, len(creates), BATCH):
            model.objects.bulk_create(creates[start : start + BATCH])
            bar.update(len(creates[start : start + BATCH]))
        for start in range(0, len(updates), BATCH):
            model.objects.bulk_update(updates[start : start + BATCH], sorted(changed_fields))
            bar.update(len(updates[start : start + BATCH]))
        bar.update(report.unchanged)
        bar.close()
        report.created, report.updated = len(creates), len(updates)
        if stale_codes:
            report.stale = sorted(code for code in existing if code not in wanted)
        self.reports.append(report)
        return report

    # -- --prune ----------------------------------------------------------------------------

    def prune(self):
        """Delete stale rows, children before parents; refuse if anything else still uses them."""
        report = {r.layer: r for r in self.reports}
        steps = [
            ("compounds", Compound.objects.filter(code__in=report["compounds"].stale)),
            ("zones", Zone.objects.filter(code__in=report["zones"].stale)),
            ("cadres", Person.objects.filter(role=Role.ZONE_CADRE, code__in=report["cadres"].stale)),
            ("branches", Branch.objects.filter(community__code__in=report["branches"].stale)),
            ("leaders", Person.objects.filter(role=Role.LEADER, code__in=report["leaders"].stale)),
            ("grids", Grid.objects.filter(code__in=report["grids"].stale)),
            ("departments", Department.objects.filter(code__in=report["departments"].stale)),
            ("communities", Community.objects.filter(code__in=report["communities"].stale)),
            ("subdistricts", SubDistrict.objects.filter(code__in=report["subdistricts"].stale)),
            ("district", District.objects.filter(code__in=report["district"].stale)),
        ]
        for layer, queryset in steps:
            if not report[layer].stale:
                continue
            try:
                _, counts = queryset.delete()
            except ProtectedError as exc:
                raise PruneRefused(_refusal(layer, report[layer].stale, exc.protected_objects)) from exc
            except RestrictedError as exc:
                raise PruneRefused(_refusal(layer, report[layer].stale, exc.restricted_objects)) from exc
            report[layer].deleted = counts.get(queryset.model._meta.label, 0)


def _refusal(layer, stale, blockers):
    users = sorted({f"{obj._meta.verbose_name} {obj}" for obj in blockers})
    shown = ", ".join(users[:10]) + (f" and {len(users) - 10} more" if len(users) > 10 else "")
    return f"cannot prune {layer} {', '.join(stale[:10])}: still used by {shown}; nothing was changed"


def _same(current, new):
    if isinstance(new, shapely.Geometry):
        if current is None:
            return False
        old = shapely.from_wkb(bytes(current.wkb))
        return bool(shapely.equals_exact(shapely.normalize(old), shapely.normalize(new), GEOMETRY_TOLERANCE_DEG))
    return current == new


def _db_value(value):
    if isinstance(value, shapely.Geometry):
        return GEOSGeometry(memoryview(shapely.to_wkb(value)), srid=SRID)
    return value


class _Silent:
    def update(self, n=1):
        pass

    def close(self):
        pass


def _silent(layer, total):
    return _Silent()
