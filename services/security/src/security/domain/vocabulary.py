"""The security service's codes in the offices' words: the one place their labels live.

The codes are the contract's (events carry them); the gateway's reports and exports and the console
read the labels from `GET /api/v1/security/config`, never from a copy of their own.
"""
from __future__ import annotations

from . import disputes, households, incidents, visits

INCIDENT_TYPES = {"theft": "盗窃", "fraud": "诈骗", "fire": "火灾", "gas_leak": "天然气泄漏", "flood": "暴雨内涝",
                  "power_outage": "停电", "public_disturbance": "扰乱秩序", "hazard": "安全隐患", "other": "其他"}
SEVERITIES = {"low": "一般", "medium": "较大", "high": "重大", "critical": "特别重大"}
INCIDENT_STATES = {"reported": "已上报", "dispatched": "已派警", "on_scene": "已到场", "resolved": "已处置",
                   "closed": "已关闭"}
REPORTERS = {"resident": "居民", "patrol": "巡逻", "staff": "工作人员"}
DISPUTE_TYPES = {"neighbour": "邻里纠纷", "family": "家庭纠纷", "property": "物业纠纷", "labour": "劳动纠纷",
                 "other": "其他"}
OUTCOMES = {"agreement": "调解成功", "failed": "调解不成", "referred_to_court": "法庭立案"}
KEY_GROUPS = {"elderly_alone": "独居老人", "disabled": "残疾人", "dibao": "低保户", "correction": "矫正对象"}
RELATIONSHIPS = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹",
                 "grandparent": "祖父母", "grandchild": "孙子女", "other": "其他"}
RESIDENCES = {"registered": "户籍人口", "floating": "流动人口", "separated": "人户分离"}
HOUSEHOLD_STATES = {"active": "在册", "left": "已搬离"}
VISIT_KINDS = {"routine": "日常走访", "key_group": "重点人群走访", "new_household": "新迁入户走访",
               "hardship": "困难家庭走访", "illness": "重病患者走访", "dispute": "矛盾纠纷户走访",
               "emergency": "突发情况走访"}

# every code the domain accepts has its label, and no label names a code the domain does not know
for _codes, _labels in ((incidents.TYPES, INCIDENT_TYPES), (incidents.SEVERITIES, SEVERITIES),
                        (incidents.STATUSES, INCIDENT_STATES), (incidents.REPORTERS, REPORTERS),
                        (disputes.TYPES, DISPUTE_TYPES), (disputes.OUTCOMES, OUTCOMES),
                        (households.KEY_GROUPS, KEY_GROUPS), (households.RELATIONSHIPS, RELATIONSHIPS),
                        (households.RESIDENCES, RESIDENCES), (households.STATUSES, HOUSEHOLD_STATES),
                        (visits.KINDS, VISIT_KINDS)):
    assert tuple(_labels) == tuple(_codes), (tuple(_labels), tuple(_codes))


def vocabularies() -> dict[str, list[dict]]:
    """Each vocabulary as `[{code, name}]`, in the domain's order."""
    named = {"incident_types": INCIDENT_TYPES, "severities": SEVERITIES, "incident_states": INCIDENT_STATES,
             "reporters": REPORTERS, "dispute_types": DISPUTE_TYPES, "outcomes": OUTCOMES,
             "key_groups": KEY_GROUPS, "relationships": RELATIONSHIPS, "residences": RESIDENCES,
             "household_states": HOUSEHOLD_STATES, "visit_kinds": VISIT_KINDS}
    return {key: [{"code": c, "name": n} for c, n in labels.items()] for key, labels in named.items()}
