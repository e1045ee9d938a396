"""The input format table agrees with the models, and reading maps file quirks onto it."""

import math

import numpy as np
import pytest

from apps.areas.models import Community, District, Grid, SubDistrict
from apps.compounds.models import CADRES_PER_ZONE, Compound, Zone
from apps.gisio import spec
from apps.gisio.reading import _column_names, _text
from apps.people.models import Department, Person
from apps.stars.models import Branch

MODEL_FIELDS = {
    ("district", "name"): (District, "name"),
    ("subdistricts", "name"): (SubDistrict, "name"),
    ("communities", "name"): (Community, "name"),
    ("communities", "branch_name"): (Branch, "name"),
    ("grids", "name"): (Grid, "name"),
    ("zones", "name"): (Zone, "name"),
    ("compounds", "name"): (Compound, "name"),
    ("compounds", "address"): (Compound, "address"),
    ("departments", "name"): (Department, "name"),
    ("cadres", "name"): (Person, "name"),
    ("cadres", "phone"): (Person, "phone"),
    ("leaders", "name"): (Person, "name"),
    ("leaders", "title"): (Person, "title"),
}


@pytest.mark.parametrize("key", sorted(MODEL_FIELDS))
def test_max_lengths_mirror_the_models(key):
    model, field = MODEL_FIELDS[key]
    assert spec.MAX_LENGTHS[key] == model._meta.get_field(field).max_length


def test_cadres_per_zone_is_the_programs():
    assert spec.CADRES_PER_ZONE == CADRES_PER_ZONE


def test_dbf_names_cut_to_ten_characters_are_restored():
    renames = _column_names(["CODE", "subdistric", "branch_nam", "geometry"], spec.LAYERS["communities"].fields)
    assert renames == {"CODE": "code", "subdistric": "subdistrict_code", "branch_nam": "branch_name"}


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (math.nan, ""), (np.float64(12.0), "12"), (np.int64(7), "7"), (" 经八路 ", "经八路"), (2.5, "2.5")],
)
def test_field_values_become_text(value, text):
    assert _text(value) == text
