"""The gateway's imports (liandong.imports): the org tree (组织架构) and the staff accounts (工作人员账号).

Each row goes through the gateway's own use cases as the importing admin: `create_unit` / `rename_unit`
(org:admin over the unit) and `Identity.create_user` / `update_user` (users:admin over the grant's unit), so the
checks, the outbox events and the session revocations of a changed role are the same as over the API.

The org units the file may name come from the gateway's own tree (`OrgRepository`), not from the copy the
services keep (`deps.org`): `prepare` fills the context from it. Org units may come in any order: `order` writes
parents first and refuses, before anything is written, a unit whose parent is neither in the tree (within the
caller's scope) nor a good row of the file, one whose level does not sit below its parent's, and cycles.

Imported accounts get no usable password (nobody, not even the importer, knows one): the admin sets each
initial password with POST /api/v1/users/{id}/password, as for an account created over the API, and hands it
over; no password is ever in the file, in the job or in its events.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from liandong.auth import DUTIES, ROLES
from liandong.errors import Conflict
from liandong.imports import (CREATED, UNCHANGED, UPDATED, CellError, Choice, Column, Context, ImportKind, ImportRun,
                              Mobile, OrgUnitRef, Text)
from liandong.imports.kinds import CheckedRow

from ..adapters.org_repository import OrgRepository
from ..domain.identity import RoleGrant
from ..domain.org_tree import LEVEL_NAMES, LEVELS
from . import org as org_cases
from .identity import Identity

_UNIT_ID = r"[a-z0-9][a-z0-9-]{0,63}"
_UNIT_ID_HINT = "单位编号由小写字母、数字和“-”组成,最多 64 位(如 jiayuan-g3)"


def _units_in_scope(org: OrgRepository, permission: str):
    """`prepare`: the caller's active units from the gateway's own tree (the framework's default reads the
    services' copy of it, which the gateway does not keep)."""

    def prepare(ctx: Context, deps, principal) -> None:
        ctx.units = {u["_id"]: u for path in principal.scopes(permission) for u in org.subtree(path)
                     if not u.get("retired")}

    return prepare


# -- 组织架构

def _root_level(values: dict, ctx: Context) -> dict[str, str]:
    if not values["parent_id"] and values["level"] not in ("city", "district"):
        return {"parent_id": "只有市或区可以不填上级单位;请填写上级单位编号"}
    return {}


def _parents_first(org: OrgRepository):
    """`order`: the good rows with every parent before its children; rows that cannot be placed refused."""

    def order(rows: list[CheckedRow], ctx: Context) -> list[CheckedRow]:
        good = [r for r in rows if not r.problems]
        in_file = {r.values["id"]: r for r in good}
        for r in good:
            _refuse_if_misfit(org, r, in_file, ctx)
        placed: list[CheckedRow] = []
        done: set[str] = set()
        pending = [r for r in good if not r.problems]
        while pending:
            waiting = []
            for r in pending:
                pid = r.values["parent_id"]
                # a parent in the tree is there already; one that is only in the file is written first
                parent_row = in_file.get(pid) if pid and pid not in ctx.units else None
                if parent_row is None or (parent_row.values and pid in done):
                    placed.append(r)
                    done.add(r.values["id"])
                elif parent_row.problems:
                    r.refuse(f"上级单位「{pid}」(第 {parent_row.row.number} 行)有错误,本行也未导入")
                else:
                    waiting.append(r)
            if len(waiting) == len(pending):  # nothing placed this round: the rest are in a loop
                for r in waiting:
                    r.refuse(f"上级单位关系成环:「{r.values['id']}」经上级单位最终又回到自身")
                break
            pending = waiting
        return placed

    return order


def _refuse_if_misfit(org: OrgRepository, row: CheckedRow, in_file: dict, ctx: Context) -> None:
    """A unit that exists must stay where it is, at its level; a parent must be known, and above it."""
    v = row.values
    found = org.get(v["id"])
    if found is not None:
        unit = found[0]
        if v["id"] not in ctx.units and not unit.retired:
            return row.refuse(f"单位编号「{v['id']}」已被管辖范围外的单位使用")
        if unit.retired:
            return row.refuse(f"单位「{v['id']}」已撤销,不能再导入")
        if unit.parent_id != (v["parent_id"] or None):
            return row.refuse(f"单位「{v['id']}」已在「{unit.parent_id or '(无)'}」之下;导入不移动单位,"
                              "请在组织架构中使用“移动”")
        if unit.level != v["level"]:
            return row.refuse(f"单位「{v['id']}」已存在,层级是{LEVEL_NAMES[unit.level]},不能改为{LEVEL_NAMES[v['level']]}")
    pid = v["parent_id"]
    if not pid:
        return None
    if pid in ctx.units:
        parent_level = ctx.units[pid]["level"]
    elif pid in in_file and pid != v["id"]:
        parent_level = in_file[pid].values["level"] if in_file[pid].values else None
        if parent_level is None:
            return None  # the parent row is wrong: `order` refuses this one with it
    else:
        return row.refuse(f"上级单位「{pid}」不在您可导入的组织架构中,也不是本文件中正确的一行")
    if LEVELS.index(v["level"]) <= LEVELS.index(parent_level):
        return row.refuse(f"{LEVEL_NAMES[v['level']]}不能设在{LEVEL_NAMES[parent_level]}「{pid}」之下")
    return None


def org_units_kind(org: OrgRepository) -> ImportKind:
    def apply(values: dict, run: ImportRun) -> str:
        found = org.get(values["id"])
        if found is None:
            org_cases.create_unit(org, values["id"], values["name"], values["level"], values["parent_id"] or None,
                                  run.principal)
            return CREATED
        if found[0].name == values["name"]:
            return UNCHANGED
        org_cases.rename_unit(org, values["id"], values["name"], run.principal)
        return UPDATED

    return ImportKind(
        name="org_units", title="组织架构", permission="org:admin",
        columns=[
            Text("id", "单位编号", example="jiayuan-g9", max_length=64, pattern=_UNIT_ID, pattern_hint=_UNIT_ID_HINT,
                 rule=_UNIT_ID_HINT + ";已有的单位按编号认出,不会重复建立", aliases=("编号", "id")),
            Text("name", "单位名称", example="家园社区第九网格", max_length=50,
                 rule="单位的全称;已有单位的名称不同时按本文件改名", aliases=("名称", "name")),
            Choice("level", "层级", example="网格", options=dict(LEVEL_NAMES),
                   rule="市、区、街道、社区、网格、居民小组或楼栋;须低于上级单位的层级", aliases=("level",)),
            Text("parent_id", "上级单位编号", required=False, example="jiayuan", max_length=64, pattern=_UNIT_ID,
                 pattern_hint=_UNIT_ID_HINT, aliases=("上级编号", "parent_id"),
                 rule="上级单位的编号:已有的单位,或本文件中另一行的单位;只有市、区可以不填"),
        ],
        apply=apply, key=lambda v: v["id"], key_label="单位编号", check=_root_level,
        prepare=_units_in_scope(org, "org:admin"), order=_parents_first(org), unit_levels=LEVELS,
        notes=("各行可按任意顺序填写:导入时先建上级单位,再建下级单位。",
               "导入不移动、不撤销单位;已在别处的单位编号会被拒绝。"))


# -- 工作人员账号

_DUTY_SPLIT = re.compile(r"[,，、;；\s]+")


@dataclass
class Duties(Column):
    """Comma-separated duties of a community worker (民政员,保障员), by label or code; in DUTIES' order."""

    def choices(self, ctx):
        return list(DUTIES.values())

    def parse(self, value, ctx):
        wanted = [d for d in _DUTY_SPLIT.split(str(value).strip()) if d]
        codes, unknown = set(), []
        for d in wanted:
            code = next((c for c, label in DUTIES.items() if d in (c, label)), None)
            codes.add(code) if code else unknown.append(d)
        if unknown:
            raise CellError(f"「{'、'.join(unknown)}」不是职责(可选:{'、'.join(DUTIES.values())})")
        return [c for c in DUTIES if c in codes]


def _duties_need_a_worker(values: dict, ctx: Context) -> dict[str, str]:
    if values["duties"] and values["role"] != "community_worker":
        return {"duties": f"只有社区工作者有职责;{ROLES[values['role']]}请不填"}
    return {}


def staff_kind(identity: Identity) -> ImportKind:
    def apply(values: dict, run: ImportRun) -> str:
        grant = RoleGrant(values["role"], values["org_unit"], tuple(values["duties"] or ()))
        user = identity.users.by_username(values["username"])
        if user is None:
            identity.create_user(run.principal, values["username"], values["name"], None, [grant],
                                 mobile=values["mobile"])
            return CREATED
        if not run.principal.can("users:admin", user.org_path):
            raise Conflict(f"用户名「{values['username']}」已被管辖范围外的账号使用")
        # the file's row is the account's role at that unit; its roles at other units stay
        grants = [grant if g.org_unit == grant.org_unit else g for g in user.grants]
        if grant not in grants:
            grants.append(grant)
        changes = {k: v for k, v in (("name", values["name"]), ("mobile", values["mobile"])) if getattr(user, k) != v}
        if grants != user.grants:
            changes["grants"] = [g.to_dict() for g in grants]
        if not changes:
            return UNCHANGED
        identity.update_user(run.principal, user.id, changes)
        return UPDATED

    return ImportKind(
        name="staff", title="工作人员账号", permission="users:admin",
        columns=[
            Text("username", "用户名", example="jiayuan_wangfang", max_length=64, pattern=r"[a-z0-9][a-z0-9_.-]{2,63}",
                 pattern_hint="用户名为 3-64 位小写字母、数字或 _ . -", aliases=("账号", "登录名", "username"),
                 rule="登录用的账号名,3-64 位小写字母、数字或 _ . -;已有的账号按用户名认出"),
            Text("name", "姓名", example="王芳", max_length=50, rule="工作人员的姓名"),
            Mobile("mobile", "手机号", example="13904321234", rule="11 位手机号或带区号的固定电话",
                   aliases=("联系电话", "电话")),
            OrgUnitRef("org_unit", "所属单位", example="家园社区", levels=LEVELS,
                       rule="单位名称或单位编号(见「代码表」),须在您的管辖范围内", aliases=("单位",)),
            Choice("role", "角色", example="社区工作者", options=dict(ROLES),
                   rule="、".join(ROLES.values()) + " 之一"),
            Duties("duties", "职责", required=False, example="民政员",
                   rule="只有社区工作者填写;可填多个,用逗号分开:" + "、".join(DUTIES.values())),
        ],
        apply=apply, key=lambda v: v["username"], key_label="用户名", check=_duties_need_a_worker,
        prepare=_units_in_scope(identity.org, "users:admin"), unit_levels=LEVELS,
        notes=("文件中不填密码:导入的账号没有可用的密码,管理员在“用户管理”中为每个账号设置初始密码后交给本人。",
               "已有账号再次导入时,按本行更新其姓名、手机号和在该单位的角色与职责;在其他单位的角色保持不变。"))


def kinds(org: OrgRepository, identity: Identity) -> list[ImportKind]:
    return [org_units_kind(org), staff_kind(identity)]
