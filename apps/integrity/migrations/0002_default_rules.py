"""The six signals' rules with their default thresholds (editable in the admin afterwards).

The values are written out here rather than imported, so this migration seeds
the same rows whatever apps/integrity/rules.py says later.
"""

from django.db import migrations

RULES = [
    ("photo_reused", "跨案件重复使用照片", "处置或核查照片与其他案件更早照片的感知哈希几乎相同。", {"max_bits": 6}),
    ("photo_far", "结果照片远离案件点位", "处置结果照片的 EXIF 位置距案件点位过远。", {"max_distance_m": 100}),
    ("photo_early", "结果照片拍摄于派遣之前", "处置结果照片的 EXIF 时间早于案件派遣时间。", {"tolerance_minutes": 10}),
    ("reopen_churn", "结案后重复上报", "同一点位、同一类别在结案后数日内再次上报。", {"max_distance_m": 30, "days": 7}),
    ("fast_verification", "核查速度超出路程所需", "同一核查人连续两次核查之间的直线距离与时间间隔不符合常理。",
     {"min_distance_m": 200, "max_speed_kmh": 30}),
    ("deadline_requests", "临近期限集中申请延期挂账", "延期、挂账申请集中在处置时限的最后阶段。",
     {"last_share": 0.1, "flag_min_count": 10, "flag_min_share": 0.3}),
]


def seed(apps, schema_editor):
    SignalRule = apps.get_model("integrity", "SignalRule")
    for code, name, description, params in RULES:
        SignalRule.objects.get_or_create(code=code, defaults={"name": name, "description": description, "params": params})


def unseed(apps, schema_editor):
    apps.get_model("integrity", "SignalRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
