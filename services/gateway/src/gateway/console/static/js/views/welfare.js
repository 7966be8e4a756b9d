// 民政救助: applications with household members and the eligibility explanation, community review, approval; grants.
import { api } from "../api.js";
import { can, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { APP_STATUS, EMPLOYMENT, RELATIONS, label } from "../i18n.js";
import {
  badge, busy, clear, dateTime, dl, errorText, field, h, makeForm, pager, section, table, toast, toFen, validators, yuan,
} from "../ui.js";

const RULES = {
  residence: "户籍类别", income_per_member_below_line: "家庭人均收入低于保障标准", assets_per_member_at_most: "人均金融资产",
  member_disability_grade_at_most: "家庭成员残疾等级", member_college_admitted: "家庭成员考入大学",
  medical_expenses_at_least: "医疗费用", housing_area_per_member_at_most: "人均住房面积", emergency_stated: "说明急难情况",
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
      return r.explanation || "";
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
  if (parts[0]) return detail(parts[0]);
  return list(params);
});

async function list(params) {
  const progs = await programmes();
  const names = Object.fromEntries(progs.map((p) => [p.code, p.name]));
  const tab = params.get("tab") || "applications";
  const page = Number(params.get("page") || 1);
  const size = 20;
  const query = { org_unit: state.org, page, page_size: size, status: params.get("status"), programme: params.get("programme") };
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `民政救助 · ${unitName(state.org)}`),
    can("welfare:apply") ? h("a", { class: "button primary", href: href("/welfare/new"), id: "new-application" }, "＋ 受理申请") : null));
  root.append(h("div", { class: "tabs", role: "tablist" },
    [["applications", "救助申请"], ["grants", "在保对象"]].map(([k, t]) =>
      h("a", { role: "tab", "aria-selected": String(tab === k), class: tab === k ? "on" : "", href: href("/welfare", { tab: k }) }, t))));
  const statuses = tab === "grants" ? GRANT_STATUS : { submitted: "待社区审核", in_notice: "公示中", approved: "已批准", rejected: "未批准" };
  const form = makeForm();
  const filters = h("form", { class: "filters card", role: "search" },
    field(form, { name: "status", label: "状态", type: "select", options: statuses, value: params.get("status") }),
    field(form, { name: "programme", label: "救助项目", type: "select", options: names, value: params.get("programme") }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查询")));
  filters.addEventListener("submit", (e) => { e.preventDefault(); go("/welfare", { tab, status: form.val("status"), programme: form.val("programme") }); });
  root.append(filters);
  const onPage = (n) => go("/welfare", { tab, status: params.get("status"), programme: params.get("programme"), page: n });
  if (tab === "grants") {
    const found = await api.get("/api/v1/welfare/grants", query);
    const items = found.items;
    root.append(section("在保对象", table([
      { title: "社区", render: (g) => unitName(g.org_unit_id) },
      { title: "项目", render: (g) => names[g.programme] || g.programme },
      { title: "户主", render: (g) => applicantName(g.household) },
      { title: "人数", class: "num", render: (g) => g.household_size },
      { title: "月发放额(元)", class: "num", render: (g) => yuan(g.monthly_amount_fen) },
      { title: "起始月", render: (g) => g.start_period },
      { title: "状态", render: (g) => badge(label(GRANT_STATUS, g.status)) },
    ], items, { caption: "在保对象列表" }), pager({ page, pageSize: size, total: found.total, onPage })));
    return root;
  }
  const found = await api.get("/api/v1/welfare/applications", query);
  const items = found.items;
  root.append(section("救助申请", table([
    { title: "受理时间", render: (a) => dateTime(a.submitted_at) },
    { title: "社区", render: (a) => unitName(a.org_unit_id) },
    { title: "项目", render: (a) => names[a.programme] || a.programme },
    { title: "申请人", render: (a) => h("a", { href: href(`/welfare/${a.id}`) }, applicantName(a.household)) },
    { title: "人数", class: "num", render: (a) => (a.household.members || []).length },
    { title: "核定金额(元)", class: "num", render: (a) => yuan((a.eligibility || {}).amount_fen) },
    { title: "状态", render: (a) => badge(label(APP_STATUS, a.status), `ws-${a.status}`) },
  ], items, { caption: "救助申请列表", onOpen: (a) => go(`/welfare/${a.id}`) }),
  pager({ page, pageSize: size, total: found.total, onPage })));
  return root;
}

function applicantName(household) {
  const m = ((household || {}).members || []).find((x) => x.relation === "applicant") || ((household || {}).members || [])[0];
  return m ? m.name : "";
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
  const rows = [];
  const rowBox = h("div", { class: "rows", id: "member-rows" });
  let seq = 0;
  const addMember = (relation) => {
    const key = `m${seq++}`;
    const row = { key };
    const remove = h("button", { type: "button", class: "link danger" }, "删除");
    row.el = h("fieldset", { class: "row-fields", dataset: { row: key } }, h("legend", {}, "家庭成员"),
      field(form, { name: `${key}.name`, label: "姓名", required: true, maxlength: 50 }),
      field(form, { name: `${key}.id_number`, label: "身份证号", required: true, check: validators.idNumber, maxlength: 18 }),
      field(form, { name: `${key}.relation`, label: "与申请人关系", type: "select", options: RELATIONS, required: true, value: relation }),
      field(form, { name: `${key}.monthly_income`, label: "月收入(元)", check: validators.yuan, value: "0" }),
      field(form, { name: `${key}.disability_grade`, label: "残疾等级(0为无)", type: "number", min: 0, max: 4, value: 0 }),
      field(form, { name: `${key}.employment`, label: "就业状况", type: "select", options: EMPLOYMENT, required: true, value: "unemployed" }),
      field(form, { name: `${key}.college_admitted`, label: "考入大学", type: "checkbox" }),
      remove);
    remove.addEventListener("click", () => { rows.splice(rows.indexOf(row), 1); form.remove(`${key}.`); row.el.remove(); });
    rows.push(row);
    rowBox.append(row.el);
  };
  const result = h("div", { class: "check-result", id: "eligibility-result", "aria-live": "polite" });
  const el = h("form", { class: "card form", novalidate: true, id: "application-form", "aria-labelledby": "app-title" },
    h("h1", { id: "app-title" }, "受理救助申请"),
    h("div", { class: "grid2" },
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "programme", label: "救助项目", type: "select", options: Object.fromEntries(progs.map((p) => [p.code, p.name])), required: true }),
      field(form, { name: "channel", label: "受理方式", type: "select", options: { window: "窗口受理", visit: "入户受理" }, required: true, value: "window" }),
      field(form, { name: "residence", label: "户籍类别", type: "select", options: RESIDENCE, required: true, value: "urban" }),
      field(form, { name: "address", label: "住址", maxlength: 200, wide: true }),
      field(form, { name: "financial_assets", label: "家庭金融资产(元)", check: validators.yuan, value: "0" }),
      field(form, { name: "housing_area_m2", label: "住房面积(平方米)", value: "0", check: (v) => (/^\d{1,4}(\.\d{1,2})?$/.test(v || "0") ? null : "面积（平方米），如 45.5") }),
      field(form, { name: "medical_expenses", label: "医疗费用(元)", check: validators.yuan, value: "0" }),
      field(form, { name: "requested_amount", label: "申请金额(元)", check: validators.yuan, value: "0" }),
      field(form, { name: "emergency_reason", label: "急难情况说明", type: "textarea", maxlength: 500, wide: true })),
    h("h2", {}, "家庭成员"), rowBox,
    h("div", { class: "actions" }, h("button", { type: "button", id: "add-member", onclick: () => addMember("spouse") }, "＋ 添加家庭成员")),
    result, form.error,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "check-eligibility" }, "检查资格"),
      h("button", { type: "submit", class: "primary", id: "submit-application" }, "提交申请"),
      h("a", { class: "button", href: href("/welfare") }, "取消")));
  addMember("applicant");
  const body = () => ({
    org_unit_id: form.val("org_unit_id"), programme: form.val("programme"),
    household: {
      residence: form.val("residence"), address: form.val("address"), financial_assets_fen: toFen(form.val("financial_assets")),
      housing_area_m2: form.val("housing_area_m2") || "0", medical_expenses_fen: toFen(form.val("medical_expenses")),
      requested_amount_fen: toFen(form.val("requested_amount")), emergency_reason: form.val("emergency_reason"),
      members: rows.map((r) => {
        const g = (n) => form.val(`${r.key}.${n}`);
        return { name: g("name"), id_number: g("id_number").toUpperCase(), relation: g("relation"), monthly_income_fen: toFen(g("monthly_income")),
          disability_grade: g("disability_grade") || 0, employment: g("employment"), college_admitted: g("college_admitted") };
      }),
    },
  });
  const aliases = () => {
    const a = { "household.financial_assets_fen": "financial_assets", "household.medical_expenses_fen": "medical_expenses",
      "household.requested_amount_fen": "requested_amount", "household.residence": "residence", "household.address": "address",
      "household.housing_area_m2": "housing_area_m2", "household.emergency_reason": "emergency_reason" };
    rows.forEach((r, i) => {
      for (const n of ["name", "id_number", "relation", "disability_grade", "employment"]) a[`household.members.${i}.${n}`] = `${r.key}.${n}`;
      a[`household.members.${i}.monthly_income_fen`] = `${r.key}.monthly_income`;
    });
    return a;
  };
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

