"""manage.py load_district PATH: validate a district's GIS data, then upsert it in one transaction."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.gisio.problems import GisInputError
from apps.gisio.reading import read_dataset
from apps.gisio.validation import validate
from apps.gisio.writing import PruneRefused, load

STALE_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Load the district from a GeoPackage or a folder of Shapefile/GeoJSON/CSV files (one per layer). "
        "Everything is checked first; then all rows are written in one transaction, upserted by code. "
        "Rows the file no longer has are listed, and deleted only with --prune."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .gpkg file, or a folder with one file per layer")
        parser.add_argument(
            "--prune", action="store_true", help="delete rows the file no longer has (refused if anything uses them)"
        )

    def handle(self, path, prune=False, verbosity=1, **options):
        started = time.monotonic()
        progress = _progress_bars if verbosity >= 1 else None
        try:
            dataset = read_dataset(path, progress=progress)
            clean = validate(dataset)
            reports = load(clean, prune=prune, progress=progress)
        except GisInputError as exc:
            raise CommandError(exc.report()) from exc
        except PruneRefused as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            for name, layer in dataset.layers.items():
                if layer.crs and layer.crs != "EPSG:4326":
                    self.stdout.write(f"{layer.file} [{name}]: reprojected from {layer.crs} to EPSG:4326")
            for report in reports:
                self.stdout.write(_summary_line(report, prune))
            self.stdout.write(f"loaded {path} in {time.monotonic() - started:.1f} s")


def _summary_line(report, prune):
    parts = [f"{report.created} created", f"{report.updated} updated", f"{report.unchanged} unchanged"]
    if report.removed:
        parts.append(f"{report.removed} removed")
    if report.stale:
        shown = ", ".join(report.stale[:STALE_SHOWN]) + (" ..." if len(report.stale) > STALE_SHOWN else "")
        if prune:
            parts.append(f"{report.deleted} deleted (not in the file: {shown})")
        else:
            parts.append(f"{len(report.stale)} not in the file, kept (use --prune to delete): {shown}")
    return f"{report.layer}: " + ", ".join(parts)


def _progress_bars(layer, total):
    return tqdm(total=total, desc=layer, file=sys.stderr, unit="row", leave=False)
