"""Time left on a case's running deadline, in working days and hours as staff say them.

"超期 2120 小时" meant nothing to anyone; "超期 282 个工作日" does. The list rows
(apps/cases/rows.py) and CaseSerializer both send `time_left`, counted here on
the working calendar (apps/cases/calendar.py) so nights, weekends and holidays
do not count, and the pages only word it.
"""

from apps.cases.calendar import WorkingClock, split_working_hours

# The deadline that runs in each status: the department's while it holds the case, verification after.
HANDLE_RUNNING = frozenset({"dispatched", "handling", "return_requested", "extension_requested", "pending_requested"})
VERIFY_RUNNING = frozenset({"handled"})


def running_deadline(status, handle_deadline, verify_deadline):
    if status in HANDLE_RUNNING:
        return handle_deadline
    if status in VERIFY_RUNNING:
        return verify_deadline
    return None


def time_left(clock, now, status, handle_deadline, verify_deadline):
    """{"overdue", "days", "hours", "working_hours"} of the running deadline, or None when none runs.

    `clock` is a WorkingClock (or a Calendar, for one case). `working_hours` is
    signed (negative when overdue), to one decimal; `days` and `hours` are its
    spoken form (split_working_hours).
    """
    deadline = running_deadline(status, handle_deadline, verify_deadline)
    if deadline is None:
        return None
    if not isinstance(clock, WorkingClock):
        clock = WorkingClock(clock)
    calendar = clock.calendar
    left = clock.hours_between(now, deadline) if deadline >= now else -clock.hours_between(deadline, now)
    days, hours = split_working_hours(calendar, abs(left), day=clock.day_hours)
    return {"overdue": deadline < now, "days": days, "hours": hours, "working_hours": round(left, 1)}
