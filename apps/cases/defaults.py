"""Default categories, office hours and holidays; seeded by `manage.py seed_cases`, edited in the admin.

Categories: the event (事件) and facility (部件) classes of CJ/T 214 with common
sub-classes, plus the governance classes of domain.md. Each names its default
department (by name, as in the sample district) and time limits in working
hours: (handle, verify). Flags feed the 三零 indicators of 平安法治星.
"""

import datetime as dt

URBAN = "区城市管理局"
HOUSING = "区住房和城乡建设局"
POLICE = "公安分局"
MARKET = "区市场监督管理局"
EMERGENCY = "区应急管理局"
ECOLOGY = "区生态环境分局"
GREEN = "区园林绿化中心"
TRAFFIC = "区交通运输局"
WATER = "区水利局"
HEALTH = "区卫生健康委员会"
JUSTICE = "区司法局"
PETITION = "区信访局"
LABOUR = "区人力资源和社会保障局"
FIRE = "区消防救援大队"
CIVIL = "区民政局"
PLANNING = "区自然资源和规划分局"

# code, kind, class, name, department, handle hours, verify hours, flags
CATEGORIES = [
    ("E0101", "event", "市容环境", "暴露垃圾", URBAN, 4, 2, ""),
    ("E0102", "event", "市容环境", "积存垃圾渣土", URBAN, 8, 2, ""),
    ("E0103", "event", "市容环境", "道路不洁", URBAN, 4, 2, ""),
    ("E0104", "event", "市容环境", "乱堆物堆料", URBAN, 8, 2, ""),
    ("E0105", "event", "市容环境", "焚烧垃圾树叶", ECOLOGY, 2, 2, ""),
    ("E0201", "event", "宣传广告", "非法小广告", URBAN, 8, 2, ""),
    ("E0202", "event", "宣传广告", "违规张贴悬挂", URBAN, 8, 2, ""),
    ("E0301", "event", "施工管理", "施工扰民", HOUSING, 8, 4, ""),
    ("E0302", "event", "施工管理", "工地扬尘", HOUSING, 8, 4, ""),
    ("E0303", "event", "施工管理", "道路遗撒", URBAN, 4, 2, ""),
    ("E0401", "event", "突发事件", "路面塌陷", HOUSING, 2, 2, ""),
    ("E0402", "event", "突发事件", "自来水管破裂", WATER, 2, 2, ""),
    ("E0403", "event", "突发事件", "燃气管道泄漏", EMERGENCY, 1, 1, ""),
    ("E0404", "event", "突发事件", "道路积水", WATER, 2, 2, ""),
    ("E0501", "event", "街面秩序", "占道经营", URBAN, 4, 2, ""),
    ("E0502", "event", "街面秩序", "店外经营", URBAN, 4, 2, ""),
    ("E0503", "event", "街面秩序", "机动车乱停放", POLICE, 4, 2, ""),
    ("E0504", "event", "街面秩序", "非机动车乱停放", URBAN, 8, 2, ""),
    ("E0505", "event", "街面秩序", "露天烧烤", URBAN, 4, 2, ""),
    ("E0601", "event", "扩展事件", "无证照经营", MARKET, 16, 4, ""),
    ("E0602", "event", "扩展事件", "油烟噪声扰民", ECOLOGY, 16, 4, ""),
    ("F0101", "facility", "公用设施", "井盖缺失破损", URBAN, 2, 2, ""),
    ("F0102", "facility", "公用设施", "路灯损坏", URBAN, 16, 4, ""),
    ("F0103", "facility", "公用设施", "消防栓损坏", FIRE, 8, 4, ""),
    ("F0201", "facility", "道路交通", "交通护栏损坏", TRAFFIC, 16, 4, ""),
    ("F0202", "facility", "道路交通", "道路破损", HOUSING, 24, 4, ""),
    ("F0301", "facility", "市容环境", "垃圾桶破损满溢", URBAN, 4, 2, ""),
    ("F0302", "facility", "市容环境", "公厕设施损坏", URBAN, 8, 2, ""),
    ("F0401", "facility", "园林绿化", "行道树倒伏", GREEN, 4, 2, ""),
    ("F0402", "facility", "园林绿化", "绿地毁损", GREEN, 16, 4, ""),
    ("F0501", "facility", "房屋土地", "违法建设", PLANNING, 40, 8, ""),
    ("F0601", "facility", "其他设施", "健身器材损坏", URBAN, 24, 4, ""),
    ("G0101", "governance", "矛盾纠纷", "邻里纠纷", JUSTICE, 16, 4, ""),
    ("G0102", "governance", "矛盾纠纷", "物业纠纷", HOUSING, 24, 4, ""),
    ("G0103", "governance", "矛盾纠纷", "劳资纠纷", LABOUR, 24, 4, ""),
    ("G0104", "governance", "矛盾纠纷", "越级上访苗头", PETITION, 8, 4, "petition"),
    ("G0201", "governance", "安全隐患", "消防安全隐患", FIRE, 8, 4, ""),
    ("G0202", "governance", "安全隐患", "房屋安全隐患", HOUSING, 8, 4, ""),
    ("G0203", "governance", "安全隐患", "生产安全事故伤亡", EMERGENCY, 2, 2, "accident"),
    ("G0301", "governance", "治安", "治安案件", POLICE, 4, 2, "crime"),
    ("G0302", "governance", "治安", "刑事案件线索", POLICE, 2, 2, "crime"),
    ("G0303", "governance", "治安", "交通事故伤亡", POLICE, 2, 2, "accident"),
    ("G0401", "governance", "疫情防控", "疫情防控事项", HEALTH, 4, 2, ""),
    ("G0501", "governance", "楼院治理", "楼道堆物", URBAN, 8, 2, ""),
    ("G0502", "governance", "楼院治理", "楼院设施损坏", HOUSING, 16, 4, ""),
    ("G0503", "governance", "楼院治理", "楼院环境卫生", URBAN, 8, 2, ""),
    ("G0504", "governance", "楼院治理", "特殊困难群体帮扶", CIVIL, 24, 4, ""),
]

# Street classes (CJ/T 214 events and facilities) are public on the Open311 feed, as
# on FixMyStreet; governance classes (disputes, safety, public order, epidemic,
# compound affairs, hardship) concern people and stay private. Edited per category
# in the admin; a category added there starts private.
PUBLIC_KINDS = ("event", "facility")

OFFICE_HOURS = [(dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(18, 0))]

# National holidays and adjusted working days (调休) of 2026, as announced by the
# State Council's General Office; check each new year's notice and edit in the admin.
HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03"),
    "春节": ("2026-02-15", "2026-02-23"),
    "清明节": ("2026-04-04", "2026-04-06"),
    "劳动节": ("2026-05-01", "2026-05-05"),
    "端午节": ("2026-06-19", "2026-06-21"),
    "中秋节": ("2026-09-25", "2026-09-27"),
    "国庆节": ("2026-10-01", "2026-10-07"),
}
WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
