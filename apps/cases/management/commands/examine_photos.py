"""manage.py examine_photos: give stored photos without evidence facts their facts and checks (取证闭环)."""

import sys
from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from apps.cases import evidence
from apps.cases.models import Attachment, Case


class Command(BaseCommand):
    help = (
        "Read the stored file of every photo without evidence facts (stored before the checks existed; "
        "--all: every photo) and fill its perceptual hash, EXIF time and GPS; check handlers' and verifiers' "
        "photos against their case as an upload is checked, and add the failed checks to the case's flags. "
        "A missing or unreadable file is reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="examine every photo again, not only those without facts")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        photos = Attachment.objects.select_related("case", "event").order_by("pk")
        if not options["all"]:
            photos = photos.filter(exif="")
        ids = list(photos.values_list("pk", flat=True))
        examined, changed, flagged, cases_flagged, skipped = 0, 0, Counter(), set(), []
        with tqdm(total=len(ids), desc="examining photos", unit="photo", file=sys.stderr,
                  disable=options["verbosity"] < 1, leave=False) as bar:
            for start in range(0, len(ids), 500):
                for photo in photos.filter(pk__in=ids[start:start + 500]):
                    bar.update(1)
                    before = {name: getattr(photo, name if name != "similar_to" else "similar_to_id")
                              for name in evidence.FACT_FIELDS}
                    try:
                        problems = evidence.examine_stored(photo)
                    except evidence.UnreadablePhoto as exc:
                        skipped.append((photo, self._why(photo, exc)))
                        continue
                    examined += 1
                    flagged.update(dict.fromkeys(problems, 1))
                    after = {name: getattr(photo, name if name != "similar_to" else "similar_to_id")
                             for name in evidence.FACT_FIELDS}
                    if _same(before, after):
                        continue
                    changed += 1
                    if dry_run:
                        if any(code not in photo.case.evidence_flags for code in problems):
                            cases_flagged.add(photo.case_id)
                        continue
                    with transaction.atomic():
                        photo.save(update_fields=list(evidence.FACT_FIELDS))
                        # The case row's lock, as on the action path: no concurrent flag is lost.
                        case = Case.objects.select_for_update().get(pk=photo.case_id)
                        if evidence.flag_case(case, problems):
                            cases_flagged.add(case.pk)
        for photo, why in skipped:
            self.stderr.write(f"photo {photo.pk} of case {photo.case.number}: {photo.file.name or '(no file)'}: {why}")
        self._summary(examined, changed, flagged, cases_flagged, skipped, dry_run)

    @staticmethod
    def _why(photo, exc):
        if not photo.file.name:
            return "no file recorded"
        try:
            exists = photo.file.storage.exists(photo.file.name)
        except Exception:  # noqa: BLE001 - a storage that cannot answer is reported like a missing file
            exists = False
        if not exists:
            return "file missing"
        return f"file unreadable ({exc})"[:300]

    def _summary(self, examined, changed, flagged, cases_flagged, skipped, dry_run):
        would = "would be " if dry_run else ""
        missing = sum(1 for _photo, why in skipped if why in ("file missing", "no file recorded"))
        lines = [
            f"Examined {examined} photos; {changed} {would}updated, {examined - changed} already up to date.",
            f"Cases {would}newly flagged: {len(cases_flagged)}.",
        ]
        if flagged:
            lines.append("Photos flagged, by problem: " + ", ".join(
                f"{code} {flagged[code]}" for code in evidence.PROBLEMS if flagged[code]))
        else:
            lines.append("Photos flagged, by problem: none.")
        lines.append(f"Skipped: {missing} missing files, {len(skipped) - missing} unreadable files.")
        if dry_run:
            lines.append("Dry run: nothing written.")
        self.stdout.write("\n".join(lines))


def _same(before, after):
    """Whether two snapshots of a photo's facts agree (points compared by value)."""
    for name, old in before.items():
        new = after[name]
        if name == "taken_point":
            if (old is None) != (new is None) or (old is not None and not old.equals_exact(new, 1e-9)):
                return False
        elif old != new:
            return False
    return True
