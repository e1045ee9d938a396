"""Fixtures for the GIS import/export tests: the sample's layers, read once.

Bad inputs start from a copy of the real sample with one feature changed, so
every test runs the whole read -> validate -> write path.
"""

import gisio_helpers
import pyogrio
import pytest


@pytest.fixture(scope="session")
def sample_path():
    return gisio_helpers.SAMPLE


@pytest.fixture(scope="session")
def sample_layers(sample_path):
    """{layer: frame} read once from the sample; copy before changing."""
    return {str(name): pyogrio.read_dataframe(sample_path, layer=name) for name, _ in pyogrio.list_layers(sample_path)}
