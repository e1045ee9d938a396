from django.contrib import admin

from apps.bulletins.models import Bulletin, DutyItem, Incentive, ObservationScore, PublicityCounter, ReminderLetter


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["kind", "period", "starts_on", "ends_on", "made_at", "made_by"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "period", "starts_on", "ends_on", "data", "made_at", "made_by"]


@admin.register(ObservationScore)
class ObservationScoreAdmin(admin.ModelAdmin):
    list_display = ["period", "subdistrict", "judge", "score", "entered_at"]
    list_filter = ["period", "subdistrict"]
    raw_id_fields = ["judge"]




@admin.register(DutyItem)
class DutyItemAdmin(admin.ModelAdmin):
    list_display = ["department", "task", "owner", "due_on", "status", "done_on"]
    list_filter = ["status", "department__kind"]
    search_fields = ["task", "owner", "department__name"]


@admin.register(ReminderLetter)
class ReminderLetterAdmin(admin.ModelAdmin):
    list_display = ["sent_on", "kind", "department", "subject"]
    list_filter = ["kind"]
    filter_horizontal = ["items"]
    raw_id_fields = ["sent_by"]


@admin.register(Incentive)
class IncentiveAdmin(admin.ModelAdmin):
    list_display = ["granted_on", "kind", "period", "branch", "person", "subdistrict", "amount"]
    list_filter = ["kind", "period", "subdistrict"]
    raw_id_fields = ["branch", "person", "basis_bulletin", "basis_award", "granted_by"]


@admin.register(PublicityCounter)
class PublicityCounterAdmin(admin.ModelAdmin):
    list_display = ["year", "subdistrict", "manuals", "posters", "briefings"]
    list_filter = ["year"]
