"""The volunteer roster an office imports on rollout day (志愿者名册): each volunteer registered through the
registration use case (validation, encryption, `volunteer.registered`), put in their team, and their hours and
love coins from the office's own books carried forward (期初结转) once, as opening entries of the love bank.

The natural key is the ID number (its blind index): importing the same roster again finds every volunteer and
their opening, and changes nothing; a roster that gives a volunteer other opening figures than the ones booked is
refused for that row (the books are corrected with an adjustment that names its reason, never by a re-import).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

from liandong.clock import LOCAL_TZ, to_iso
from liandong.errors import Conflict, ValidationFailed
from liandong.imports import (CREATED, UNCHANGED, UPDATED, Choice, Context, Day, Decimal1, IdNumber, ImportKind,
                              ImportRun, Integer, Mobile, OrgUnitRef, Text)

from ..domain.model import VOLUNTEER_KIND_NAMES
from .access import MANAGE
from .love_bank import opening_differs

MAX_SKILLS, MAX_SKILL_LENGTH = 30, 40  # as the registration form takes them
SKILL_SEPARATORS = re.compile(r"[、,，;；/\s]+")
MOBILE = re.compile(r"1[3-9]\d{9}")  # the registration form takes a mobile (what the reminders reach)


def minutes_of(hours: float) -> int:
    """Hours with one decimal (12.5) as whole minutes (750): what the attendance rows count."""
    return round(hours * 60)


def skills_of(text: str | None) -> list[str]:
    return [s for s in SKILL_SEPARATORS.split(text or "") if s]


def registered_at(day: str) -> str:
    """The registration day (China's calendar) as the start of that day in UTC, as the list's from/to read it."""
    return to_iso(datetime.combine(date.fromisoformat(day), time(0), tzinfo=LOCAL_TZ))


COLUMNS = [
    OrgUnitRef("org_unit_id", "社区", example="家园社区", rule="志愿者所在社区:名称或单位编号(见「代码表」),须在您的管辖范围内"),
    Text("name", "姓名", example="张建国", max_length=50, rule="不超过 50 个字", personal=True),
    IdNumber("id_number", "身份证号", example="220204196507080017", aliases=("公民身份号码", "身份证号码"),
             rule="18 位,末位可为 X;同一身份证号只登记一次(再次导入不会重复登记)"),
    Mobile("mobile", "联系电话", example="13904321234", aliases=("手机号", "手机号码"), rule="11 位手机号"),
    Choice("kind", "志愿者类别", required=False, options=VOLUNTEER_KIND_NAMES, example="居民志愿者",
           rule="居民志愿者、在职党员（党员报到）或共建单位;不填为居民志愿者"),
    Text("unit_name", "共建单位名称", required=False, example=None, max_length=100,
         rule="类别为共建单位时必填:所在单位的名称"),
    Text("team", "服务队", required=False, example=None, max_length=100,
         rule="该社区已建立的志愿服务队的名称;不填则不加入服务队"),
    Text("skills", "技能/服务类型", required=False, example="急救、助老", max_length=600,
         aliases=("技能", "服务类型", "特长"), rule=f"多项用顿号或逗号分隔,最多 {MAX_SKILLS} 项,每项不超过 {MAX_SKILL_LENGTH} 个字"),
    Day("registered_on", "注册日期", example="2019-03-05", rule="在本社区登记为志愿者的日期,不能晚于今天"),
    Decimal1("hours", "累计服务时长(小时)", example="126.5", maximum=100000, aliases=("累计服务时长",),
             rule="截至导入日的累计服务时长,≥ 0,最多 1 位小数;作为期初结转记入,只记一次"),
    Integer("coins", "爱心币余额", example="300", maximum=10_000_000, aliases=("爱心币",),
            rule="截至导入日的爱心币余额(整数枚),≥ 0;作为期初结转记入爱心银行账簿,只记一次"),
]


def registration_of(values: dict, registered: list[dict], units: dict) -> tuple[dict | None, dict[str, str]]:
    """The registration a row is, among those of its ID number (`registered`: _id, org_unit_id, name): the one in
    the row's community, under the same name. One only in another community the caller manages (`units`: the
    units they may import into) makes the row wrong — one person, one registration in their sight; one out of
    their sight is none of their business (it is not named, and the row registers the person here)."""
    for d in registered:
        if d["org_unit_id"] == values["org_unit_id"]:
            return d, ({"name": "该身份证号已登记为另一姓名的志愿者,请核对"} if d["name"] != values["name"] else {})
    if any(d["org_unit_id"] in units for d in registered):
        return None, {"org_unit_id": "该身份证号已在您管辖的另一社区登记为志愿者"}
    return None, {}


def opening_problem(values: dict, booked: tuple) -> dict[str, str]:
    differs = opening_differs(booked, minutes_of(values["hours"]), values["coins"])
    return {"coins": differs} if differs else {}


def volunteer_kinds(svc) -> list[ImportKind]:
    """The import kinds of the volunteer service (`svc`: its `VolunteerService`, whose use cases write)."""

    def prepare(ctx: Context, deps, principal) -> None:
        # teams by (community, name): a roster names a team of the volunteer's own community
        ctx.extra["teams"] = {(t.org_unit_id, t.name): t.id for path in principal.scopes(MANAGE)
                              for t in svc.stores.teams.in_subtree(path)}
        # who is registered already, and their openings: read once, so a large roster checks without a
        # read per row (the write checks each row again, as it is then)
        ctx.extra["registered"] = svc.stores.volunteers.registered_by_id_index()
        minutes, coins = svc.stores.attendance.opening_minutes(), svc.stores.ledger.opening_coins()
        ctx.extra["openings"] = {vid: (minutes.get(vid), coins.get(vid)) for vid in minutes.keys() | coins.keys()}

    def check(values: dict, ctx: Context) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not MOBILE.fullmatch(values["mobile"]):
            problems["mobile"] = "应为 11 位手机号(志愿者的活动提醒发到手机)"
        if values["kind"] == "cobuilding_member" and not values["unit_name"]:
            problems["unit_name"] = "类别为共建单位时必填"
        if values["team"] and (values["org_unit_id"], values["team"]) not in ctx.extra["teams"]:
            problems["team"] = f"该社区没有名为「{values['team']}」的服务队(先建服务队,或留空)"
        skills = skills_of(values["skills"])
        if len(skills) > MAX_SKILLS or any(len(s) > MAX_SKILL_LENGTH for s in skills):
            problems["skills"] = f"最多 {MAX_SKILLS} 项,每项不超过 {MAX_SKILL_LENGTH} 个字"
        if not problems:
            registered = [d for ix in svc.stores.volunteers.id_indexes(values["id_number"])
                          for d in ctx.extra["registered"].get(ix, ())]
            found, problems = registration_of(values, registered, ctx.units)
            if found is not None and not problems:
                problems = opening_problem(values, ctx.extra["openings"].get(found["_id"], (None, None)))
        return problems

    def apply(values: dict, run: ImportRun) -> str:
        p = run.principal
        # again, as it is now: another import may have run since the file was checked
        found, problems = registration_of(values, svc.stores.volunteers.registered_with(values["id_number"]),
                                          run.ctx.units)
        if found is not None and not problems:
            problems = opening_problem(values, svc.love_bank.booked_opening(found["_id"]))
        if problems:
            raise ValidationFailed(next(iter(problems.values())), {k: [m] for k, m in problems.items()})
        kind, skills = values["kind"] or "resident", skills_of(values["skills"])
        unit_name = values["unit_name"] if kind == "cobuilding_member" else None
        v = svc.stores.volunteers.get(found["_id"]) if found is not None else None
        if v is None:
            vid = svc.stores.volunteers.registration_id(values["id_number"], values["org_unit_id"])
            try:
                svc.volunteers.register(p, {
                    "id": vid, "name": values["name"], "kind": kind, "org_unit_id": values["org_unit_id"],
                    "mobile": values["mobile"], "skills": skills, "unit_name": unit_name,
                    "id_number": values["id_number"], "consent": True,
                    "registered_at": registered_at(values["registered_on"])})
                outcome = CREATED
            except Conflict:
                if svc.stores.volunteers.plain_one(vid) is None:
                    raise
                v = svc.stores.volunteers.get(vid)  # the same roster, sent twice at once: the other job was first
        if v is not None:
            vid, outcome = v.id, UNCHANGED
            changes = {k: new for k, new, old in (("mobile", values["mobile"], v.mobile),
                                                  ("skills", sorted(set(skills)), v.skills),
                                                  ("unit_name", unit_name, v.unit_name)) if new != old}
            if changes:
                svc.volunteers.update_profile(p, vid, changes)
                outcome = UPDATED
        team_id = run.ctx.extra["teams"].get((values["org_unit_id"], values["team"])) if values["team"] else None
        if team_id and vid not in svc.stores.teams.get(team_id).member_ids:
            svc.teams.add_member(p, team_id, vid)
            outcome = outcome if outcome == CREATED else UPDATED
        if svc.love_bank.carry_forward(p, vid, minutes_of(values["hours"]), values["coins"]) and outcome == UNCHANGED:
            outcome = UPDATED  # a volunteer registered here before, whose opening the roster brings
        return outcome

    return [ImportKind(
        name="volunteers", title="志愿者名册", permission=MANAGE, columns=COLUMNS, apply=apply,
        key=lambda values: values["id_number"], key_label="身份证号", check=check, prepare=prepare,
        notes=("导入即表示每位志愿者已在社区的志愿者登记表上签字同意使用其个人信息。",
               "累计服务时长和爱心币余额作为期初结转(期初余额)各记一次:时长计入志愿者的累计时长(不算作一次活动),"
               "爱心币从社区的期初余额账户记入志愿者账户,账簿借贷平衡。",
               "再次导入同一名册不会重复登记,也不会重复记入期初余额;期初余额与已导入的不同的行会被拒绝,"
               "更正请用爱心币调整(须写明原因)。"))]
