"""The offices' ledgers the security service takes in (liandong.imports): the real-population register
(实有人口台账: households and their residents), the floating-population register (流动人口登记台账) and the
corrections / released-person support ledger (社区矫正 / 安置帮教对象台账).

Each row goes through the same use case as a registration typed in (access checks, encryption, events, the
audit of corrections records). A row is the same record on a second import by its natural key, the ID
number's blind index: a migrant's within the community (one registration per ID number and community), a
corrections subject's within the row's community. Importing a file again therefore changes nothing; a
migrant's changed residence permit is renewed through the renew use case. Other differences are not
overwritten (no use case changes them): the row fails, naming the columns, for the office to check.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time

from liandong.clock import LOCAL_TZ, to_iso
from liandong.errors import ValidationFailed
from liandong.imports import (CREATED, UNCHANGED, UPDATED, CellError, Choice, Column, Day, IdNumber, ImportKind,
                              ImportRun, Integer, Mobile, OrgUnitRef, Text)

from ..domain.corrections import CATEGORIES
from ..domain.households import HAND_SET
from ..domain.vocabulary import KEY_GROUPS, RELATIONSHIPS, RESIDENCES
from .corrections import PERMISSION as CORRECTIONS
from .migrants import MIGRANTS
from .register import REGISTER

CATEGORY_LABELS = {"community_correction": "社区矫正", "released_support": "安置帮教"}
assert set(CATEGORY_LABELS) == set(CATEGORIES)


@dataclass
class MobileNumber(Mobile):
    """A landlord's mobile (the registration takes 11 digits starting with 1, as the API does)."""

    def parse(self, value, ctx):
        text = super().parse(value, ctx)
        if not text.startswith("1"):
            raise CellError("应为 11 位手机号")
        return text


def _community(example: str = "家园社区") -> OrgUnitRef:
    return OrgUnitRef("org_unit_id", "社区", example=example, aliases=("所属社区", "社区名称"),
                      rule="您管辖范围内的社区:名称(见下拉列表)或单位编号")


def _name(example: str) -> Text:
    return Text("name", "姓名", example=example, max_length=50, personal=True, rule="不超过 50 字")


def _id_number(example: str) -> IdNumber:
    return IdNumber("id_number", "身份证号", example=example, aliases=("公民身份号码", "身份证号码"),
                    rule="18 位,末位可为 X;请把该列设为“文本”,以免 Excel 丢掉末几位。同一社区内同一身份证号只登记一次")


def _for_this_import(run: ImportRun, use_cases):
    """The use-case group for one import's rows (same checks, same stores), reading each org unit once."""
    def clone():
        group = copy.copy(use_cases)  # the same group, its rules and stores, with this import's org reads
        group.deps = dataclasses.replace(use_cases.deps, org=use_cases.deps.org.read_once())
        group.org = group.deps.org
        return group
    return run.kept(type(use_cases).__name__, clone)


def _day_start(day: str | None) -> str | None:
    """A day of the offices' calendar (China Standard Time) as the time it began, stored in UTC."""
    return None if day is None else to_iso(datetime.combine(date.fromisoformat(day), time(), LOCAL_TZ))


def _differences(kind: ImportKind, record, values: dict, keys: tuple[str, ...]) -> list[str]:
    """The headers of the columns the file fills in that differ from the stored record."""
    return [kind.column(k).header for k in keys if values.get(k) is not None and values[k] != getattr(record, k)]


def _refuse_differences(what: str, differing: list[str], changeable: str = "") -> None:
    if differing:
        raise ValidationFailed(f"该身份证号已有{what},但「" + "」「".join(differing) + "」与系统中的不同:"
                               f"导入不修改已有记录{changeable},请核对文件",
                               {"row": [f"differs from the stored record: {', '.join(differing)}"]})


# -- 流动人口登记台账

MIGRANT_FIELDS = ("org_unit_id", "name", "id_number", "origin", "address", "building", "landlord_name",
                  "landlord_mobile", "permit_number", "permit_expires_on")
MIGRANT_COMPARED = ("name", "origin", "address", "building", "landlord_name", "landlord_mobile")


def migrant_columns() -> list[Column]:
    return [
        _community(),
        _name("李明"),
        _id_number("513021199003071126"),
        Text("origin", "户籍地", example="四川省达州市", aliases=("户籍地址", "户籍所在地"), max_length=100,
             rule="户籍所在省市县,不超过 100 字"),
        Text("address", "现住址", example="家园小区 3 栋 2 单元 401", aliases=("现居住地址", "居住地址"),
             max_length=200, personal=True, width=28, rule="在本社区的详细住址,不超过 200 字"),
        Text("building", "楼栋", required=False, example="3 栋", max_length=100, rule="可空"),
        Text("landlord_name", "房东姓名", required=False, example="王芳", max_length=50, personal=True,
             rule="租住时填写,可空"),
        MobileNumber("landlord_mobile", "房东电话", required=False, example="13800138000",
                     aliases=("房东手机",), rule="11 位手机号,可空"),
        Text("permit_number", "居住证号", required=False, example="JZ2024000123", max_length=50, personal=True,
             aliases=("临时居住证号",), rule="可空;填写时须同时填写有效期"),
        Day("permit_expires_on", "居住证有效期至", required=False, past=False, example="2026-12-31",
            aliases=("居住证有效期",), rule="日期,如 2026-12-31,可以是将来;填写时须同时填写居住证号"),
        Day("registered_on", "登记日期", required=False, example="2024-03-01",
            rule="日期,不能晚于今天;空:以导入时间为登记时间"),
    ]


def _check_permit(values: dict, ctx) -> dict[str, str]:
    number, expires = values.get("permit_number"), values.get("permit_expires_on")
    if number and not expires:
        return {"permit_expires_on": "填写了居住证号,请同时填写有效期"}
    if expires and not number:
        return {"permit_number": "填写了有效期,请同时填写居住证号"}
    return {}


def _person_in_community(values: dict):
    return values["org_unit_id"], values["id_number"]


def migrants_kind(service) -> ImportKind:
    def apply(values: dict, run: ImportRun) -> str:
        principal = run.principal
        migrants = _for_this_import(run, service.migrants)
        found = migrants.registration_of(principal, values["org_unit_id"], values["id_number"])
        if found is None:
            migrants.registered(principal, {k: values[k] for k in MIGRANT_FIELDS},
                                registered_at=_day_start(values["registered_on"]))
            return CREATED
        _refuse_differences("本社区的流动人口登记", _differences(kind, found, values, MIGRANT_COMPARED),
                            "(只更新居住证)")
        permit = (values["permit_number"], values["permit_expires_on"])
        if values["permit_number"] and permit != (found.permit_number, found.permit_expires_on):
            migrants.permit_renewed(principal, found.id, *permit)
            return UPDATED
        return UNCHANGED

    kind = ImportKind(
        name="migrants", title="流动人口登记台账", permission=MIGRANTS, columns=migrant_columns(), apply=apply,
        key=_person_in_community, key_label="社区内的身份证号", check=_check_permit,
        notes=("同一社区内,一个身份证号只有一条登记:再次导入同一文件不会重复登记;居住证号或有效期变了的,按续签更新。",
               "已登记的人其他信息(姓名、户籍地、住址、房东)与文件不同时,该行不导入并说明哪一列不同。",
               "登记日期为台账上的登记日期;系统把它也当作最近一次核查的日期。"))
    return kind


# -- 社区矫正 / 安置帮教对象台账

CORRECTIONS_FIELDS = ("org_unit_id", "name", "id_number", "category", "visit_interval_days",
                      "responsible_worker_id", "responsible_worker_name", "supervision_starts_on",
                      "supervision_ends_on")
CORRECTIONS_COMPARED = ("name", "category", "visit_interval_days", "responsible_worker_id", "responsible_worker_name",
                        "supervision_starts_on", "supervision_ends_on")


def corrections_columns() -> list[Column]:
    return [
        _community(),
        _name("赵强"),
        _id_number("220202198506120028"),
        Choice("category", "类别", example="社区矫正", options=CATEGORY_LABELS, aliases=("对象类别",),
               rule="社区矫正 或 安置帮教"),
        Integer("visit_interval_days", "走访周期(天)", example=7, minimum=1, maximum=366,
                aliases=("走访周期",), rule="每隔几天走访一次,1 到 366"),
        Text("responsible_worker_id", "责任人账号", example="jiayuan_corrections", max_length=64,
             pattern=r"[A-Za-z0-9_.@-]+", pattern_hint="应为系统中的工作人员账号(字母、数字、_ . @ -)",
             rule="负责走访的工作人员在系统中的账号"),
        Text("responsible_worker_name", "责任人", example="刘芳", max_length=50, aliases=("责任人姓名",),
             rule="负责走访的工作人员姓名"),
        Day("supervision_starts_on", "起始日期", required=False, past=False, example="2025-01-10",
            aliases=("矫正起始日期", "帮教起始日期"), rule="矫正期或帮教期的起始日期,可空"),
        Day("supervision_ends_on", "期满日期", required=False, past=False, example="2027-01-09",
            aliases=("矫正期满日期", "帮教期满日期", "截止日期"), rule="矫正期或帮教期的期满日期,可空;不能早于起始日期"),
    ]


def _check_period(values: dict, ctx) -> dict[str, str]:
    starts, ends = values.get("supervision_starts_on"), values.get("supervision_ends_on")
    if starts and ends and ends < starts:
        return {"supervision_ends_on": "期满日期早于起始日期"}
    return {}


def corrections_kind(service) -> ImportKind:
    def apply(values: dict, run: ImportRun) -> str:
        corrections = _for_this_import(run, service.corrections)
        found = corrections.enrolled_in(run.principal, values["org_unit_id"], values["id_number"])
        if found is None:
            corrections.enrol(run.principal, {k: values[k] for k in CORRECTIONS_FIELDS})
            return CREATED
        _refuse_differences("矫正 / 帮教档案", _differences(kind, found, values, CORRECTIONS_COMPARED))
        return UNCHANGED

    kind = ImportKind(
        name="corrections", title="社区矫正及安置帮教对象台账", permission=CORRECTIONS,
        columns=corrections_columns(), apply=apply, key=_person_in_community, key_label="社区内的身份证号",
        check=_check_period,
        notes=("只有承担矫正 / 帮教职责的人员可以导入;每次导入和查看都记入审计日志。",
               "同一社区内,一个身份证号只有一份档案:再次导入同一文件不会重复建档;与已有档案不同的行不导入并说明哪一列不同。",
               "下次走访日期从导入之日起按走访周期计算。"))
    return kind


# -- 实有人口台账: one row per resident, with their household's columns

@dataclass
class HandTags(Column):
    """The key groups an office's own ledger knows (残疾人, 低保户), several separated by 、 or a comma."""

    def parse(self, value, ctx):
        labels = {label: code for code, label in KEY_GROUPS.items() if code in HAND_SET}
        out = []
        for part in str(value).replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part:
                continue
            code = labels.get(part) or (part if part in HAND_SET else None)
            if code is None:
                raise CellError(f"「{part}」不能在台账中填写(可填:{'、'.join(labels)};独居老人、矫正对象由系统判定)")
            out.append(code)
        return sorted(set(out))


HOUSEHOLD_FIELDS = ("org_unit_id", "building", "unit", "room", "household_number")
RESIDENT_FIELDS = ("name", "id_number", "relationship", "residence", "mobile", "hand_tags")


def resident_columns() -> list[Column]:
    return [
        OrgUnitRef("org_unit_id", "社区或网格", example="家园社区", levels=("community", "grid"),
                   aliases=("社区", "网格", "所属网格"), rule="户所在的社区或网格:名称(见下拉列表)或单位编号"),
        Text("building", "楼栋", required=False, example="3号楼", max_length=30, personal=True, rule="可空"),
        Text("unit", "单元", required=False, example="2单元", max_length=30, personal=True, rule="可空"),
        Text("room", "室", required=False, example="401", max_length=30, personal=True, aliases=("门牌号", "房号"),
             rule="可空;没有户号时,同一地址(社区或网格 + 楼栋 + 单元 + 室)即同一户"),
        Text("household_number", "户号", required=False, example="JY000123", max_length=40,
             rule="户口簿上的户号,可空;有户号时按户号识别同一户"),
        _name("张建国"),
        _id_number("220204195203150018"),
        Choice("relationship", "与户主关系", example="户主", options=RELATIONSHIPS, rule="、".join(RELATIONSHIPS.values())),
        Choice("residence", "户籍状态", example="户籍人口", options=RESIDENCES, aliases=("人口类别",),
               rule="、".join(RESIDENCES.values())),
        Mobile("mobile", "联系电话", required=False, example="13904321234", rule="手机号或带区号的固定电话,可空"),
        HandTags("hand_tags", "重点人群", required=False, example="低保户",
                 rule="可空;残疾人、低保户,多个用顿号分隔。独居老人由系统按年龄和同户人数判定,矫正对象来自矫正档案"),
    ]


def _one_place(values: dict, ctx) -> dict[str, str]:
    if not (values.get("household_number") or values.get("room")):
        return {"room": "没有户号时请填写门牌(室),以便识别同一户"}
    return {}


def residents_kind(service) -> ImportKind:
    def apply(values: dict, run: ImportRun) -> str:
        register = _for_this_import(run, service.register)
        household = {k: values[k] for k in HOUSEHOLD_FIELDS}
        resident = {k: values[k] for k in RESIDENT_FIELDS} | {"hand_tags": values["hand_tags"] or []}
        _, outcome, _ = register.register_or_update_row(run.principal, household, resident)
        return outcome

    return ImportKind(
        name="residents", title="实有人口台账", permission=REGISTER, columns=resident_columns(), apply=apply,
        key=lambda v: v["id_number"], key_label="身份证号", check=_one_place, unit_levels=("community", "grid"),
        notes=("一行一人;同一户的各成员填写相同的户号(或相同的地址)。",
               "一个身份证号在全区只属于一户:已在另一户的人,该行不导入(请先在原户办理迁出)。",
               "再次导入同一文件不会重复登记;姓名、关系、户籍状态、电话、重点人群变了的,按文件更新。"))


def kinds(service) -> list[ImportKind]:
    return [residents_kind(service), migrants_kind(service), corrections_kind(service)]
