"""What is wrong with an input, said so that an administrator can find it in the file."""

from dataclasses import dataclass

from apps.gisio.spec import MAX_PROBLEMS


@dataclass(frozen=True)
class Problem:
    file: str
    layer: str | None  # None for problems with the file or folder itself
    message: str
    feature: int | None = None  # 1-based, in file order
    code: str | None = None
    field: str | None = None

    def __str__(self):
        where = [self.file] + ([f"layer {self.layer}"] if self.layer else [])
        if self.feature is not None:
            where.append(f"feature {self.feature}" + (f" (code {self.code})" if self.code else ""))
        elif self.code:
            where.append(f"code {self.code}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


class GisInputError(Exception):
    """The input cannot be loaded; `problems` says every reason found (up to a cap)."""

    def __init__(self, problems, *, total=None):
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        super().__init__(self.report())

    def report(self):
        lines = [f"{self.total} problem(s) found; nothing was loaded:"]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        return "\n".join(lines)


class ProblemList:
    """Collects problems, keeping the first MAX_PROBLEMS and counting the rest."""

    def __init__(self, limit=MAX_PROBLEMS):
        self.limit = limit
        self.items = []
        self.total = 0

    def add(self, file, layer, message, *, feature=None, code=None, field=None):
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(Problem(file, layer, message, feature, code or None, field))

    def __bool__(self):
        return self.total > 0

    def raise_if_any(self):
        if self.total:
            raise GisInputError(self.items, total=self.total)
