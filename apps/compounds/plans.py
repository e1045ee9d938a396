"""The plan verbs under the one name `api_plans.py` still calls them by (`plans.<verb>`).

The code lives in `zone_plans.py`, `assignment_plans.py` and `plan_common.py`;
nothing else imports this module. It goes once `api_plans.py` calls those modules
directly (its body was being edited by another engineer when the split was made).
"""

from apps.compounds.assignment_plans import apply_assignment_plan, queue_assignment_plan
from apps.compounds.plan_common import OPEN, PlanError, discard_plan, scope_compounds, shape_of
from apps.compounds.zone_plans import (
    apply_zone_plan,
    community_by_code,
    diff_of,
    move_compound,
    queue_zone_plan,
    replan_community,
    resolve,
)

__all__ = [
    "OPEN", "PlanError", "apply_assignment_plan", "apply_zone_plan", "community_by_code", "diff_of", "discard_plan",
    "move_compound", "queue_assignment_plan", "queue_zone_plan", "replan_community", "resolve", "scope_compounds",
    "shape_of",
]
