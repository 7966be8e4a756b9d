// 走访帮扶: household visits logged at the door (on a phone, one thumb), pairings (结对帮扶) with their plan and
// visits, and the visits per worker ("走访1216次").
import { api } from "../api.js";
import { can, go, href, register, state, unit, unitName } from "../app.js";
import { badge, dateTime, day, dl, field, h, section, table, toast, toFen, todayLocal, validators, yuan } from "../ui.js";
import {
  PERIOD_FILTERS, communityChoices, filterBar, filtersOf, formCard, fromLocalTime, linkButton, listSection, loaded, nowLocalTime,
  pageHead, shown, tabBar, unitField,
} from "./welfare_kit.js";

const VISIT_KINDS = { home: "入户走访", condolence: "慰问", pairing: "结对帮扶走访" };
const HELPERS = { cadre: "干部", volunteer: "志愿者", party_member: "党员" };
const VISIT_LEVELS = ["community", "grid"];  // a grid worker visits in their grid
const END_REASONS = { no_longer_needed: "已脱困，不再需要", helper_left: "帮扶人调离", household_moved: "家庭迁出", other: "其他" };
const PAIRING_STATUS = { active: "帮扶中", ended: "已结束" };

register("visits", async ({ parts, params }) => {
  if (parts[0] === "new") return visitForm(params);
  if (parts[0] === "pairing") return pairingForm();
  if (parts[0] === "pairings" && parts[1]) return pairingDetail(parts[1]);
  return overview(params);
});

async function overview(params) {
  const visit = Object.keys(communityChoices("welfare:visit", VISIT_LEVELS)).length;
  const tab = params.get("tab") || "counts";
  const root = h("div", {}, pageHead(`走访帮扶 · ${unitName(state.org)}`,
    visit ? linkButton("＋ 记录走访", "/visits/new", {}, { id: "go-visit" }) : null,
    visit ? linkButton("＋ 结对帮扶", "/visits/pairing", {}, { id: "go-pairing" }) : null));
  root.append(tabBar("/visits", tab, [["counts", "走访统计"], ["records", "走访记录"], ["pairings", "结对帮扶"]]));
  if (tab === "records") return visitList(root, params);
  if (tab === "pairings") return pairingList(root, params);
  const from = params.get("from") || `${todayLocal().slice(0, 7)}-01`;
  const to = params.get("to") || todayLocal();
  root.append(filterBar("/visits", params, [
    { name: "from", label: "开始日期", type: "date", value: from }, { name: "to", label: "结束日期", type: "date", value: to }]));
  root.append(await loaded(`走访统计（${from} 至 ${to}）`, () => api.get("/api/v1/welfare/visits/counts", { org_unit: state.org, from, to }),
    (c) => h("div", { id: "visit-counts", dataset: { visits: String(c.visits) } },
      h("p", {}, `共走访 ${c.visits} 次，慰问金 ${yuan(c.money_fen)} 元`),
      table([
        { title: "走访人", render: ([, w]) => w.visitor_name || "—" },
        { title: "走访次数", class: "num", render: ([, w]) => w.visits },
        { title: "其中", render: ([, w]) => Object.entries(w.by_kind || {}).map(([k, n]) => `${VISIT_KINDS[k] || k} ${n}`).join("，") },
      ], Object.entries(c.per_worker || {}).sort((a, b) => b[1].visits - a[1].visits), { caption: "按走访人统计", empty: "该期间没有走访" }))));
  return root;
}

/** 走访记录: every visit in the unit chosen, newest first; whom and the notes are masked by welfare for a role
 * without personal_data:read. */
async function visitList(root, params) {
  const tab = "records";
  const names = ["kind", "visitor_id", "from", "to"];
  root.append(filterBar("/visits", params, [
    { name: "kind", label: "走访类型", type: "select", options: VISIT_KINDS },
    { name: "visitor_id", label: "走访人编号", maxlength: 80 }, ...PERIOD_FILTERS], { tab }));
  root.append(await listSection({ title: "走访记录", id: "visit-list", path: "/api/v1/welfare/visits",
    query: { org_unit: state.org, ...filtersOf(params, names), page: params.get("page") }, route: "/visits",
    keep: { tab, ...filtersOf(params, names) }, exportPath: "welfare/visits", exportName: `走访记录-${unitName(state.org)}`,
    empty: "没有符合条件的走访", columns: [
      { title: "时间", render: (v) => dateTime(v.visited_at) },
      { title: "单位", render: (v) => unitName(v.org_unit_id) },
      { title: "类型", render: (v) => VISIT_KINDS[v.kind] || v.kind },
      { title: "走访对象", render: (v) => v.pairing_id ? h("a", { href: href(`/visits/pairings/${encodeURIComponent(v.pairing_id)}`) }, shown(v.visited)) : shown(v.visited) },
      { title: "走访人", render: (v) => v.visitor_name || v.visitor_id },
      { title: "慰问金(元)", class: "num", render: (v) => yuan(v.money_fen) },
      { title: "需跟进", render: (v) => shown(v.follow_up) },
    ] }));
  return root;
}

/** 结对帮扶: the pairings of the unit chosen, newest first by 结对日期; a row opens the pairing. */
async function pairingList(root, params) {
  const tab = "pairings";
  const names = ["status", "helper_kind", "helper_id", "household", "from", "to"];
  root.append(filterBar("/visits", params, [
    { name: "status", label: "状态", type: "select", options: PAIRING_STATUS },
    { name: "helper_kind", label: "帮扶人身份", type: "select", options: HELPERS },
    { name: "helper_id", label: "帮扶人编号", maxlength: 80 },
    { name: "household", label: "帮扶家庭（与结对时填写的一致）", maxlength: 200 }, ...PERIOD_FILTERS], { tab }));
  root.append(await listSection({ title: "结对帮扶", id: "pairing-list", path: "/api/v1/welfare/pairings",
    query: { org_unit: state.org, ...filtersOf(params, names), page: params.get("page") }, route: "/visits",
    keep: { tab, ...filtersOf(params, names) }, exportPath: "welfare/pairings", exportName: `结对帮扶-${unitName(state.org)}`,
    empty: "没有符合条件的结对", columns: [
      { title: "结对日期", render: (p) => day(p.started_on) },
      { title: "单位", render: (p) => unitName(p.org_unit_id) },
      { title: "帮扶家庭", render: (p) => h("a", { href: href(`/visits/pairings/${encodeURIComponent(p._id || p.id)}`) }, shown(p.household)) },
      { title: "帮扶人", render: (p) => `${p.helper_name}（${HELPERS[p.helper_kind] || p.helper_kind}）` },
      { title: "状态", render: (p) => badge(PAIRING_STATUS[p.status] || p.status, p.status === "active" ? "ok" : "") },
      { title: "结束日期", render: (p) => (p.ended_on ? day(p.ended_on) : "—") },
    ] }));
  root.append(formCard({ id: "find-pairing", title: "按编号查看结对", button: "查看", kind: "",
    fields: [{ name: "id", label: "结对编号", required: true, maxlength: 120 }],
    submit: async (form) => form.val("id"), done: (id) => go(`/visits/pairings/${encodeURIComponent(id)}`) }).el);
  return root;
}

/** Logged standing at the door: one column, big fields, the time now, the pairing when it is one's visit. */
async function visitForm(params) {
  const pairingId = params.get("pairing");
  const pairing = pairingId ? await api.get(`/api/v1/welfare/pairings/${encodeURIComponent(pairingId)}`) : null;
  const { el, form: visit } = formCard({ id: "visit-form", title: pairing ? `结对走访 · ${pairing.household}` : "记录走访", heading: "h1", button: "保存走访", thumb: true,
    fields: (form) => [
      pairing ? null : unitField(form, "welfare:visit", { levels: VISIT_LEVELS }),
      pairing ? null : field(form, { name: "kind", label: "走访类型", type: "select", options: { home: VISIT_KINDS.home, condolence: VISIT_KINDS.condolence }, required: true, value: "home" }),
      field(form, { name: "visited", label: "走访对象（姓名或门牌）", required: true, maxlength: 200, value: pairing ? pairing.household : undefined }),
      field(form, { name: "visited_at", label: "走访时间", type: "datetime-local", required: true, value: nowLocalTime(),
        check: (v) => (v && v.slice(0, 10) > todayLocal() ? "不能晚于今天" : null) }),
      field(form, { name: "notes", label: "家庭情况", type: "textarea", maxlength: 2000, rows: 4 }),
      field(form, { name: "money", label: "慰问金(元)", check: validators.yuan, value: "0" }),
      field(form, { name: "goods", label: "慰问物品", maxlength: 500 }),
      field(form, { name: "follow_up", label: "需跟进事项", type: "textarea", maxlength: 1000, rows: 2 }),
    ].filter(Boolean),
    aliases: { money_fen: "money" },
    submit: (form) => api.post("/api/v1/welfare/visits", {
      org_unit_id: pairing ? pairing.org_unit_id : form.val("org_unit_id"), kind: pairing ? undefined : form.val("kind"),
      pairing_id: pairing ? pairing._id || pairing.id : undefined, visited: form.val("visited"),
      visited_at: fromLocalTime(form.val("visited_at")), notes: form.val("notes"), money_fen: toFen(form.val("money")),
      goods: form.val("goods"), follow_up: form.val("follow_up") }, { idempotent: true }),
    done: () => {
      toast("走访已保存");
      if (pairing) go(`/visits/pairings/${pairing._id || pairing.id}`); else go("/visits");
    },
  });
  visit.get("money").input.setAttribute("inputmode", "decimal");  // the phone's number pad
  return el;
}

function pairingForm() {
  return formCard({ id: "pairing-form", title: "结对帮扶", heading: "h1", button: "建立结对", thumb: true,
    fields: (form) => [
      unitField(form, "welfare:visit", { levels: VISIT_LEVELS }),
      field(form, { name: "household", label: "帮扶家庭", required: true, maxlength: 200 }),
      field(form, { name: "helper_name", label: "帮扶人", required: true, maxlength: 50 }),
      field(form, { name: "helper_id", label: "帮扶人编号（工号或手机号）", required: true, maxlength: 80 }),
      field(form, { name: "helper_kind", label: "帮扶人身份", type: "select", options: HELPERS, required: true, value: "cadre" }),
      field(form, { name: "plan", label: "帮扶计划", type: "textarea", required: true, maxlength: 4000, rows: 4 }),
      field(form, { name: "goals", label: "帮扶目标（每行一条）", type: "textarea", maxlength: 2000, rows: 3 }),
      field(form, { name: "started_on", label: "结对日期", type: "date", value: todayLocal(), max: todayLocal(),
        check: (v) => (v && v > todayLocal() ? "不能晚于今天" : null) }),
    ],
    submit: (form) => api.post("/api/v1/welfare/pairings", {
      org_unit_id: form.val("org_unit_id"), household: form.val("household"), helper_name: form.val("helper_name"),
      helper_id: form.val("helper_id"), helper_kind: form.val("helper_kind"), plan: form.val("plan"),
      goals: form.val("goals").split("\n").map((g) => g.trim()).filter(Boolean), started_on: form.val("started_on") || undefined,
    }, { idempotent: true }),
    done: (p) => { toast("结对已建立"); go(`/visits/pairings/${p._id || p.id}`); },
  }).el;
}

async function pairingDetail(id) {
  const p = await api.get(`/api/v1/welfare/pairings/${encodeURIComponent(id)}`);
  const pid = p._id || p.id;
  const path = (unit(p.org_unit_id) || {}).path;
  const active = p.status === "active";
  const root = h("div", { class: "pairing", dataset: { status: p.status } }, pageHead(`结对帮扶 · ${p.household}`,
    badge(active ? "帮扶中" : "已结束", active ? "ok" : ""),
    active && can("welfare:visit", path) ? linkButton("＋ 记录走访", "/visits/new", { pairing: pid }, { id: "go-pairing-visit" }) : null));
  root.append(section("结对信息", dl([["结对编号", pid], ["社区", unitName(p.org_unit_id)], ["帮扶人", `${p.helper_name}（${HELPERS[p.helper_kind] || p.helper_kind}）`],
    ["结对日期", day(p.started_on)], p.ended_on ? ["结束日期", `${day(p.ended_on)}（${END_REASONS[p.end_reason] || p.end_reason}）`] : null,
    ["帮扶计划", h("span", { class: "pre" }, p.plan)], (p.goals || []).length ? ["帮扶目标", h("ul", {}, p.goals.map((g) => h("li", {}, g)))] : null])));
  root.append(section("走访记录", table([
    { title: "时间", render: (v) => dateTime(v.visited_at) },
    { title: "走访人", render: (v) => v.visitor_name },
    { title: "情况", render: (v) => v.notes },
    { title: "慰问金(元)", class: "num", render: (v) => yuan(v.money_fen) },
    { title: "需跟进", render: (v) => v.follow_up },
  ], p.visits || [], { caption: "走访记录", empty: "尚无走访" })));
  if (active && can("welfare:visit", path)) {
    root.append(formCard({ id: "end-pairing-form", title: "结束结对", button: "结束结对", kind: "danger",
      fields: [
        { name: "reason", label: "结束原因", type: "select", options: END_REASONS, required: true },
        { name: "ended_on", label: "结束日期", type: "date", value: todayLocal(), max: todayLocal() }],
      submit: (form) => api.post(`/api/v1/welfare/pairings/${pid}/end`, { reason: form.val("reason"), ended_on: form.val("ended_on") || undefined }),
      done: () => { toast("结对已结束"); go(`/visits/pairings/${pid}`); } }).el);
  }
  root.append(h("p", {}, h("a", { href: href("/visits") }, "返回走访帮扶")));
  return root;
}
