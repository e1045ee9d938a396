"""What plan_zones and assign_cadres print: a report as a readable table, a progress bar on stderr."""

import sys

from tqdm import tqdm

ZONING_ROWS = [
    ("zones", "zones"),
    ("compounds", "compounds"),
    ("crossings", "zones crossing a community"),
    ("disconnected", "disconnected zones"),
    ("unassigned", "compounds in no zone"),
    ("empty", "empty zones"),
    ("load_min", "households, smallest zone"),
    ("load_max", "households, largest zone"),
    ("load_mean", "households, mean"),
    ("load_cv", "load coefficient of variation"),
    ("max_over_mean", "largest / mean"),
    ("lower_bound", "lower bound on the largest zone"),
    ("max_over_bound", "largest / lower bound"),
    ("mean_radius_m", "mean radius (m)"),
]
ASSIGNMENT_ROWS = [
    ("cadres", "cadres"),
    ("zones", "zones"),
    ("total_m", "total distance (m)"),
    ("mean_m", "mean distance (m)"),
    ("max_m", "longest distance (m)"),
    ("optimal", "optimal"),
    ("gap", "optimality gap"),
    ("greedy_total_m", "greedy baseline total (m)"),
    ("seconds", "seconds"),
]


def cell(value):
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows, columns):
    """rows: [(key, label)]; columns: [(title, dict)] -> aligned text."""
    lines = [[""] + [title for title, _values in columns]]
    lines += [[label] + [cell(values.get(key)) for _title, values in columns] for key, label in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(text.ljust(widths[0]) if i == 0 else text.rjust(widths[i]) for i, text in enumerate(line)))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


class Progress:
    """A tqdm bar on stderr fed by zoning's progress(done, total) callback."""

    def __init__(self, description, enabled=True, file=None):
        self.file = file or sys.stderr
        self.bar = None
        self.description = description
        self.enabled = enabled

    def __call__(self, done, total):
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.description, file=self.file, unit="part", leave=False)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()
