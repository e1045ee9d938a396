"""Fixtures of the bulletin tests; the cast and the small fixture are in bl_cast.py."""

from bl_cast import cast, clock, fixture  # noqa: F401 (fixtures)
