"""The input format of a district: its layers, their fields and code formats.

One table so that reading, validation, writing and export agree on names.
Code formats follow domain.md and the models' check constraints; the
max lengths mirror the models' fields (a test keeps them in step).
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LayerSpec:
    name: str
    spatial: bool
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Fields holding a whole number >= 0; an empty value counts as 0.
    counts: tuple[str, ...] = ()
    # Fields holding a yes/no flag: 1 or 0 (also true/false); an empty value counts as 0.
    flags: tuple[str, ...] = ()
    # A Point per feature, optional: the layer may also come as a plain table (or a CSV with
    # lon/lat columns). Only `departments`: a work unit's office location.
    points: bool = False

    @property
    def fields(self):
        return self.required + self.optional


LAYERS = {
    spec.name: spec
    for spec in (
        LayerSpec("district", True, ("code", "name")),
        LayerSpec(
            "subdistricts", True, ("code", "name"), ("households", "population"), ("households", "population")
        ),
        LayerSpec(
            "communities",
            True,
            ("code", "name", "kind", "subdistrict_code"),
            ("households", "population", "branch_name", "demonstration"),
            ("households", "population"),
        ),
        LayerSpec(
            "grids",
            True,
            ("code", "name", "community_code"),
            ("households", "population"),
            ("households", "population"),
        ),
        LayerSpec("zones", True, ("code", "name", "community_code"), ("households",), ("households",)),
        LayerSpec(
            "compounds",
            True,
            ("code", "name", "community_code", "zone_code"),
            ("households", "address"),
            ("households",),
        ),
        LayerSpec("departments", False, ("code", "name", "kind"), ("subdistrict_code",), points=True),
        LayerSpec(
            "cadres", False, ("code", "name", "department_code", "zone_code"), ("phone", "head"), flags=("head",)
        ),
        LayerSpec("leaders", False, ("code", "name", "branch_codes"), ("title",)),
    )
}
# Every layer but `district` must be there; without it the district is the
# union of the sub-districts.
OPTIONAL_LAYERS = frozenset({"district"})

# A table of points may give them as longitude/latitude columns (a CSV has no geometry of its
# own); their values are degrees in EPSG:4326 (CGCS2000 agrees to centimetres).
LONLAT_COLUMNS = ("lon", "lat")
FLAG_VALUES = {"": False, "0": False, "1": True, "false": False, "true": True}

# Shapefile (.dbf) field names hold at most 10 characters: `subdistrict_code`
# arrives as `subdistric`. Reading maps them back through this width.
DBF_NAME_WIDTH = 10

CODE_PATTERNS = {
    "district": re.compile(r"^[0-9]{6}$"),
    "subdistricts": re.compile(r"^[0-9]{6}0(0[1-9]|[1-9][0-9])$"),
    # Suffix ranges by kind are checked separately (community 001-199, village 200-399).
    "communities": re.compile(r"^[0-9]{9}[0-3][0-9][0-9]$"),
    "grids": re.compile(r"^[0-9]{12}(00[1-9]|0[1-9][0-9]|[1-9][0-9][0-9])$"),
    "zones": re.compile(r"^Z[0-9]{14}$"),
    "compounds": re.compile(r"^C[0-9]{15}$"),
    "departments": re.compile(r"^[A-Z][A-Z0-9]{1,19}$"),
    "cadres": re.compile(r"^GB[0-9]{4,18}$"),
    "leaders": re.compile(r"^LD[0-9]{2,18}$"),
}
CODE_FORMAT_HINTS = {
    "district": "6 digits",
    "subdistricts": "9 digits: district code + 001-099",
    "communities": "12 digits: sub-district code + 001-199 (community) or 200-399 (village)",
    "grids": "15 digits: community code + 001-999",
    "zones": "Z + community code + 2 digits",
    "compounds": "C + community code + 3 digits",
    "departments": "capital letter then capitals or digits, at most 20",
    "cadres": "GB + at least 4 digits",
    "leaders": "LD + at least 2 digits",
}
COMMUNITY_KIND_RANGES = {"community": range(1, 200), "village": range(200, 400)}
DEMONSTRATIONS = ("", "planned_five_star", "quasi_five_star")
DEPARTMENT_KINDS = ("district_department", "subdistrict_office")

MAX_LENGTHS = {
    ("district", "name"): 50,
    ("subdistricts", "name"): 50,
    ("communities", "name"): 50,
    ("communities", "branch_name"): 80,
    ("grids", "name"): 80,
    ("zones", "name"): 80,
    ("compounds", "name"): 80,
    ("compounds", "address"): 120,
    ("departments", "name"): 80,
    ("cadres", "name"): 50,
    ("cadres", "phone"): 20,
    ("leaders", "name"): 50,
    ("leaders", "title"): 80,
}

BRANCH_NAME_SUFFIX = "党支部"
# Leaders list their branches as community codes separated by commas
# (ASCII or full-width), semicolons or spaces.
BRANCH_CODES_SPLIT = re.compile(r"[,，;；\s]+")

CADRES_PER_ZONE = 5
# A child polygon may stick out of its parent by less than this many square
# metres (measured in EPSG:4547): slivers from digitising and reprojection.
CONTAINMENT_TOLERANCE_M2 = 1.0
# Two geometries closer than this (degrees, ~0.1 mm) count as unchanged on reload,
# so a file reprojected from another CRS does not rewrite every row.
GEOMETRY_TOLERANCE_DEG = 1e-9
MAX_PROBLEMS = 50
