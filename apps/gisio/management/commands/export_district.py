"""manage.py export_district OUT.gpkg: write the district in the format load_district reads."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.gisio.export import export_district


class Command(BaseCommand):
    help = "Export the district's layers (EPSG:4326) to a GeoPackage that load_district reads back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the .gpkg file to write (replaced if it exists)")

    def handle(self, out, verbosity=1, **options):
        if not out.lower().endswith(".gpkg"):
            raise CommandError(f"{out}: the output must be a .gpkg file")
        progress = None
        if verbosity >= 1:
            def progress(layer, total):
                return tqdm(total=total, desc=layer, file=sys.stderr, unit="row", leave=False)
        counts = export_district(out, progress=progress)
        if verbosity >= 1:
            for layer, count in counts.items():
                self.stdout.write(f"{layer}: {count} features")
            self.stdout.write(f"wrote {out}")
