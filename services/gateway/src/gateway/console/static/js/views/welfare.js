// 民政救助: applications with household members and the eligibility explanation, community review, approval; grants.
import { api, attachmentsApi } from "../api.js";
import { can, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { filterBar, filtersOf, formCard, listSection, loaded, monthBounds, thisMonth, tabBar } from "./welfare_kit.js";
import { APP_STATUS, EMPLOYMENT, RELATIONS, label } from "../i18n.js";
import {
  attachmentsCard, badge, busy, clear, dateTime, dl, errorText, field, h, makeForm, pager, section, table, toast, toFen, validators,
  yuan,
} from "../ui.js";

const RULES = {
  residence: "户籍类别", income_per_member_below_line: "家庭人均收入低于保障标准", assets_per_member_at_most: "人均金融资产",
  member_disability_grade_at_most: "家庭成员残疾等级", member_college_admitted: "家庭成员考入大学",
  medical_expenses_at_least: "医疗费用", housing_area_per_member_at_most: "人均住房面积", emergency_stated: "说明急难情况",
  member_age_at_least: "家庭成员年龄", status_stated: "申请人身份", document_provided: "提交材料", applicant_age_by_sex_at_least: "申请人年龄",
};
const RESIDENCE = { urban: "城镇", rural: "农村" };
const GRANT_STATUS = { active: "发放中", suspended: "暂停", ended: "已终止" };

let programmesCache = null;
async function programmes() {
  if (!programmesCache) programmesCache = api.get("/api/v1/welfare/programmes", { page_size: 100 }).then((r) => r.items).catch((e) => { programmesCache = null; throw e; });
  return programmesCache;
}

/** The eligibility explanation in Chinese, from the rule's figures (the service explains in English). */
function explain(r) {
  const f = r.figures || {};
  switch (r.rule) {
    case "income_per_member_below_line":
      if (f.income_per_member_fen === undefined) return "";
      return `家庭月收入 ${yuan(f.household_income_fen)} 元，共 ${f.members} 人，人均 ${yuan(f.income_per_member_fen)} 元/月；保障标准 ${yuan(f.line_fen)} 元${f.factor && f.factor !== "1" ? ` × ${f.factor}` : ""}，即 ${yuan(f.limit_fen)} 元`;
    case "assets_per_member_at_most":
      return f.assets_per_member_fen === undefined ? "" : `人均金融资产 ${yuan(f.assets_per_member_fen)} 元，上限 ${yuan(f.limit_fen)} 元`;
    case "residence":
      return `需要${label(RESIDENCE, f.required)}户籍，本户为${label(RESIDENCE, f.actual)}`;
    case "member_disability_grade_at_most":
      return `${f.grade_at_most}级及以上残疾成员 ${f.qualifying_members} 人`;
    case "member_college_admitted":
      return `考入大学的成员 ${f.qualifying_members} 人`;
    case "medical_expenses_at_least":
      return f.medical_expenses_fen === undefined ? "" : `医疗费用 ${yuan(f.medical_expenses_fen)} 元，起付 ${yuan(f.threshold_fen)} 元`;
    case "housing_area_per_member_at_most":
      return `人均住房 ${f.area_per_member_m2} 平方米，上限 ${f.limit_m2} 平方米`;
    case "emergency_stated":
      return r.passed ? "已说明急难情况" : "未说明急难情况";
    default:
      return "";  // the service explains in English: the rule's name and 符合 / 不符合 say it in Chinese
  }
}

export function eligibilityView(e) {
  if (!e || !e.rules) return h("p", {}, "—");
  return h("div", { class: "eligibility", dataset: { eligible: String(e.eligible) } },
    h("p", { class: e.eligible ? "ok" : "bad" }, e.eligible ? `符合条件，每月/每次金额 ${yuan(e.amount_fen)} 元` : "不符合条件"),
    h("ul", {}, e.rules.map((r) => h("li", { class: r.passed ? "ok" : "bad" },
      r.passed ? "✔ " : "✘ ", h("strong", {}, RULES[r.rule] || r.rule), "：", explain(r) || (r.passed ? "符合" : "不符合")))));
}

register("welfare", async ({ parts, params }) => {
  if (parts[0] === "new") return applicationForm();
  if (parts[0] === "grants" && parts[1]) return grantDetail(parts[1]);
  if (parts[0]) return detail(parts[0]);
  return list(params);
});

const TABS = [["applications", "救助申请"], ["grants", "在保对象"], ["reviews", "到期复核"], ["disbursements", "资金发放"]];
const APPLICATION_STATUS = { submitted: "待社区审核", in_notice: "公示中", approved: "已批准", rejected: "未批准" };

async function list(params) {
  const progs = await programmes();
  const names = Object.fromEntries(progs.map((p) => [p.code, p.name]));
  const tab = params.get("tab") || "applications";
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `民政救助 · ${unitName(state.org)}`),
    can("welfare:apply") ? h("a", { class: "button primary", href: href("/welfare/new"), id: "new-application" }, "＋ 受理申请") : null));
  root.append(tabBar("/welfare", tab, TABS));
  if (tab === "reviews") return reviewsDue(root, params, names);
  if (tab === "disbursements") return disbursements(root, params, names);
  const grants = tab === "grants";
  const filters = ["status", "programme", "from", "to"];
  root.append(filterBar("/welfare", params, [
    { name: "status", label: "状态", type: "select", options: grants ? GRANT_STATUS : APPLICATION_STATUS },
    { name: "programme", label: "救助项目", type: "select", options: names },
    { name: "from", label: grants ? "起始日期从" : "受理日期从", type: "date" },
    { name: "to", label: "至", type: "date" }], { tab }));
  const query = { org_unit: state.org, ...filtersOf(params, filters), page: params.get("page") };
  const common = { query, route: "/welfare", keep: { tab, ...filtersOf(params, filters) } };
  if (grants) {
    root.append(await listSection({ ...common, title: "在保对象", id: "grants", path: "/api/v1/welfare/grants",
      exportPath: "welfare/grants", exportName: `在保对象-${unitName(state.org)}`, onOpen: (g) => go(`/welfare/grants/${g.id}`),
      columns: grantColumns(names) }));
    return root;
  }
  root.append(await listSection({ ...common, title: "救助申请", id: "applications", path: "/api/v1/welfare/applications",
    exportPath: "welfare/applications", exportName: `救助申请-${unitName(state.org)}`, onOpen: (a) => go(`/welfare/${a.id}`),
    columns: [
      { title: "受理时间", render: (a) => dateTime(a.submitted_at) },
      { title: "社区", render: (a) => unitName(a.org_unit_id) },
      { title: "项目", render: (a) => names[a.programme] || a.programme },
      { title: "申请人", render: (a) => h("a", { href: href(`/welfare/${a.id}`) }, applicantName(a.household)) },
      { title: "人数", class: "num", render: (a) => (a.household.members || []).length },
      { title: "核定金额(元)", class: "num", render: (a) => yuan((a.eligibility || {}).amount_fen) },
      { title: "状态", render: (a) => badge(label(APP_STATUS, a.status), `ws-${a.status}`) },
    ] }));
  return root;
}

function grantColumns(names) {
  return [
    { title: "社区", render: (g) => unitName(g.org_unit_id) },
    { title: "项目", render: (g) => names[g.programme] || g.programme },
    { title: "户主", render: (g) => h("a", { href: href(`/welfare/grants/${g.id}`) }, applicantName(g.household) || g.id) },
    { title: "人数", class: "num", render: (g) => g.household_size },
    { title: "月发放额(元)", class: "num", render: (g) => yuan(g.monthly_amount_fen) },
    { title: "起始月", render: (g) => g.start_period },
    { title: "下次复核", render: (g) => g.next_review_period || "—" },
    { title: "状态", render: (g) => badge(label(GRANT_STATUS, g.status)) },
  ];
}

// ---- 动态管理: grants whose re-review is due by a month

async function reviewsDue(root, params, names) {
  const period = params.get("period") || thisMonth();
  root.append(filterBar("/welfare", params, [{ name: "period", label: "复核到期月份", type: "month", value: period }], { tab: "reviews" }));
  root.append(await listSection({ title: `${period} 前到期复核`, id: "reviews-due", path: "/api/v1/welfare/grants/reviews-due",
    query: { org_unit: state.org, period, page: params.get("page") }, route: "/welfare", keep: { tab: "reviews", period },
    exportPath: "welfare/grants/reviews-due", exportName: `到期复核-${period}`, onOpen: (g) => go(`/welfare/grants/${g.id}`),
    columns: grantColumns(names), empty: "该月前没有到期复核的救助对象" }));
  return root;
}

// ---- 资金发放: the monthly run, the totals, the payment ledger

async function disbursements(root, params, names) {
  const month = thisMonth();
  const first = params.get("first") || `${month.slice(0, 4)}-01`;
  const last = params.get("last") || month;
  const programme = params.get("programme") || undefined;
  if (can("welfare:disburse")) {
    const { el } = formCard({ id: "disburse-form", title: "按月发放", button: "发放",
      note: "为本单位下所有在保对象发放所选月份的救助金；同一月份不会重复发放。",
      fields: [
        { name: "period", label: "发放月份", type: "month", required: true, value: month, max: month },
        { name: "programme", label: "救助项目（不选为全部）", type: "select", options: names }],
      submit: (form) => api.post("/api/v1/welfare/disbursements",
        { org_unit_id: state.org, period: form.val("period"), programme: form.val("programme") || undefined }, { idempotent: true }),
      done: (r) => { toast(`${r.period} 已发放 ${r.payments} 户，合计 ${yuan(r.total_fen)} 元；已发过 ${r.already_paid} 户`); go("/welfare", { tab: "disbursements" }); } });
    root.append(el);
  }
  root.append(filterBar("/welfare", params, [
    { name: "first", label: "从月份", type: "month", value: first },
    { name: "last", label: "到月份", type: "month", value: last },
    { name: "programme", label: "救助项目", type: "select", options: names }], { tab: "disbursements" }));
  const [from] = monthBounds(first);
  const [, to] = monthBounds(last);
  root.append(await loaded(`发放合计 ${first} 至 ${last}`, () => api.get("/api/v1/welfare/disbursements/totals",
    { org_unit: state.org, from, to, programme }), (t) => h("div", { id: "disbursement-totals", dataset: { totalFen: String(t.total_fen) } },
    h("p", { class: "kpi-value" }, `合计 ${yuan(t.total_fen)} 元`),
    h("div", { class: "charts" },
      totalsTable("按项目", t.by_programme, (k) => names[k] || k),
      totalsTable("按单位", t.by_org_unit, unitName),
      totalsTable("按月份", t.by_period, (k) => k)))));
  const keep = { tab: "disbursements", first, last, programme };
  root.append(await listSection({ title: "发放明细", id: "payments", path: "/api/v1/welfare/payments",
    query: { org_unit: state.org, from, to, page: params.get("page") }, route: "/welfare", keep,
    exportPath: "welfare/payments", exportName: `发放明细-${first}-${last}`, columns: paymentColumns(names) }));
  return root;
}

function paymentColumns(names) {
  return [
    { title: "月份", render: (p) => p.period },
    { title: "社区", render: (p) => unitName(p.org_unit_id) },
    { title: "项目", render: (p) => names[p.programme] || p.programme },
    { title: "救助编号", render: (p) => h("a", { href: href(`/welfare/grants/${p.grant_id}`) }, p.grant_id) },
    { title: "人数", class: "num", render: (p) => p.household_size },
    { title: "金额(元)", class: "num", render: (p) => yuan(p.amount_fen) },
    { title: "发放时间", render: (p) => dateTime(p.disbursed_at) },
  ];
}

function totalsTable(title, rows, name) {
  return h("div", {}, h("h3", {}, title), table([
    { title: "名称", render: ([k]) => name(k) },
    { title: "笔数", class: "num", render: ([, v]) => v.payments },
    { title: "金额(元)", class: "num", render: ([, v]) => yuan(v.amount_fen) },
  ], Object.entries(rows || {}), { caption: title, empty: "无发放" }));
}

function applicantName(household) {
  const m = ((household || {}).members || []).find((x) => x.relation === "applicant") || ((household || {}).members || [])[0];
  return m ? m.name : "";
}

/** The household members' rows of a form (an application, a re-review): add, remove, read, map API errors. */
function memberRows(form) {
  const rows = [];
  const rowBox = h("div", { class: "rows", id: "member-rows" });
  let seq = 0;
  const addMember = (relation, m = {}) => {
    const key = `m${seq++}`;
    const row = { key };
    const remove = h("button", { type: "button", class: "link danger" }, "删除");
    row.el = h("fieldset", { class: "row-fields", dataset: { row: key } }, h("legend", {}, "家庭成员"),
      field(form, { name: `${key}.name`, label: "姓名", required: true, maxlength: 50, value: m.name }),
      field(form, { name: `${key}.id_number`, label: "身份证号", required: true, check: validators.idNumber, maxlength: 18, value: m.id_number }),
      field(form, { name: `${key}.relation`, label: "与申请人关系", type: "select", options: RELATIONS, required: true, value: m.relation || relation }),
      field(form, { name: `${key}.monthly_income`, label: "月收入(元)", check: validators.yuan, value: m.monthly_income_fen ? yuan(m.monthly_income_fen).replace(/,/g, "") : "0" }),
      field(form, { name: `${key}.disability_grade`, label: "残疾等级(0为无)", type: "number", min: 0, max: 4, value: m.disability_grade || 0 }),
      field(form, { name: `${key}.employment`, label: "就业状况", type: "select", options: EMPLOYMENT, required: true, value: m.employment || "unemployed" }),
      field(form, { name: `${key}.college_admitted`, label: "考入大学", type: "checkbox", value: m.college_admitted }),
      remove);
    remove.addEventListener("click", () => { rows.splice(rows.indexOf(row), 1); form.remove(`${key}.`); row.el.remove(); });
    rows.push(row);
    rowBox.append(row.el);
  };
  return {
    rows, rowBox, addMember,
    members: () => rows.map((r) => {
      const g = (n) => form.val(`${r.key}.${n}`);
      return { name: g("name"), id_number: g("id_number").toUpperCase(), relation: g("relation"), monthly_income_fen: toFen(g("monthly_income")),
        disability_grade: g("disability_grade") || 0, employment: g("employment"), college_admitted: g("college_admitted") };
    }),
    aliases: (prefix) => {
      const a = {};
      rows.forEach((r, i) => {
        for (const n of ["name", "id_number", "relation", "disability_grade", "employment"]) a[`${prefix}.${i}.${n}`] = `${r.key}.${n}`;
        a[`${prefix}.${i}.monthly_income_fen`] = `${r.key}.monthly_income`;
      });
      return a;
    },
  };
}

/** A household's own figures (besides its members), as an application or a re-review states them. */
function householdFields(form, hh = {}) {
  const money = (fen) => (fen ? yuan(fen).replace(/,/g, "") : "0");
  return [
    field(form, { name: "residence", label: "户籍类别", type: "select", options: RESIDENCE, required: true, value: hh.residence || "urban" }),
    field(form, { name: "address", label: "住址", maxlength: 200, wide: true, value: hh.address }),
    field(form, { name: "financial_assets", label: "家庭金融资产(元)", check: validators.yuan, value: money(hh.financial_assets_fen) }),
    field(form, { name: "housing_area_m2", label: "住房面积(平方米)", value: hh.housing_area_m2 || "0", check: (v) => (/^\d{1,4}(\.\d{1,2})?$/.test(v || "0") ? null : "面积（平方米），如 45.5") }),
    field(form, { name: "medical_expenses", label: "医疗费用(元)", check: validators.yuan, value: money(hh.medical_expenses_fen) }),
    field(form, { name: "requested_amount", label: "申请金额(元)", check: validators.yuan, value: money(hh.requested_amount_fen) }),
    field(form, { name: "emergency_reason", label: "急难情况说明", type: "textarea", maxlength: 500, wide: true, value: hh.emergency_reason }),
  ];
}

function householdBody(form, household, stated = {}) {
  return {
    stated_statuses: stated.stated_statuses || [], documents_provided: stated.documents_provided || [],
    residence: form.val("residence"), address: form.val("address"), financial_assets_fen: toFen(form.val("financial_assets")),
    housing_area_m2: form.val("housing_area_m2") || "0", medical_expenses_fen: toFen(form.val("medical_expenses")),
    requested_amount_fen: toFen(form.val("requested_amount")), emergency_reason: form.val("emergency_reason"),
    members: household.members(),
  };
}

const HOUSEHOLD_ALIASES = { "household.financial_assets_fen": "financial_assets", "household.medical_expenses_fen": "medical_expenses",
  "household.requested_amount_fen": "requested_amount", "household.residence": "residence", "household.address": "address",
  "household.housing_area_m2": "housing_area_m2", "household.emergency_reason": "emergency_reason" };

/**
 * What the chosen programme asks the applicant to state (优抚对象, 困难党员) and hand in (its documents): checkboxes
 * that change with the programme, read as `stated_statuses` and `documents_provided`.
 */
function programmeMaterials(form, progs) {
  const el = h("fieldset", { class: "row-fields", id: "programme-materials" }, h("legend", {}, "身份声明与申请材料"));
  let shown = { statuses: [], documents: [] };
  const render = () => {
    form.remove("stated."); form.remove("document.");
    const p = progs.find((x) => x.code === form.val("programme"));
    shown = { statuses: ((p && p.rules) || []).filter((r) => r.rule === "status_stated"), documents: (p && p.documents) || [] };
    clear(el, h("legend", {}, "身份声明与申请材料"),
      shown.statuses.map((r) => field(form, { name: `stated.${r.status}`, label: `申请人是${r.label || r.status}`, type: "checkbox" })),
      shown.documents.map((d, i) => field(form, { name: `document.${i}`, label: `已交${d}`, type: "checkbox" })),
      p ? null : h("p", { class: "hint" }, "请先选择救助项目"));
  };
  form.get("programme").input.addEventListener("change", render);
  render();
  return {
    el,
    stated: () => ({ stated_statuses: shown.statuses.map((r) => r.status).filter((c) => form.val(`stated.${c}`)),
      documents_provided: shown.documents.filter((d, i) => form.val(`document.${i}`)) }),
  };
}

// ---- a new application

async function applicationForm() {
  const progs = await programmes();
  const here = unit();
  const targets = {};
  for (const u of [here, ...communitiesUnder(state.org)]) {
    if (u && u.level === "community" && can("welfare:apply", u.path)) targets[u.id] = u.name;
  }
  const form = makeForm();
  const household = memberRows(form);
  const { rowBox, addMember } = household;
  const result = h("div", { class: "check-result", id: "eligibility-result", "aria-live": "polite" });
  const el = h("form", { class: "card form", novalidate: true, id: "application-form", "aria-labelledby": "app-title" },
    h("h1", { id: "app-title" }, "受理救助申请"),
    h("div", { class: "grid2" },
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "programme", label: "救助项目", type: "select", options: Object.fromEntries(progs.map((p) => [p.code, p.name])), required: true }),
      field(form, { name: "channel", label: "受理方式", type: "select", options: { window: "窗口受理", visit: "入户受理" }, required: true, value: "window" }),
      householdFields(form)),
    h("h2", {}, "家庭成员"), rowBox,
    h("div", { class: "actions" }, h("button", { type: "button", id: "add-member", onclick: () => addMember("spouse") }, "＋ 添加家庭成员")),
    result, form.error,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "check-eligibility" }, "检查资格"),
      h("button", { type: "submit", class: "primary", id: "submit-application" }, "提交申请"),
      h("a", { class: "button", href: href("/welfare") }, "取消")));
  addMember("applicant");
  const materials = programmeMaterials(form, progs);
  rowBox.previousElementSibling.before(materials.el);  // before the members' heading
  const body = () => ({ org_unit_id: form.val("org_unit_id"), programme: form.val("programme"), household: householdBody(form, household, materials.stated()) });
  const aliases = () => ({ ...HOUSEHOLD_ALIASES, ...household.aliases("household.members") });
  const check = el.querySelector("#check-eligibility");
  check.addEventListener("click", async () => {
    if (!form.validate()) return;
    try {
      const e = await busy(check, api.post("/api/v1/welfare/eligibility-checks", body()));
      clear(result, h("h2", {}, "资格核对"), eligibilityView(e));
    } catch (err) { form.showApiError(err, aliases()); }
  });
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!form.validate()) return;
    try {
      const app = await busy(el.querySelector("[type=submit]"),
        api.post("/api/v1/welfare/applications", { ...body(), channel: form.val("channel") }, { idempotent: true }));
      toast("申请已受理");
      go(`/welfare/${app.id}`);
    } catch (err) { form.showApiError(err, aliases()); }
  });
  return el;
}

// ---- one application

async function detail(id) {
  const [a, progs] = await Promise.all([api.get(`/api/v1/welfare/applications/${encodeURIComponent(id)}`), programmes()]);
  const prog = progs.find((p) => p.code === a.programme) || { name: a.programme, notice_days: 7 };
  const personal = can("personal_data:read", (unit(a.org_unit_id) || {}).path);
  const root = h("div", { class: "welfare-detail", dataset: { status: a.status } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${prog.name}申请 · ${applicantName(a.household)}`),
    badge(label(APP_STATUS, a.status), `ws-${a.status}`), h("a", { class: "button", href: href("/welfare") }, "返回列表")));
  root.append(section("申请信息", dl([
    ["编号", a.id], ["社区", unitName(a.org_unit_id)], ["项目", prog.name], ["受理时间", dateTime(a.submitted_at)],
    ["户籍类别", label(RESIDENCE, a.household.residence)], ["住址", a.household.address],
    ["家庭金融资产", a.household.financial_assets_fen === null ? "（无权查看）" : `${yuan(a.household.financial_assets_fen)} 元`],
    a.notice_ends_at ? ["公示期至", dateTime(a.notice_ends_at)] : null,
    a.grant_id ? ["救助编号", a.grant_id] : null,
    a.rejection ? ["未批准原因", a.rejection.reason] : null,
  ])));
  root.append(section("家庭成员", table([
    { title: "姓名", render: (m) => m.name }, { title: "关系", render: (m) => label(RELATIONS, m.relation) },
    { title: "身份证号", render: (m) => m.id_number },
    { title: "月收入(元)", class: "num", render: (m) => (m.monthly_income_fen === null || m.monthly_income_fen === undefined ? "—" : yuan(m.monthly_income_fen)) },
    { title: "残疾等级", render: (m) => m.disability_grade || "无" }, { title: "就业", render: (m) => label(EMPLOYMENT, m.employment) },
  ], a.household.members || [])));
  root.append(section("资格核对", personal ? eligibilityView(a.eligibility)
    : h("p", {}, (a.eligibility || {}).eligible ? "符合条件" : "不符合条件", "（收入等明细仅限有个人信息查看权限的人员）")));
  const path = (unit(a.org_unit_id) || {}).path;
  // the materials the programme names, each uploaded under its name: what is still missing shows (#22)
  root.append(attachmentsCard({ path: `/api/v1/welfare/applications/${encodeURIComponent(a.id)}/attachments`, api: attachmentsApi,
    me: state.user.id, title: "申请材料", required: prog.documents || [], canEdit: can("welfare:review", path),
    closed: ["approved", "rejected"].includes(a.status) }));
  const actions = h("div", { class: "action-forms" });
  if (a.status === "submitted" && can("welfare:review", path)) actions.append(reviewForm(a, prog));
  if (a.status === "in_notice" && can("welfare:approve", path)) {
    const approve = h("button", { type: "button", class: "primary", id: "approve" }, "审批通过");
    const err = h("p", { class: "form-error", role: "alert" });
    approve.addEventListener("click", async () => {
      try {
        const r = await busy(approve, api.post(`/api/v1/welfare/applications/${a.id}/approval`, {}));
        toast(`已批准，每月 ${yuan(r.grant.monthly_amount_fen)} 元`);
        go(`/welfare/${a.id}`);
      } catch (ex) { err.textContent = errorText(ex); }
    });
    actions.append(h("section", { class: "card" }, h("h2", {}, "街道审批"),
      h("p", {}, `公示期至 ${dateTime(a.notice_ends_at)}；公示期满且无异议后可审批。`), err, h("div", { class: "actions" }, approve)));
  }
  if (["submitted", "in_notice"].includes(a.status) && (can("welfare:review", path) || can("welfare:approve", path))) actions.append(rejectForm(a));
  if (actions.childElementCount) root.append(actions);
  root.append(objections(a, path));
  root.append(section("办理记录", h("ol", { class: "timeline" }, (a.history || []).map((x) =>
    h("li", {}, h("time", {}, dateTime(x.at)), " ", h("strong", {}, HISTORY[x.step] || x.step), x.note ? ` — ${x.note}` : "")))));
  return root;
}

const HISTORY = { submitted: "受理", community_reviewed: "社区审核通过，进入公示", approved: "街道审批通过", rejected: "未批准",
  objection: "收到异议", objection_resolved: "异议处理" };

function reviewForm(a, prog) {
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: "review-form" }, h("h2", {}, "社区审核"),
    h("div", { class: "grid2" },
      field(form, { name: "decision", label: "审核意见", type: "select", options: { pass: "通过，进入公示", fail: "不通过" }, required: true, value: "pass" }),
      field(form, { name: "notice_days", label: "公示天数", type: "number", min: 0, max: 60, value: prog.notice_days ?? 7, required: true }),
      field(form, { name: "note", label: "说明", type: "textarea", maxlength: 1000, wide: true })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "提交审核")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    try {
      await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/welfare/applications/${a.id}/community-review`,
        { decision: form.val("decision"), notice_days: form.val("notice_days"), note: form.val("note") }));
      toast("审核已提交");
      go(`/welfare/${a.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

function rejectForm(a) {
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: "reject-form" }, h("h2", {}, "不予批准"),
    field(form, { name: "reason", label: "原因", type: "textarea", required: true, maxlength: 2000, wide: true }),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, "不予批准")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    try {
      await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/welfare/applications/${a.id}/rejection`, { reason: form.val("reason") }));
      toast("已不予批准");
      go(`/welfare/${a.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}


// ---- 公示 objections: recorded during the notice, each resolved (upheld rejects the application)

const UPHELD = { false: "不成立，继续公示", true: "成立，不予批准" };

function objections(a, path) {
  const list = a.objections || [];
  const box = h("section", { class: "card", id: "objections", "aria-labelledby": "objections-title" }, h("h2", { id: "objections-title" }, "公示异议"));
  box.append(table([
    { title: "提出时间", render: (o) => dateTime(o.at) },
    { title: "异议内容", render: (o) => o.text },
    { title: "处理结果", render: (o) => (o.resolution ? `${o.resolution.upheld ? "成立" : "不成立"}：${o.resolution.note || ""}` : badge("待处理", "warn")) },
  ], list, { caption: "公示异议", empty: "公示期内没有异议" }));
  if (a.status !== "in_notice" || !can("welfare:review", path)) return box;
  for (const o of list.filter((x) => !x.resolution)) {
    box.append(formCard({ id: `resolve-${o.id}`, title: `处理异议：${o.text.slice(0, 20)}`, button: "提交处理结果", heading: "h3",
      fields: [
        { name: "upheld", label: "异议是否成立", type: "select", options: UPHELD, required: true, value: "false" },
        { name: "note", label: "核实情况", type: "textarea", required: true, maxlength: 2000, wide: true }],
      submit: (form) => api.post(`/api/v1/welfare/applications/${a.id}/objections/${o.id}/resolution`,
        { upheld: form.val("upheld") === "true", note: form.val("note") }),
      done: () => { toast("异议已处理"); go(`/welfare/${a.id}`); } }).el);
  }
  box.append(formCard({ id: "objection-form", title: "登记异议", button: "登记异议", heading: "h3",
    fields: [
      { name: "text", label: "异议内容", type: "textarea", required: true, maxlength: 2000, wide: true },
      { name: "raised_by", label: "提出人（可不填）", maxlength: 100 }],
    submit: (form) => api.post(`/api/v1/welfare/applications/${a.id}/objections`,
      { text: form.val("text"), raised_by: form.val("raised_by") || undefined }, { idempotent: true }),
    done: () => { toast("异议已登记，处理前不能审批"); go(`/welfare/${a.id}`); } }).el);
  return box;
}

// ---- one grant: its household, re-reviews (动态管理), payments; re-review and end

const OUTCOME = { continued: "继续享受", suspended: "暂停发放", ended: "终止救助", resumed: "恢复发放", still_suspended: "仍暂停" };

async function grantDetail(id) {
  const [g, progs] = await Promise.all([api.get(`/api/v1/welfare/grants/${encodeURIComponent(id)}`), programmes()]);
  const names = Object.fromEntries(progs.map((p) => [p.code, p.name]));
  const path = (unit(g.org_unit_id) || {}).path;
  const root = h("div", { class: "grant-detail", dataset: { status: g.status } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${names[g.programme] || g.programme} · ${applicantName(g.household) || g.id}`),
    badge(label(GRANT_STATUS, g.status)), h("a", { class: "button", href: href("/welfare", { tab: "grants" }) }, "返回在保对象")));
  root.append(section("救助信息", dl([
    ["救助编号", g.id], ["社区", unitName(g.org_unit_id)], ["项目", names[g.programme] || g.programme],
    ["月发放额", `${yuan(g.monthly_amount_fen)} 元`], ["家庭人数", g.household_size], ["起始月", g.start_period],
    ["下次复核", g.next_review_period || "—"], g.application_id ? ["申请", h("a", { href: href(`/welfare/${g.application_id}`) }, "查看申请")] : null,
    g.imported ? ["来源", "花名册导入"] : null,
  ])));
  root.append(section("家庭成员", table([
    { title: "姓名", render: (m) => m.name }, { title: "关系", render: (m) => label(RELATIONS, m.relation) },
    { title: "身份证号", render: (m) => m.id_number },
    { title: "月收入(元)", class: "num", render: (m) => (m.monthly_income_fen === null || m.monthly_income_fen === undefined ? "—" : yuan(m.monthly_income_fen)) },
  ], (g.household || {}).members || [], { caption: "家庭成员" })));
  root.append(section("复核记录", table([
    { title: "复核时间", render: (r) => dateTime(r.at) },
    { title: "结果", render: (r) => label(OUTCOME, r.outcome) },
    { title: "资格", render: (r) => ((r.eligibility || {}).eligible ? "符合条件" : "不符合条件") },
  ], g.reviews || [], { caption: "复核记录", empty: "尚未复核" })));
  const actions = h("div", { class: "action-forms" });
  if (g.status !== "ended" && can("welfare:review", path)) actions.append(rereviewForm(g));
  if (g.status !== "ended" && can("welfare:approve", path)) {
    actions.append(formCard({ id: "end-grant-form", title: "终止救助", button: "终止救助", kind: "danger",
      fields: [{ name: "reason", label: "终止原因", type: "textarea", required: true, maxlength: 2000, wide: true }],
      submit: (form) => api.post(`/api/v1/welfare/grants/${g.id}/end`, { reason: form.val("reason") }),
      done: () => { toast("救助已终止"); go(`/welfare/grants/${g.id}`); } }).el);
  }
  if (actions.childElementCount) root.append(actions);
  const page = 1;
  root.append(await loaded("发放记录", () => api.get("/api/v1/welfare/payments", { grant_id: g.id, page, page_size: 100 }),
    (found) => h("div", {}, table(paymentColumns(names).filter((c) => c.title !== "救助编号"), found.items, { caption: "发放记录", empty: "尚未发放" }),
      found.total > found.items.length ? h("p", { class: "hint" }, `共 ${found.total} 笔，显示最近 ${found.items.length} 笔；全部见“资金发放”`) : null)));
  return root;
}

/** 动态管理: the household's figures now; the grant continues, or is suspended / ended when no longer eligible. */
function rereviewForm(g) {
  const hh = g.household || {};
  const masked = (hh.members || []).some((m) => !m.id_number || /\*/.test(m.id_number));
  if (masked) {
    return section("定期复核", h("p", { class: "notice" }, "复核需要查看家庭成员的身份证号和收入，请由有个人信息查看权限的民政员办理。"));
  }
  const form = makeForm();
  const household = memberRows(form);
  const el = h("form", { class: "card form", novalidate: true, id: "rereview-form", "aria-labelledby": "rereview-title" },
    h("h2", { id: "rereview-title" }, "定期复核"),
    h("p", { class: "hint" }, "按家庭现在的情况填写；仍符合条件的继续发放。"),
    h("div", { class: "grid2" }, householdFields(form, hh),
      field(form, { name: "if_failed", label: "不再符合条件时", type: "select", options: { suspend: "暂停发放", end: "终止救助" }, required: true, value: "suspend" })),
    h("h3", {}, "家庭成员"), household.rowBox,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => household.addMember("spouse") }, "＋ 添加家庭成员")),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "提交复核")));
  for (const m of hh.members || []) household.addMember(m.relation, m);
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    try {
      const r = await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/welfare/grants/${g.id}/re-reviews`,
        { household: householdBody(form, household, hh), if_failed: form.val("if_failed") }));
      toast(`复核完成：${label(OUTCOME, r.outcome) || label(GRANT_STATUS, r.status)}`);
      go(`/welfare/grants/${g.id}`);
    } catch (err) { form.showApiError(err, { ...HOUSEHOLD_ALIASES, ...household.aliases("household.members") }); }
  });
  return el;
}
