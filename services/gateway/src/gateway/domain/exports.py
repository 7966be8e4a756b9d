"""Lists as tables (导出): how the services page their lists, Chinese headers and values, safe cells. No I/O.

An export is the list a user sees, with the filters they set, fetched page by page from the owning
service with their own token: the service decides scope and masking, so an export never shows more
than the screen. This module only turns the items into rows. The codes each service defines (programmes, categories,
activity types) are named in its own words: the caller passes the service's vocabularies (`values`);
only the field names and the record states are the gateway's words here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8))
MAX_ROWS = 50_000  # beyond this a filter is needed: a table that size is not read, only copied


@dataclass(frozen=True)
class Paging:
    """How every service pages its lists (docs/api-style.md): `page`=1,2,… of `page_size` (at most 100),
    answered as `{items, total, page, page_size}`, or, where a list answers `next`, the page after it by cursor
    (`after`): an export then neither repeats nor misses a record written while it runs, and its 500th page
    costs what its first does."""

    size: int = 100
    reserved: tuple[str, ...] = ("page", "page_size", "after")

    def params(self, page_index: int, after: str | None = None) -> dict[str, str]:
        if after:
            return {"after": after, "page_size": str(self.size)}
        return {"page": str(page_index + 1), "page_size": str(self.size)}


PAGING = Paging()

# Field names across the four services, in the offices' words.
LABELS = {
    "id": "编号", "number": "编号", "case_number": "案件编号", "title": "标题", "name": "姓名", "content": "内容",
    "status": "状态", "state": "办理状态", "category": "类别", "channel": "来源渠道", "type": "类型", "kind": "类别",
    "level": "层级", "org_unit_id": "所属单位", "org_unit_name": "所属单位名称", "org_unit": "所属单位",
    "org_path": "单位路径", "address": "地址", "mobile": "手机号", "phone": "电话", "id_number": "身份证号",
    "gender": "性别", "birth_date": "出生日期", "age": "年龄",
    "registered_at": "登记时间", "registered_by": "登记人", "submitted_at": "提交时间", "created_at": "创建时间",
    "updated_at": "更新时间", "closed_at": "办结时间", "answered_at": "答复时间", "assigned_at": "交办时间",
    "reported_at": "上报时间", "dispatched_at": "派警时间", "on_scene_at": "到场时间", "resolved_at": "处置时间",
    "started_at": "开始时间", "ended_at": "结束时间", "starts_at": "开始时间", "ends_at": "结束时间",
    "deadline": "办理期限", "due": "到期日", "overdue": "是否超期", "at_risk": "是否预警",
    "headcount": "人数", "is_group": "群体性上访", "anonymous": "匿名", "petitioners": "信访人",
    "representatives": "代表", "risk_flags": "风险标记", "owner": "首问责任人", "owner_name": "首问责任人",
    "assignment": "交办", "unit_kind": "责任单位类型", "unit_id": "责任单位", "unit_name": "责任单位",
    "person": "责任人", "task": "任务", "requirement": "要求", "satisfaction": "满意度", "answer": "答复内容",
    "on_time": "按期办结", "handling_mode": "办理方式", "repeat": "重复信访", "attachments": "附件",
    "members": "家庭成员", "applicant": "申请人", "applicant_name": "申请人", "income_fen": "收入(元)",
    "monthly_income_fen": "月收入(元)", "amount_fen": "金额(元)", "monthly_amount_fen": "月发放金额(元)",
    "total_fen": "合计(元)", "balance_fen": "余额(元)", "disbursed_fen": "已发放(元)", "period": "期间",
    "month": "月份", "notice_until": "公示截止", "notice_ends": "公示截止", "objections": "异议",
    "eligibility": "资格审查", "eligible": "符合条件", "reasons": "理由", "reason": "理由", "decision": "审批结果",
    "grant_id": "救助编号", "application_id": "申请编号", "household_id": "家庭编号", "next_review": "下次复核",
    "skills": "技能", "availability": "服务时间", "consent": "同意使用个人信息", "teams": "服务队",
    "team_id": "服务队", "leader": "队长", "hours": "服务时长(小时)", "minutes": "服务时长(分钟)",
    "coins": "爱心币", "place": "地点", "capacity": "名额", "taken": "已报名", "waitlist": "候补",
    "organiser": "组织者", "skills_wanted": "所需技能", "signups": "报名", "volunteer_id": "志愿者编号",
    "user_id": "账号", "totals": "合计", "available": "可用爱心币", "earned": "累计获得", "spent": "已兑换",
    "severity": "严重程度", "injured": "受伤人数", "affected": "受影响人数", "verified": "已核实",
    "emergency": "公共安全事件", "public_safety_emergency": "公共安全事件", "reporter": "报告人",
    "response_minutes": "响应用时(分钟)", "location": "位置", "building": "楼栋", "description": "描述",
    "origin": "户籍地", "landlord": "房东", "permit_number": "居住证号", "permit_expires": "居住证到期",
    "permit_expires_on": "居住证到期", "last_verified": "最近核查", "last_verified_at": "最近核查",
    "route_id": "巡逻路线", "route_name": "巡逻路线", "shift_id": "班次", "checkpoints": "巡逻点位",
    "missed": "漏检点位", "findings": "发现问题", "patrollers": "巡逻人员", "parties": "当事人",
    "dispute_type": "纠纷类型", "outcome": "调解结果", "mediator": "调解员", "agreement": "调解协议",
    "next_visit_due": "下次走访", "visits": "走访记录",
    "first_receiver": "首问接待人", "due_at": "到期时间", "reminded": "已提醒", "overdue_count": "超期次数",
    "answered_on_time": "按期答复", "escalations": "上报记录", "supervision": "督办", "suspension": "挂起",
    "mediations": "调解", "matter_id": "同一事项编号", "linked_ids": "关联件", "reception": "接访",
    "subdistrict_id": "街道", "day": "日期", "leader_name": "接访领导", "reopened_count": "重新办理次数",
}

# 民政's lists of pairings, visits, fund grants and love-coin redemptions (#22); the words other lists share too
# (note, notes, household, goods, lines) kept general
LABELS.update({
    "helper_id": "帮扶人编号", "helper_name": "帮扶人", "helper_kind": "帮扶人身份", "household": "家庭",
    "plan": "计划", "goals": "目标", "started_on": "开始日期", "ended_on": "结束日期", "end_reason": "结束原因",
    "visitor_id": "走访人编号", "visitor_name": "走访人", "visited": "走访对象", "visited_at": "走访时间",
    "money_fen": "慰问金(元)", "goods": "物品", "notes": "记录", "follow_up": "需跟进事项", "pairing_id": "结对编号",
    "fund_id": "基金", "recipient": "受助人", "requested_at": "申请时间", "requested_by": "申请人账号",
    "decided_at": "审批时间", "decided_by": "审批人账号", "note": "说明", "lines": "物品",
    "cancel_reason": "取消原因", "finished_at": "完成时间", "created_by": "创建人账号",
})

VALUES = {
    "status": {
        "registered": "已受理", "assigned": "已交办", "in_handling": "办理中", "answered": "已答复",
        "closed": "已办结", "escalated": "已上报", "suspended": "已挂起", "submitted": "待社区审核",
        "in_notice": "公示中", "noticed": "公示期满", "approved": "已批准", "rejected": "未批准",
        "withdrawn": "已撤回", "active": "在册", "paused": "暂停", "left": "已退出", "ended": "已终止",
        "reported": "已上报", "dispatched": "已派警", "on_scene": "已到场", "resolved": "已处置",
        "draft": "草稿", "published": "报名中", "cancelled": "已取消", "completed": "已结束",
        "open": "调解中", "in_progress": "进行中", "signed_up": "已报名", "waitlisted": "候补",
        "checked_in": "已签到", "checked_out": "已签退", "no_show": "未到",
        # 爱心基金 grants and love-coin redemptions (#22)
        "requested": "待审批", "paying": "支付中", "paid": "已支付", "holding": "备货中",
        "awaiting_coins": "等待扣减爱心币", "handed_out": "已兑换",
    },
    "unit_kind": {"community": "社区", "subdistrict": "街道", "department": "联动部门"},
    "severity": {"low": "一般", "medium": "较大", "high": "重大", "critical": "特别重大"},
    "outcome": {"agreement": "调解成功", "failed": "调解不成", "referred_to_court": "法庭立案"},
}

VALUES["state"] = VALUES["status"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SKIP = {"_links", "history", "timeline", "events", "checkin_code", "org_path", "version", "source"}
_PERSON_DETAILS = ("id_number", "mobile")
ORG_KEYS = {"org_unit_id", "unit_id", "subdistrict_id", "community_id"}  # shown by name, not by id


def items_of(doc) -> tuple[list[dict], int | None, str | None] | None:
    """The items of a list answer in the one envelope, its `total` (None if it has none) and its `next` (None if
    it is paged by number or is the last page by cursor); None if the answer is not a list."""
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return None
    total, after = doc.get("total"), doc.get("next")
    return (doc["items"], total if isinstance(total, int) and not doc.get("total_capped") else None,
            after if isinstance(after, str) and after else None)


def flatten(item: dict) -> dict:
    """One row per item: nested objects become `parent.child` columns, lists of people their names."""
    row: dict = {}
    for key, value in item.items():
        if key in _SKIP or key.startswith("_"):
            continue
        if isinstance(value, dict):
            for sub, v in value.items():
                if not isinstance(v, (dict, list)) and not sub.startswith("_"):
                    row[f"{key}.{sub}"] = v
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            names = [str(v.get("name") or v.get("title") or v.get("id") or "") for v in value]
            row[key] = "、".join(n for n in names if n) or len(value)
            for sub in _PERSON_DETAILS:  # a ledger lists each person's ID and phone beside the names
                if any(v.get(sub) for v in value):
                    row[f"{key}.{sub}"] = "、".join(str(v.get(sub) or "") for v in value)
        else:
            row[key] = value
    return row


def columns(rows: list[dict]) -> list[tuple[str, str]]:
    """Every key seen, in order of first appearance, with its Chinese header."""
    seen: dict[str, str] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = header(key)
    taken: dict[str, int] = {}
    out = []
    for key, label in seen.items():
        taken[label] = taken.get(label, 0) + 1
        out.append((key, label if taken[label] == 1 else f"{label}({taken[label]})"))
    return out


def header(key: str) -> str:
    if "." in key:
        parent, child = key.split(".", 1)
        return f"{LABELS.get(parent, parent)}·{header(child)}"
    if key in LABELS:
        return LABELS[key]
    if key.endswith("_fen"):
        return f"{LABELS.get(key[:-4], key[:-4])}(元)"
    return key


def cell(key: str, value, org_name=None, values: dict | None = None):
    """A value as the offices read it: codes in Chinese, fen as 元, times in Beijing time, 是/否;
    text that a spreadsheet would run as a formula is made inert."""
    leaf = key.rsplit(".", 1)[-1]
    values = VALUES if values is None else values
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)) and leaf.endswith("_fen"):
        return f"{value / 100:.2f}"
    if isinstance(value, list):
        value = "、".join(str(values.get(leaf, {}).get(v, v)) for v in value)
    if isinstance(value, str):
        if leaf in ORG_KEYS and org_name is not None:
            value = org_name(value) or value
        if leaf in values:
            value = values[leaf].get(value, value)
        if leaf.endswith("_at") and len(value) >= 19 and value[10] == "T":
            value = _beijing(value)
        if value.startswith(_FORMULA_START):
            value = "'" + value
    return value


def _beijing(iso: str) -> str:
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if at.tzinfo is None:
        return iso
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def table(items: list[dict], org_name=None, vocabularies: dict[str, dict[str, str]] | None = None
          ) -> tuple[list[tuple[str, str]], list[list]]:
    """Headers and rows; `org_name(id)` names org units (所属单位 家园社区, not jiayuan); `vocabularies`
    (field -> code -> label) are the owning service's words for its codes (救助项目 城市低保, not dibao_urban)."""
    values = {**VALUES, **(vocabularies or {})}
    rows = [flatten(i) for i in items]
    cols = columns(rows)
    return cols, [[cell(key, row.get(key), org_name, values) for key, _ in cols] for row in rows]
