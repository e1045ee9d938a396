"""Fixtures of the supervision tests; the cast itself is in sv_cast.py (imported by tests for NOW and png)."""

from sv_cast import cast, clock  # noqa: F401 (fixtures)
