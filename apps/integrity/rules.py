"""The six signals: their codes, default thresholds, and the rule each states with its thresholds.

The defaults are what migration 0002 seeds; an administrator edits them in the
admin (SignalRule). `check_params` is the one validator of a rule's thresholds,
used by the admin form, so a rule in the database always has every key of its
defaults with a number in range.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# code -> {param: (default, minimum, maximum)}
PARAMS = {
    "photo_reused": {"max_bits": (6, 0, 20)},
    "photo_far": {"max_distance_m": (100, 1, 100000)},
    "photo_early": {"tolerance_minutes": (10, 0, 1440)},
    "reopen_churn": {"max_distance_m": (30, 1, 1000), "days": (7, 1, 60)},
    "fast_verification": {"min_distance_m": (200, 1, 100000), "max_speed_kmh": (30, 1, 1000)},
    "deadline_requests": {"last_share": (0.1, 0.01, 1), "flag_min_count": (10, 1, 100000),
                          "flag_min_share": (0.3, 0.0, 1)},
}
CODES = list(PARAMS)
DEFAULTS = {code: {key: spec[0] for key, spec in params.items()} for code, params in PARAMS.items()}

NAMES = {
    "photo_reused": gettext_lazy("Photos reused across cases"),
    "photo_far": gettext_lazy("Result photos taken far from the case"),
    "photo_early": gettext_lazy("Result photos taken before dispatch"),
    "reopen_churn": gettext_lazy("Close-and-reopen churn"),
    "fast_verification": gettext_lazy("Verifications faster than travel allows"),
    "deadline_requests": gettext_lazy("Extension and pending requests just before deadlines"),
}

# Each rule as readers see it, with its thresholds filled in.
RULE_TEXT = {
    "photo_reused": gettext_lazy(
        "A handler's result photo or a verifier's photo whose perceptual hash differs by at most %(max_bits)s "
        "bits (of 64) from a photo taken earlier on another case. The case is the one with the later photo."),
    "photo_far": gettext_lazy(
        "A handler's result photo whose EXIF position lies more than %(max_distance_m)s m from the case point."),
    "photo_early": gettext_lazy(
        "A handler's result photo whose EXIF time is more than %(tolerance_minutes)s minutes before the case was "
        "dispatched."),
    "reopen_churn": gettext_lazy(
        "A report (not rejected) of the same category within %(max_distance_m)s m of a case closed (verified or "
        "closed as special) in the %(days)s days before it. The case is the new report; the closed one is named "
        "beside it."),
    "fast_verification": gettext_lazy(
        "A verification (pass or fail) by the same verifier as their previous one, at a case point at least "
        "%(min_distance_m)s m from the previous case's, sooner than %(max_speed_kmh)s km/h allows (straight-line "
        "distance / time between the two verifications)."),
    "deadline_requests": gettext_lazy(
        "An extension or pending request made in the last %(last_share_pct)s%% of the handling window (working "
        "hours from dispatch to the deadline then in force) or after the deadline. A department or grid is "
        "flagged when it has at least %(flag_min_count)s such requests and they are at least "
        "%(flag_min_share_pct)s%% of its requests."),
}


class RuleError(ValueError):
    pass


def params_for(code, stored):
    """The thresholds to count by: the defaults, overridden by what the rule stores."""
    return {**DEFAULTS[code], **{key: value for key, value in (stored or {}).items() if key in DEFAULTS[code]}}


def check_params(code, params):
    """RuleError naming the threshold at fault unless `params` holds exactly this rule's keys, each a number in range."""
    if code not in PARAMS:
        raise RuleError(_("Unknown signal %(code)s: one of %(codes)s.") % {"code": code, "codes": ", ".join(CODES)})
    if not isinstance(params, dict):
        raise RuleError(_("The thresholds must be a JSON object, e.g. %(example)s.") % {"example": DEFAULTS[code]})
    unknown = sorted(set(params) - set(PARAMS[code]))
    missing = sorted(set(PARAMS[code]) - set(params))
    if unknown or missing:
        raise RuleError(_("The thresholds of %(code)s are %(keys)s (unknown: %(unknown)s; missing: %(missing)s).") % {
            "code": code, "keys": ", ".join(PARAMS[code]), "unknown": ", ".join(unknown) or "-",
            "missing": ", ".join(missing) or "-"})
    for key, (_default, low, high) in PARAMS[code].items():
        value = params[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise RuleError(_("%(key)s must be a number from %(low)s to %(high)s, got %(value)s.")
                            % {"key": key, "low": low, "high": high, "value": value})
    return params


def rule_text(code, params):
    values = dict(params)
    for key in ("last_share", "flag_min_share"):
        if key in values:
            values[f"{key}_pct"] = f"{100 * values[key]:g}"
    return str(RULE_TEXT[code]) % values


def threshold_text(params):
    return ", ".join(f"{key} = {value:g}" if isinstance(value, (int, float)) else f"{key} = {value}"
                     for key, value in params.items())
