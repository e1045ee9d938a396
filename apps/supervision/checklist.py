"""The 四议两公开一监督 checklist: what a recorded matter got wrong, as plain data (no ORM).

审议 (the party members' meeting) passes with at least two thirds of the
branch's party members attending and more than half of those attending
approving; both are computed from the counts, in integers (no rounding:
3 * attending >= 2 * members, 2 * approving > attending).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The six steps in the order they must be held, then the oversight.
STEPS = ("proposed", "discussed", "reviewed", "resolved", "resolution_public", "results_public")
STEP_MESSAGES = {
    "proposed": _("提议: the branch committee did not propose the matter."),
    "discussed": _("商议: the branch and village committees did not discuss it together."),
    "reviewed": _("审议: no party members' meeting reviewed it."),
    "quorum": _("审议: fewer than two thirds of the party members attended (%(attending)s of %(members)s)."),
    "majority": _("审议: not more than half of those attending approved (%(approving)s of %(attending)s)."),
    "resolved": _("决议: no villagers' (representatives') meeting resolved it."),
    "resolution_public": _("The resolution was not made public."),
    "results_public": _("The results were not made public."),
    "order": _("The steps were not held in the prescribed order."),
    "supervised": _("The village affairs supervision committee did not oversee it."),
}


@dataclass(frozen=True)
class Answers:
    proposed: bool
    discussed: bool
    reviewed: bool
    party_members: int
    attending: int
    approving: int
    resolved: bool
    resolution_public: bool
    results_public: bool
    in_order: bool
    supervised: bool


def quorum_met(members, attending):
    """At least 2/3 of the party members attended."""
    return members > 0 and 3 * attending >= 2 * members


def majority_met(attending, approving):
    """More than half of those attending approved."""
    return attending > 0 and 2 * approving > attending


def count_errors(answers):
    """{field: message} for counts that cannot be true (nothing is recorded then)."""
    errors = {}
    if answers.reviewed and answers.party_members <= 0:
        errors["party_members"] = _("Give the number of the branch's party members for the 审议 meeting.")
    if answers.attending > answers.party_members:
        errors["attending"] = _("More party members attending (%(a)s) than the branch has (%(m)s).") % {
            "a": answers.attending, "m": answers.party_members}
    if answers.approving > answers.attending:
        errors["approving"] = _("More party members approving (%(p)s) than attending (%(a)s).") % {
            "p": answers.approving, "a": answers.attending}
    return errors


def problems(answers):
    """[(step code, message)] of what the matter got wrong, in checklist order; [] when all is right."""
    found = []
    counts = {"members": answers.party_members, "attending": answers.attending, "approving": answers.approving}
    for step in STEPS:
        if not getattr(answers, step):
            found.append((step, str(STEP_MESSAGES[step])))
        elif step == "reviewed":
            if not quorum_met(answers.party_members, answers.attending):
                found.append(("quorum", str(STEP_MESSAGES["quorum"]) % counts))
            if not majority_met(answers.attending, answers.approving):
                found.append(("majority", str(STEP_MESSAGES["majority"]) % counts))
    all_held = all(getattr(answers, step) for step in STEPS)
    if all_held and not answers.in_order:
        found.append(("order", str(STEP_MESSAGES["order"])))
    if not answers.supervised:
        found.append(("supervised", str(STEP_MESSAGES["supervised"])))
    return found
