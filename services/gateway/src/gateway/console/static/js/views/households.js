// 实有人口: households and their members, the visits due by 六必访, one household's members, visits,
// 迁出 / 搬离, and 一户一档 (the household file across the services: only with personal_data:read; every view audited).
import { api } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { label } from "../i18n.js";
import { badge, dateTime, dl, h, section, table, validators, yuan } from "../ui.js";
import { actionForm, filterBar, isoFromLocal, listCard, localNow, named, preferred, queryFrom, tabLinks, unitsWhere } from "./casework.js";

const STATUSES = { active: "在住", left: "已搬离" };

let config = null;
async function vocab() {
  if (!config) config = api.get("/api/v1/security/config").catch(() => { config = null; return {}; });
  const c = await config;
  return { groups: named(c.key_groups), relations: named(c.relationships), residences: named(c.residences), visits: named(c.visit_kinds) };
}

register("households", async ({ parts, params }) => {
  const v = await vocab();
  if (parts[0] && parts[1] === "file") return file(parts[0], v);
  if (parts[0]) return household(parts[0], v);
  return lists(params, v);
});

function address(x) {
  return [x.building, x.unit, x.room].filter(Boolean).join("-") || "";
}

async function lists(params, v) {
  const tab = params.get("tab") || "all";
  const keep = { tab };
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `实有人口 · ${unitName(state.org)}`)));
  root.append(tabLinks("/households", tab, [["all", "户籍台账"], ["queue", "待走访（六必访）"]], "实有人口"));
  if (tab === "queue") {
    root.append(filterBar("/households", params, [{ name: "within_days", label: "多少天内到期", type: "number", min: 0, max: 366, value: "7" },
      { name: "tag", label: "重点人群", type: "select", options: v.groups }], keep));
    root.append(await listCard({ title: "待走访", path: "security/visit-queue", id: "visit-queue", params, route: "/households", keep,
      query: queryFrom(params, ["tag"], { org_unit: state.org, within_days: params.get("within_days") || 7 }), exportName: `待走访-${unitName(state.org)}`,
      onOpen: (x) => go(`/households/${x.household_id}`),
      columns: [{ title: "户", render: (x) => h("a", { href: href(`/households/${x.household_id}`) }, x.household_number || address(x) || x.household_id) },
        { title: "社区/网格", render: (x) => unitName(x.org_unit_id) }, { title: "重点人群", render: (x) => (x.tags || []).map((t) => badge(label(v.groups, t), "warn")) },
        { title: "人数", class: "num", render: (x) => String(x.residents ?? "") }, { title: "走访周期", render: (x) => `${x.every_days} 天` },
        { title: "上次走访", render: (x) => dateTime(x.last_visited_at) || "从未" },
        { title: "到期", render: (x) => (x.days_overdue > 0 ? badge(`超期${x.days_overdue}天`, "danger") : `${-x.days_overdue} 天后`) }] }));
    return root;
  }
  root.append(filterBar("/households", params, [
    { name: "q", label: "户号或身份证号", maxlength: 50 },
    { name: "tag", label: "重点人群", type: "select", options: v.groups },
    { name: "residence", label: "户籍状态", type: "select", options: v.residences },
    { name: "status", label: "状态", type: "select", options: STATUSES },
    { name: "from", label: "登记自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
  root.append(await listCard({ title: "住户", path: "security/households", id: "household-list", params, route: "/households", keep,
    query: queryFrom(params, ["q", "tag", "residence", "status", "from", "to"], { org_unit: state.org }), exportName: `实有人口-${unitName(state.org)}`,
    onOpen: (x) => go(`/households/${x.id}`),
    columns: [{ title: "户号", render: (x) => h("a", { href: href(`/households/${x.id}`) }, x.household_number || "（无户号）") },
      { title: "地址", render: address }, { title: "社区/网格", render: (x) => unitName(x.org_unit_id) },
      { title: "成员", render: (x) => (x.members || []).map((m) => `${m.name}（${label(v.relations, m.relationship)}）`).join("、") },
      { title: "重点人群", render: (x) => (x.tags || []).map((t) => badge(label(v.groups, t), "warn")) },
      { title: "状态", render: (x) => label(STATUSES, x.status) }] }));
  const targets = unitsWhere("security:register");
  if (Object.keys(targets).length) {
    root.append(actionForm({ id: "household-form", title: "登记住户", button: "登记", specs: [
      { name: "org_unit_id", label: "社区/网格", type: "select", options: targets, required: true, value: preferred(targets) },
      { name: "household_number", label: "户号", maxlength: 30 },
      { name: "building", label: "楼栋", maxlength: 50 }, { name: "unit", label: "单元", maxlength: 50 }, { name: "room", label: "室", maxlength: 50 }],
    submit: (body) => api.post("/api/v1/security/households", body, { idempotent: true }),
    done: (x) => go(`/households/${x.id}`) }));
  }
  return root;
}

function memberRows(members, v, extra) {
  return table([
    { title: "姓名", render: (m) => m.name }, { title: "关系", render: (m) => label(v.relations, m.relationship) },
    { title: "身份证号", render: (m) => m.id_number || "" }, { title: "年龄", class: "num", render: (m) => (m.age ?? "") + "" },
    { title: "户籍状态", render: (m) => label(v.residences, m.residence) },
    { title: "重点人群", render: (m) => (m.tags || []).map((t) => badge(label(v.groups, t), "warn")) },
    ...(extra ? [extra] : [])], members, { empty: "无" });
}

async function household(id, v) {
  const [x, visits] = await Promise.all([api.get(`/api/v1/security/households/${encodeURIComponent(id)}`),
    api.get(`/api/v1/security/households/${encodeURIComponent(id)}/visits`, { page_size: 20 }).catch(() => ({ items: [], total: 0 }))]);
  const path = x.org_path;
  const work = can("security:register", path) && x.status === "active";
  const again = () => go(`/households/${x.id}`);
  const root = h("div", { class: "household-detail", dataset: { status: x.status } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `住户 ${x.household_number || address(x)}`), badge(label(STATUSES, x.status)),
    can("personal_data:read", path) ? h("a", { class: "button", href: href(`/households/${x.id}/file`), id: "open-file" }, "一户一档") : null,
    h("a", { class: "button", href: href("/households") }, "返回台账")));
  root.append(section("住户信息", dl([["社区/网格", unitName(x.org_unit_id)], ["地址", address(x)], ["户号", x.household_number],
    ["重点人群", (x.tags || []).map((t) => badge(label(v.groups, t), "warn"))], ["登记时间", dateTime(x.registered_at)]])));
  const moveOut = work ? { title: "操作", render: (m) => h("button", { type: "button", class: "link danger", dataset: { moveOut: m.id },
    onclick: async (e) => {
      if (!window.confirm(`确认 ${m.name} 迁出？`)) return;
      e.currentTarget.disabled = true;
      try { await api.post(`/api/v1/security/households/${x.id}/residents/${m.id}/move-out`, {}); again(); } catch (err) { e.currentTarget.disabled = false; window.alert(err.message); }
    } }, "迁出") } : null;
  root.append(section("家庭成员", memberRows(x.members || [], v, moveOut)));
  if ((x.former_members || []).length) root.append(section("已迁出成员", memberRows(x.former_members, v)));
  root.append(section(`走访记录（共 ${visits.total} 次，列出最近 ${visits.items.length} 次）`, table([
    { title: "时间", render: (w) => dateTime(w.visited_at) }, { title: "类型", render: (w) => label(v.visits, w.kind) },
    { title: "走访人", render: (w) => w.by_name || "" }, { title: "情况", render: (w) => w.findings || "（无权查看）" },
    { title: "需跟进", render: (w) => (w.follow_up_needed ? badge("需跟进", "warn") : "") }], visits.items, { empty: "还没有走访记录" })));
  if (!work) return root;
  root.append(h("div", { class: "action-forms" },
    actionForm({ id: "resident-form", title: "添加 / 更新成员", button: "保存成员", specs: [
      { name: "name", label: "姓名", required: true, maxlength: 50 },
      { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber },
      { name: "relationship", label: "与户主关系", type: "select", options: v.relations, required: true },
      { name: "residence", label: "户籍状态", type: "select", options: v.residences, required: true },
      { name: "mobile", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile },
      { name: "disabled", label: "残疾人", type: "checkbox", local: true }, { name: "dibao", label: "低保户", type: "checkbox", local: true }],
    submit: (body, form) => api.post(`/api/v1/security/households/${x.id}/residents`,
      { ...body, hand_tags: ["disabled", "dibao"].filter((t) => form.val(t)) }), done: again }),
    actionForm({ id: "visit-form", title: "记录走访", button: "保存走访", phone: true, specs: [
      { name: "visited_at", label: "走访时间", type: "datetime-local", required: true, value: localNow() },
      { name: "kind", label: "走访类型", type: "select", options: v.visits, required: true, value: "routine" },
      { name: "findings", label: "走访情况", type: "textarea", required: true, maxlength: 2000 },
      { name: "follow_up_needed", label: "需要跟进", type: "checkbox" }],
    submit: (body) => api.post(`/api/v1/security/households/${x.id}/visits`, { ...body, visited_at: isoFromLocal(body.visited_at) }), done: again }),
    actionForm({ id: "leave-form", title: "整户搬离", button: "确认搬离", specs: [],
      intro: h("p", { class: "hint" }, "全部成员迁出，此地址可登记新住户。"),
      submit: () => api.post(`/api/v1/security/households/${x.id}/leave`, {}), done: again })));
  return root;
}

async function file(id, v) {
  const x = await api.get(`/api/v1/security/households/${encodeURIComponent(id)}/file`);
  const s = x.summary || {};
  const root = h("div", { class: "household-file" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `一户一档 · ${x.household_number || address(x)}`),
    h("a", { class: "button", href: href(`/households/${x.id}`) }, "返回住户")),
  h("p", { class: "notice", role: "note" }, "本档案含个人信息，每次查看都记入审计。"));
  root.append(section("概况", dl([["地址", address(x)], ["成员", `${s.members ?? (x.members || []).length} 人`], ["在享救助", `${s.grants_active ?? 0} 项`],
    ["累计发放", `${yuan(s.payments_total_fen)} 元`], ["信访", `${s.petitions ?? 0} 件`], ["志愿服务", `${s.volunteer_hours ?? 0} 小时`]])));
  for (const m of [...(x.members || []), ...(x.former_members || [])]) {
    const a = m.activity || {};
    root.append(section(`${m.name}（${label(v.relations, m.relationship)}${m.moved_out_at ? "，已迁出" : ""}）`, dl([
      ["身份证号", m.id_number], ["手机号", m.mobile], ["户籍状态", label(v.residences, m.residence)],
      ["救助", (a.grants || []).map((g) => `${g.programme_name || g.programme}（${g.status}，每月 ${yuan(g.monthly_amount_fen)} 元）`).join("；") || "无"],
      ["信访", (a.petitions || []).map((p) => `${p.category || ""} ${p.petition_id}（${p.status}）`).join("；") || "无"],
      ["志愿服务", a.volunteer ? `${a.volunteer.hours ?? 0} 小时，爱心币 ${a.volunteer.coins_credited ?? 0}` : "无"]])));
  }
  root.append(section("走访记录", table([{ title: "时间", render: (w) => dateTime(w.visited_at) }, { title: "类型", render: (w) => label(v.visits, w.kind) },
    { title: "情况", render: (w) => w.findings || "" }], x.visit_log || [], { empty: "还没有走访记录" })));
  return root;
}
