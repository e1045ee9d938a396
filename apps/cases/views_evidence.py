"""The case page's evidence panel (取证闭环): report photos beside result and verification photos.

Shown to the verifier (a grid worker who may verify the case) and to the
dispatch and oversight side (dispatchers, leaders, administrators), who decide
on a flagged case; each photo with its EXIF time, distance from the case point,
"no EXIF" marking and the checks it failed. A near-duplicate links to the other
case only when the viewer may open it (apps/cases/evidence.similar_cases_for).
"""

from django.urls import reverse

from apps.cases.evidence import CHECKED_ACTIONS, PROBLEMS, similar_cases_for
from apps.cases.models import ExifState, Status
from apps.cases.serializers import ACTION_LABELS
from apps.cases.workflow import available, may_act
from apps.people.models import Role

OVERSIGHT_ROLES = (Role.DISPATCHER, Role.LEADER, Role.ADMINISTRATOR)


def sees_evidence(user, person, case):
    if user.is_superuser:
        return True
    if person is None:
        return False
    return person.role in OVERSIGHT_ROLES or may_act(person, case, "verify_pass")


def evidence_panel(case, events, user, person):
    """The panel's context, or None when the viewer is not one it is for or the case has no photos.

    `events` are the case's events with their attachments prefetched.
    """
    if not sees_evidence(user, person, case):
        return None
    before, after = [], []
    for event in events:
        for photo in event.attachments.all():
            if event.action == "report":
                before.append((event, photo))
            elif event.action in CHECKED_ACTIONS:
                after.append((event, photo))
    if not before and not after:
        return None
    similar = similar_cases_for(user, [p for _e, p in before + after])
    send_back = None
    if case.status == Status.HANDLED and available(case, "send_back") and may_act(person, case, "send_back"):
        send_back = {"url": reverse("api-case-action", args=[case.number, "send_back"]), "version": case.version}
    return {
        "flags": [{"code": code, "label": PROBLEMS.get(code, code)} for code in case.evidence_flags],
        "before": [_item(case, event, photo, similar) for event, photo in before],
        "after": [_item(case, event, photo, similar) for event, photo in after],
        "send_back": send_back,
    }


def _item(case, event, photo, similar):
    other = similar.get(photo.similar_to_id) if photo.similar_to_id else None
    return {
        "url": reverse("api-case-photo", args=[case.number, photo.pk]),
        "event": ACTION_LABELS.get(event.action, event.action),
        "at": event.at,
        "exif": photo.exif,
        "no_exif": photo.exif == ExifState.NONE,
        "exif_label": ExifState(photo.exif).label if photo.exif else "",
        "exif_note": photo.exif_note,
        "taken_at": photo.taken_at,
        "distance_m": round(photo.distance_m) if photo.distance_m is not None else None,
        "problems": [{"code": code, "label": PROBLEMS.get(code, code)} for code in photo.problems],
        "similar_case": other,
        "similar_url": reverse("case-page", args=[other]) if other else None,
        "similar_hidden": bool(photo.similar_to_id) and other is None,
        "similar_bits": photo.similar_bits,
    }
