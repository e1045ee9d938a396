"""Zoning drafts: make, edit, compare with the zones in force, apply (issue 9).

Applying is one transaction. A draft remembers a fingerprint of what was in force
when it was computed; apply locks the rows and refuses (409) a draft whose base
changed since, and (400) one that breaks a hard rule. Zone codes are stable: a
zone whose set of compounds did not change keeps its code and its row; a changed
or new zone gets a fresh code, and the zone in force it inherits most households
from hands it its name and its cadres. What was in force before is kept as a
superseded plan: the history. Shared pieces live in `plan_common.py`.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.areas.layerversion import bump_layer_version
from apps.areas.models import Community
from apps.compounds import zoning, zoning_district, zoning_report
from apps.compounds.models import CADRES_PER_ZONE, Compound, PlanStatus, Zone, ZoneAssignment, ZonePlan, ZonePlanItem
from apps.compounds.plan_common import (
    PlanConflict,
    PlanError,
    fingerprint,
    lock_ready,
    positive_int,
    scope_compounds,
    scope_zones,
    shape_of,
    to_metres,
)
from apps.compounds.signals import zones_replaced

DEFAULT_BAND = 200.0
MAX_BAND = 5000.0
HARD_RULES = ("crossing", "disconnected", "unassigned", "empty")
# New zones are named like the sample's (经五路片区): data in the district's language.
NEW_ZONE_NAME = "{}片区"
# Where a draft starts: a fresh plan by zoning.plan_zones, or the zones in force as
# they are (to hand-edit them: move one compound, re-plan one community).
STARTS = ("plan", "in_force")


# --- reading what is in force ------------------------------------------------


def membership_in_force(community):
    """{compound code: zone code} of the zones in force in the scope."""
    return dict(scope_compounds(community).values_list("code", "zone__code"))


def zones_fingerprint(community):
    return fingerprint(f"{c}={z}" for c, z in membership_in_force(community).items())


def read_sites(community):
    """The scope's compounds as zoning Sites (geometry in metres), in code order."""
    rows = scope_compounds(community).order_by("code").values_list("code", "community__code", "households", "geom")
    return [
        zoning_district.Site(
            code=code, community=community_code, households=households, geom=to_metres(shape_of(geom))
        )
        for code, community_code, households, geom in rows
    ]


# --- parameters ---------------------------------------------------------------


def clean_zone_params(params, community):
    """{"target", "cap", "band"} checked against the scope; PlanError names the field at fault.

    With neither a target nor a cap, the target is the number of zones in force in
    the scope: re-plan the same number of zones, better balanced.
    """
    start = params.get("start") or "plan"
    if start not in STARTS:
        raise PlanError(
            _("Field start must be one of %(choices)s, got %(value)s.")
            % {"choices": ", ".join(STARTS), "value": repr(start)[:40]},
            field="start",
        )
    target, cap = positive_int(params, "target"), positive_int(params, "cap")
    if target is not None and cap is not None:
        raise PlanError(_("Give either a target number of zones or a household cap, not both."), field="cap")
    band = params.get("band", DEFAULT_BAND)
    if band is None:
        band = DEFAULT_BAND
    if isinstance(band, bool) or not isinstance(band, int | float) or not 0 < band <= MAX_BAND:
        raise PlanError(
            _("Field band must be a distance in metres above 0 and at most %(max)s, got %(value)s.")
            % {"max": int(MAX_BAND), "value": repr(band)[:40]},
            field="band",
        )
    compounds = scope_compounds(community).count()
    where = community.name if community is not None else _("the district")
    if compounds == 0:
        raise PlanError(_("%(where)s has no unmanaged compounds to zone.") % {"where": where}, field="community")
    if target is None and cap is None:
        target = scope_zones(community).count() or 1
    if target is not None and target > compounds:
        raise PlanError(
            _("%(where)s has %(n)s compounds: it cannot make %(target)s zones.")
            % {"where": where, "n": compounds, "target": target},
            field="target",
        )
    if start == "in_force":
        target, cap = scope_zones(community).count() or 1, None
    return {"target": target, "cap": cap, "band": float(band), "start": start}


def community_by_code(code, communities=None):
    """The community with this 12-digit code (among `communities` if given); PlanError otherwise."""
    if not isinstance(code, str) or len(code) != 12 or not code.isdigit():
        raise PlanError(
            _("Field community must be a 12-digit community code, got %(value)s.") % {"value": repr(code)[:40]},
            field="community",
        )
    found = (communities if communities is not None else Community.objects.all()).filter(code=code).first()
    if found is None:
        error = PlanError(_("No community %(code)s in your area.") % {"code": code}, code="not_found",
                          field="community")
        error.status = 404
        raise error
    return found


# --- zone plans: make ---------------------------------------------------------


def queue_zone_plan(community, params, *, by):
    """A queued draft row (checked parameters); the Celery job computes it (tasks.run_zone_plan)."""
    return ZonePlan.objects.create(
        community=community, params=clean_zone_params(params, community), created_by=by,
        status=PlanStatus.QUEUED,
    )


def make_zone_plan(scope, params, *, by, progress=None):
    """Make and compute a draft now (the management command); all or nothing.

    `scope` is a Community or None (the district). On any refusal the transaction
    rolls back, so no row is left behind.
    """
    with transaction.atomic():
        plan = ZonePlan.objects.create(
            community=scope, params=clean_zone_params(params, scope), created_by=by, status=PlanStatus.RUNNING
        )
        compute_zone_plan(plan, progress=progress)
    return plan


def compute_zone_plan(plan, progress=None):
    """Run zoning for a RUNNING draft and store items, reports and the base fingerprint.

    1. read the scope's compounds (metres) and the membership in force;
    2. zoning.plan_zones (outside any lock: the job path runs it in autocommit, so
       progress updates are seen by the page while it computes);
    3. in one transaction, if the row is still RUNNING (not discarded meanwhile),
       write the items and mark it ready.
    Raises PlanError (the message names the community or compound at fault).
    """
    params = plan.params
    sites = read_sites(plan.community)
    in_force = membership_in_force(plan.community)
    try:
        report_in_force = zoning_report.evaluate(sites, in_force, band=params["band"])
        if params.get("start") == "in_force":
            labels = draft_keys_of(in_force, {site.code: site.community for site in sites})
            report = report_in_force
        else:
            result = zoning.plan_zones(
                sites, target=params.get("target"), cap=params.get("cap"), band=params["band"], progress=progress
            )
            labels, report = result.labels, result.report
    except zoning_district.ZoningError as exc:
        raise PlanError(str(exc), code="zoning") from None
    ids = dict(scope_compounds(plan.community).values_list("code", "pk"))
    with transaction.atomic():
        locked = ZonePlan.objects.select_for_update().filter(pk=plan.pk, status=PlanStatus.RUNNING).first()
        if locked is None:
            return None
        ZonePlanItem.objects.filter(plan=plan).delete()
        ZonePlanItem.objects.bulk_create(
            [ZonePlanItem(plan=plan, compound_id=ids[code], zone_key=key) for code, key in sorted(labels.items())]
        )
        plan.report = report if isinstance(report, dict) else report.as_dict()
        plan.report_in_force = report_in_force.as_dict()
        plan.base_fingerprint = fingerprint(f"{c}={z}" for c, z in in_force.items())
        plan.status, plan.progress, plan.error, plan.updated_at = PlanStatus.READY, 100, "", timezone.now()
        plan.save(update_fields=["report", "report_in_force", "base_fingerprint", "status", "progress", "error",
                                 "updated_at"])
    return plan


def draft_keys_of(in_force, community_of):
    """The zones in force as draft keys: "<community code>:NN", numbered in code order within each community."""
    numbers, keys = defaultdict(dict), {}
    for compound, zone_code in sorted(in_force.items(), key=lambda kv: (kv[1], kv[0])):
        community = community_of[compound]
        seen = numbers[community]
        seen.setdefault(zone_code, len(seen) + 1)
        keys[compound] = f"{community}:{seen[zone_code]:02d}"
    return keys


# --- zone plans: edit ---------------------------------------------------------

def plan_labels(plan):
    return dict(ZonePlanItem.objects.filter(plan=plan).values_list("compound__code", "zone_key"))


def _reevaluate(plan, labels, sites=None):
    sites = read_sites(plan.community) if sites is None else sites
    try:
        # The lower bound is for the zones the labelling has (a re-plan may change their number).
        return zoning_report.evaluate(sites, labels, band=plan.params["band"]).as_dict()
    except zoning_district.ZoningError as exc:
        raise PlanError(str(exc), code="zoning") from None


def move_compound(plan, compound, zone_key, *, by):
    """Put one compound of the draft in another draft zone of its own community; the report follows.

    `zone_key` is a key of the draft, or a new key of the same community
    ("<community code>:NN") to start a zone of its own.
    """
    with transaction.atomic():
        plan = lock_ready(ZonePlan, plan)
        item = ZonePlanItem.objects.filter(plan=plan, compound=compound).first()
        if item is None:
            raise PlanError(
                _("Compound %(code)s is not in this draft.") % {"code": compound.code}, field="compound"
            )
        community_code, _sep, seq = (zone_key or "").partition(":")
        if not (isinstance(zone_key, str) and seq.isdigit() and len(community_code) == 12):
            raise PlanError(
                _("Zone %(key)s is not a draft zone key (community code:number).") % {"key": str(zone_key)[:40]},
                field="zone",
            )
        own = compound.community.code
        if community_code != own:
            raise PlanError(
                _("Compound %(compound)s is in community %(community)s; zone %(zone)s is in another community, "
                  "and a zone never crosses a community.")
                % {"compound": compound.code, "community": compound.community.name, "zone": zone_key},
                code="crossing", field="zone",
            )
        if item.zone_key == zone_key:
            return plan
        item.zone_key = zone_key
        item.save(update_fields=["zone_key"])
        plan.report = _reevaluate(plan, plan_labels(plan))
        plan.updated_at = timezone.now()
        plan.save(update_fields=["report", "updated_at"])
    return plan


def replan_community(plan, community, zones, *, by):
    """Re-plan one community of the draft into `zones` zones; the other communities stay as drafted."""
    zones = positive_int({"zones": zones}, "zones")
    if zones is None:
        raise PlanError(_("Field zones is required: how many zones the community gets."), field="zones")
    with transaction.atomic():
        plan = lock_ready(ZonePlan, plan)
        if plan.community_id is not None and plan.community_id != community.pk:
            raise PlanError(
                _("Community %(name)s is outside this draft, which re-plans %(scope)s.")
                % {"name": community.name, "scope": plan.community.name},
                field="community",
            )
        sites = read_sites(plan.community)
        own = [site for site in sites if site.community == community.code]
        if zones > len(own):
            raise PlanError(
                _("%(where)s has %(n)s compounds: it cannot make %(target)s zones.")
                % {"where": community.name, "n": len(own), "target": zones},
                field="zones",
            )
        try:
            result = zoning.plan_zones(own, counts={community.code: zones}, band=plan.params["band"])
        except zoning_district.ZoningError as exc:
            raise PlanError(str(exc), code="zoning") from None
        ids = dict(Compound.objects.filter(community=community).values_list("code", "pk"))
        for code, key in result.labels.items():
            ZonePlanItem.objects.filter(plan=plan, compound_id=ids[code]).update(zone_key=key)
        plan.report = _reevaluate(plan, plan_labels(plan), sites)
        plan.updated_at = timezone.now()
        plan.save(update_fields=["report", "updated_at"])
    return plan


# --- zone plans: compare ------------------------------------------------------


@dataclass
class Resolution:
    """A draft set against the zones in force: which zones stay, which are new, which go."""

    # compound id -> row {id, code, name, households, community_id, community__code, zone_id, zone__code}
    compounds: dict
    keys: dict  # draft key -> [compound ids]
    codes: dict  # draft key -> the zone code it gets on apply
    origin: dict  # draft key -> the zone code in force it inherits most households from (or None)
    kept: list  # zone codes whose compounds are unchanged
    new: list  # draft keys that become new zones
    gone: list  # zone codes in force that are retired
    moved: list = field(default_factory=list)  # (compound row, from code, to key)

    @property
    def unchanged(self):
        return not self.new and not self.gone


def resolve(plan):
    """Match the draft's zones to the zones in force (one query for compounds, one for used codes).

    1. a draft zone with exactly the compounds of a zone in force keeps that zone;
    2. the other draft zones are paired one-to-one with the retired zones, largest
       shared household count first: the pair's new zone inherits the retired
       zone's name and cadres (and the compounds that did not move with it are "moved");
    3. each new zone gets the lowest free code Z<community code><NN> of its community.
    """
    rows = {
        row["id"]: row
        for row in scope_compounds(plan.community).values(
            "id", "code", "name", "households", "community_id", "community__code", "zone_id", "zone__code"
        )
    }
    keys = defaultdict(list)
    for compound_id, key in ZonePlanItem.objects.filter(plan=plan).values_list("compound_id", "zone_key"):
        keys[key].append(compound_id)
    in_force = defaultdict(set)
    for row in rows.values():
        in_force[row["zone__code"]].add(row["id"])
    origin, kept = {}, []
    for key, members in keys.items():
        code = rows[members[0]]["zone__code"]
        if in_force.get(code) == set(members):
            origin[key] = code
            kept.append(code)
    shared = defaultdict(int)
    for key, members in keys.items():
        if key in origin:
            continue
        for compound_id in members:
            shared[key, rows[compound_id]["zone__code"]] += rows[compound_id]["households"] or 1
    taken = set(kept)
    for (key, code), _households in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        if key not in origin and code not in taken:
            origin[key] = code
            taken.add(code)
    kept_set = set(kept)
    new = sorted(key for key in keys if origin.get(key) not in kept_set)
    codes = {key: origin[key] for key in keys if origin.get(key) in kept_set}
    community_of_key = {key: rows[members[0]]["community__code"] for key, members in keys.items()}
    used = used_zone_codes({community_of_key[k] for k in new})
    for key in new:
        prefix = f"Z{community_of_key[key]}"
        code = next((f"{prefix}{n:02d}" for n in range(1, 100) if f"{prefix}{n:02d}" not in used), None)
        if code is None:
            raise PlanError(
                _("Community %(community)s has no free zone code left (99 in use).")
                % {"community": community_of_key[key]},
                code="codes",
            )
        used.add(code)
        codes[key] = code
    gone = sorted(code for code in in_force if code not in kept)
    resolution = Resolution(rows, dict(keys), codes, origin, sorted(kept), new, gone)
    for key, members in keys.items():
        for compound_id in members:
            row = rows[compound_id]
            if origin.get(key) != row["zone__code"]:
                resolution.moved.append((row, row["zone__code"], key))
    resolution.moved.sort(key=lambda m: m[0]["code"])
    return resolution


def used_zone_codes(community_codes):
    """Codes of these communities' zones in force, and of their zones retired before (the history).

    A fresh code is never one a zone had before, so a code in an old report or
    export always means one zone.
    """
    if not community_codes:
        return set()
    prefixes = Q()
    for code in community_codes:
        prefixes |= Q(code__startswith=f"Z{code}")
    used = set(Zone.objects.filter(prefixes).values_list("code", flat=True))
    for outcome in ZonePlan.objects.filter(status=PlanStatus.SUPERSEDED).values_list("outcome", flat=True):
        used.update(code for code in (outcome or {}).get("zones", {}) if code[1:13] in community_codes)
    return used


def diff_of(resolution):
    return {
        "moved": [
            {"compound": row["code"], "name": row["name"], "from_zone": from_code, "to_zone": resolution.codes[key]}
            for row, from_code, key in resolution.moved
        ],
        "kept": resolution.kept,
        "new": resolution.new,
        "gone": resolution.gone,
    }


# --- zone plans: apply --------------------------------------------------------


def _union(geoms):
    merged = shapely.union_all([shape_of(g) for g in geoms])
    if merged.geom_type == "Polygon":
        merged = shapely.MultiPolygon([merged])
    elif merged.geom_type != "MultiPolygon":  # a GeometryCollection from touching edges: keep the areas
        merged = shapely.MultiPolygon(
            [p for part in shapely.get_parts(merged) for p in shapely.get_parts(part) if p.geom_type == "Polygon"]
        )
    return GEOSGeometry(memoryview(shapely.to_wkb(merged)), srid=4326)


def _hard_problems(report):
    return [p for p in report.get("problems", []) if p.get("rule") in HARD_RULES]


def apply_zone_plan(plan, *, by):
    """Put a ready draft in force, all or nothing; returns the plan (status applied, outcome filled).

    1. lock the draft and the scope's zones and compounds; 409 if the zones in
       force changed since the draft was computed, 400 if it breaks a hard rule
       (re-evaluated here, not trusted from the stored report);
    2. a draft equal to the zones in force changes nothing (outcome "unchanged");
    3. keep what is in force as a superseded plan (membership as items, zone
       names and cadres in its outcome);
    4. new zones (geometry = union of their compounds), kept zones' households,
       compounds' zones, cadres carried from each retired zone to the new zone that
       inherits most of its households (the others are released);
    5. `zones_replaced` so cases and patrols leave the retired zones, then delete
       them; bump the layer version so map caches and ETags change.
    """
    with transaction.atomic():
        plan = lock_ready(ZonePlan, plan)
        zones = scope_zones(plan.community)
        list(zones.select_for_update().values_list("pk", flat=True))
        list(scope_compounds(plan.community).select_for_update().values_list("pk", flat=True))
        if zones_fingerprint(plan.community) != plan.base_fingerprint:
            raise PlanConflict(
                _("The zones in force changed after draft %(id)s was made: make a new draft.") % {"id": plan.pk},
                code="zones_changed",
            )
        labels = plan_labels(plan)
        sites = read_sites(plan.community)
        missing = sorted(site.code for site in sites if site.code not in labels)
        if missing:
            raise PlanError(
                _("Compound %(code)s is in no zone of draft %(id)s.") % {"code": missing[0], "id": plan.pk},
                code="hard_rule",
            )
        report = _reevaluate(plan, labels, sites)
        problems = _hard_problems(report)
        if problems:
            raise PlanError(
                _("Draft %(id)s breaks a rule: %(problem)s") % {"id": plan.pk, "problem": problems[0]["message"]},
                code="hard_rule",
            )
        resolution = resolve(plan)
        now = timezone.now()
        if resolution.unchanged:
            outcome = {"unchanged": True, "kept": resolution.kept, "new": [], "retired": [], "carried": [],
                       "released": [], "short": _short_zones(plan.community)}
        else:
            outcome = _replace_zones(plan, resolution, by=by, now=now)
        plan.report, plan.outcome = report, outcome
        plan.status, plan.applied_by, plan.applied_at, plan.updated_at = PlanStatus.APPLIED, by, now, now
        plan.save(update_fields=["report", "outcome", "status", "applied_by", "applied_at", "updated_at"])
    return plan


def _snapshot_zones(plan, resolution, *, by, now):
    community_ids = {row["community_id"] for row in resolution.compounds.values()}
    zones = Zone.objects.filter(code__in=resolution.gone).values("code", "name", "community__code", "households")
    assignments = defaultdict(list)
    for zone_code, cadre_code, is_head in ZoneAssignment.objects.filter(zone__code__in=resolution.gone).values_list(
        "zone__code", "cadre__code", "is_head"
    ).order_by("zone__code", "-is_head", "cadre__code"):
        assignments[zone_code].append([cadre_code, is_head])
    snapshot = ZonePlan.objects.create(
        status=PlanStatus.SUPERSEDED, community=plan.community, created_by=by, created_at=now, updated_at=now,
        progress=100, params={"replaced_by": plan.pk, "communities": len(community_ids)},
        report=plan.report_in_force, base_fingerprint=plan.base_fingerprint,
        outcome={
            "zones": {z["code"]: {"name": z["name"], "community": z["community__code"], "households": z["households"]}
                      for z in zones},
            "assignments": dict(assignments),
        },
    )
    ZonePlanItem.objects.bulk_create(
        [ZonePlanItem(plan=snapshot, compound_id=row["id"], zone_key=row["zone__code"])
         for row in resolution.compounds.values()]
    )
    return snapshot


def _replace_zones(plan, resolution, *, by, now):
    snapshot = _snapshot_zones(plan, resolution, by=by, now=now)
    rows = resolution.compounds
    geoms = dict(scope_compounds(plan.community).values_list("pk", "geom"))
    in_force = {z.code: z for z in scope_zones(plan.community).only("pk", "code", "name", "community_id")}
    biggest = {}
    for key in resolution.new:
        members = resolution.keys[key]
        biggest[key] = max(members, key=lambda pk: (rows[pk]["households"], rows[pk]["code"]))
    created = Zone.objects.bulk_create([
        Zone(
            code=resolution.codes[key],
            community_id=rows[resolution.keys[key][0]]["community_id"],
            name=(in_force[resolution.origin[key]].name if resolution.origin.get(key) in in_force
                  else NEW_ZONE_NAME.format(rows[biggest[key]]["name"]))[:80],
            households=sum(rows[pk]["households"] for pk in resolution.keys[key]),
            geom=_union([geoms[pk] for pk in resolution.keys[key]]),
        )
        for key in resolution.new
    ])
    new_ids = dict(Zone.objects.filter(code__in=[z.code for z in created]).values_list("code", "pk"))
    kept_households = dict(Zone.objects.filter(code__in=resolution.kept).values_list("code", "households"))
    for key in resolution.keys:
        code = resolution.codes[key]
        households = sum(rows[pk]["households"] for pk in resolution.keys[key])
        if key in resolution.new:
            Compound.objects.filter(pk__in=resolution.keys[key]).update(zone_id=new_ids[code])
        elif kept_households[code] != households:  # same compounds, households edited since
            Zone.objects.filter(code=code).update(households=households)
    carried, released = [], []
    retired_ids = [in_force[code].pk for code in resolution.gone]
    heir = {resolution.origin[key]: key for key in resolution.new if resolution.origin.get(key) in resolution.gone}
    # A retired zone that shares no compound with a new zone still hands its cadres to
    # a new zone of the same community that inherited none: the cadres stay in the
    # neighbourhood they know rather than waiting for the assignment step.
    orphans = [key for key in resolution.new if key not in heir.values()]
    for code in resolution.gone:
        if code in heir:
            continue
        same = next((k for k in orphans if rows[resolution.keys[k][0]]["community_id"] == in_force[code].community_id),
                    None)
        if same is not None:
            heir[code] = same
            orphans.remove(same)
    for code in resolution.gone:
        cadres = ZoneAssignment.objects.filter(zone_id=in_force[code].pk)
        if code in heir:
            to = resolution.codes[heir[code]]
            n = cadres.update(zone_id=new_ids[to])
            carried.append({"from": code, "to": to, "cadres": n})
        else:
            released += list(cadres.values_list("cadre__code", flat=True))
    zones_replaced.send(sender=ZonePlan, retired=retired_ids, zones=Zone.objects.exclude(pk__in=retired_ids))
    Zone.objects.filter(pk__in=retired_ids).delete()
    bump_layer_version()  # bulk writes above send no signal
    return {
        "unchanged": False,
        "history": snapshot.pk,
        "kept": resolution.kept,
        "new": sorted(new_ids),
        "retired": resolution.gone,
        "carried": carried,
        "released": sorted(released),
        "short": _short_zones(plan.community),
    }


def _short_zones(community):
    """Zones of the scope with fewer than five cadres: the work left for the assignment step."""
    counts = scope_zones(community).annotate(n=Count("assignments")).filter(n__lt=CADRES_PER_ZONE)
    return [{"zone": code, "cadres": n} for code, n in counts.order_by("code").values_list("code", "n")]
