"""Argument types the management commands share: a bad value is a CommandError naming the option."""

import datetime as dt

from django.core.management.base import CommandError


def parse_until(value):
    """`--until YYYY-MM-DD`, the exclusive end of the period a sample or simulation command fills."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until must be a date as YYYY-MM-DD, got {value!r}.") from None
