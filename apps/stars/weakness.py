"""The weak-and-lax flag (软弱涣散) of a branch: set and cleared by the supervision app's plans.

`Branch.weak` is read by 支部过硬星's measured indicator; other apps change it
only through this verb, never by writing the row.
"""

from apps.stars.models import Branch


def set_weak(branch, weak):
    """Flag (`weak=True`) or clear the branch's weak-and-lax flag; True when it changed."""
    changed = Branch.objects.filter(pk=branch.pk).exclude(weak=weak).update(weak=weak)
    branch.weak = weak
    return bool(changed)
