"""Default star criteria, indicators and task forces (domain.md); seeded per period, edited in the admin."""

STAR_NAMES = {
    "village": ["支部过硬星", "产业兴旺星", "生态宜居星", "平安法治星", "文明幸福星"],
    "community": ["支部过硬星", "宜业兴业星", "共建共享星", "平安法治星", "幸福和谐星"],
}

# Per star: (code, name, points, platform measure); each star's indicators add up to 100.
INDICATORS = {
    "支部过硬星": [
        ("A1", "班子结构合理、书记带头作用强", 30, ""),
        ("A2", "组织生活规范（三会一课）", 25, ""),
        ("A3", "党员队伍建设与发展党员", 20, ""),
        ("A4", "无软弱涣散问题、督查问题按期整改", 25, "branch_strength"),
    ],
    "产业兴旺星": [
        ("B1", "集体经济收入稳定增长", 40, ""),
        ("B2", "特色产业发展", 35, ""),
        ("B3", "带动群众增收就业", 25, ""),
    ],
    "宜业兴业星": [
        ("B1", "辖区企业服务与营商环境", 40, ""),
        ("B2", "就业创业服务", 35, ""),
        ("B3", "共建单位参与经济发展", 25, ""),
    ],
    "生态宜居星": [
        ("C1", "人居环境整治", 40, ""),
        ("C2", "垃圾分类与村容村貌", 35, ""),
        ("C3", "生态保护", 25, ""),
    ],
    "共建共享星": [
        ("C1", "区域化党建共建", 40, ""),
        ("C2", "公共服务设施共享", 35, ""),
        ("C3", "志愿服务与居民参与", 25, ""),
    ],
    "平安法治星": [
        ("D1", "三零创建：零上访、零事故、零案件", 40, "three_zero"),
        ("D2", "矛盾纠纷排查化解", 30, ""),
        ("D3", "法治宣传与依法治理", 30, ""),
    ],
    "文明幸福星": [
        ("E1", "十星文明户创评", 40, "ten_star_share"),
        ("E2", "移风易俗与文明实践", 30, ""),
        ("E3", "群众满意度", 30, ""),
    ],
    "幸福和谐星": [
        ("E1", "十星文明户创评", 40, "ten_star_share"),
        ("E2", "为民服务与幸福感", 30, ""),
        ("E3", "邻里和谐与群众满意度", 30, ""),
    ],
}

# 一星一专班, led by 4 departments: 组织部 (strong branch), 政法委 (safety),
# 社治委 (urban stars), 农委 (rural stars).
TASK_FORCE_LEADS = {
    ("village", 1): "区委组织部", ("community", 1): "区委组织部",
    ("village", 2): "区农委", ("community", 2): "区委社治委",
    ("village", 3): "区农委", ("community", 3): "区委社治委",
    ("village", 4): "区委政法委", ("community", 4): "区委政法委",
    ("village", 5): "区农委", ("community", 5): "区委社治委",
}
KIND_LABEL = {"village": "村", "community": "社区"}
DEFAULT_TARGETS = {"five_star": 3, "four_star": 65, "three_star": 143}
