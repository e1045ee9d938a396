"""Departments and people: who each person is, their role, and the area they may see.

A person's scope is geography (areas), so `people` depends on `areas`, never the
reverse. `apps.people.access` turns a person into the filters every view uses.
"""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.areas.models import SRID, Grid, SubDistrict


class Department(models.Model):
    class Kind(models.TextChoices):
        DISTRICT_DEPARTMENT = "district_department", _("district department")
        SUBDISTRICT_OFFICE = "subdistrict_office", _("sub-district office")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    subdistrict = models.OneToOneField(
        SubDistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="office"
    )
    # Where the work unit sits (its office building): cadres are assigned to zones
    # near it. Optional for cases; required once cadres are assigned (assignment.py).
    office_point = gis_models.PointField(_("office location"), srid=SRID, null=True, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        constraints = [
            # An office belongs to exactly one sub-district; a district department to none.
            models.CheckConstraint(
                condition=Q(kind="district_department", subdistrict__isnull=True)
                | Q(kind="subdistrict_office", subdistrict__isnull=False),
                name="department_office_has_subdistrict",
            ),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")
    ZONE_CADRE = "zone_cadre", _("zone cadre")
    DISPATCHER = "dispatcher", _("dispatcher")
    HANDLER = "handler", _("handler")
    TASK_FORCE_MEMBER = "task_force_member", _("task force member")
    INSPECTOR = "inspector", _("inspector")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")
    LEADER = "leader", _("leader")
    ADMINISTRATOR = "administrator", _("administrator")


class Person(models.Model):
    """Anyone the platform knows: with a login (user) or not (most cadres, leaders)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    title = models.CharField(_("title"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    # The area a dispatcher or leader may see: one sub-district, or the whole
    # district when empty. Grid workers see their grids; zone cadres their zones;
    # handlers their department's work.
    subdistrict = models.ForeignKey(
        SubDistrict, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    grids = models.ManyToManyField(Grid, blank=True, related_name="workers")
    # The village/community a branch secretary (支部书记) serves.
    community = models.ForeignKey(
        "areas.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="secretaries"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["code"]
        indexes = [models.Index(fields=["role"])]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="person_role_known"),
            models.CheckConstraint(
                condition=~Q(role="handler") | Q(department__isnull=False), name="handler_has_department"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"
