// 信访接待: the case board (deadlines, overdue), intake with group petitions, assignment (五明确), answer, close.
import { api, attachmentsApi, request } from "../api.js";
import { can, canAnywhere, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { CHANNELS, HANDLING_MODES, LEVELS, PETITION_STATES, RISK_FLAGS, SATISFACTION, UNIT_KINDS, label } from "../i18n.js";
import { actionForm, filterBar, listCard } from "./casework.js";
import {
  attachmentField, attachmentsCard, badge, busy, clear, dateTime, day, dl, errorText, exportButtons, field, fileChosen, h, makeForm,
  pager, section, sendAttachment, table, toast, todayLocal, validators,
} from "../ui.js";

const ACTIONS = {
  register: "受理登记", risk_flagged: "预警", assign: "交办", start: "开始办理", answer: "书面答复", close: "办结",
  reopen: "重新办理", escalate: "上报", suspend: "挂起", resume: "恢复办理", supervise: "督办", overdue: "超期",
  reminder: "到期提醒", mediation: "调解", link: "关联同一事项",
};

let configCache = null;
export async function petitionConfig() {
  if (!configCache) configCache = api.get("/api/v1/petition/config").catch((e) => { configCache = null; throw e; });
  return configCache;
}

function daysLeft(deadline) {
  if (!deadline) return null;
  const ms = new Date(deadline.slice(0, 10) + "T00:00:00Z") - new Date(todayLocal() + "T00:00:00Z");
  return Math.round(ms / 86400000);
}

export function deadlineCell(p) {
  if (!p.deadline) return "";
  const open = !["answered", "closed"].includes(p.state);
  const left = daysLeft(p.deadline);
  if (open && (p.overdue || left < 0)) return h("span", { class: "deadline overdue" }, day(p.deadline), " ", badge("已超期", "danger"));
  if (open && left <= 2) return h("span", { class: "deadline soon" }, day(p.deadline), " ", badge(`剩${left}天`, "warn"));
  return h("span", { class: "deadline" }, day(p.deadline));
}

register("petitions", async ({ parts, params }) => {
  if (parts[0] === "new") return intake();
  if (parts[0] === "roster") return roster(params);
  if (parts[0]) return detail(parts[0]);
  return board(params);
});

// ---- the case board

async function board(params) {
  const cfg = await petitionConfig();
  const cats = Object.fromEntries(Object.entries(cfg.categories || {}).map(([k, v]) => [k, v.name]));
  const page = Number(params.get("page") || 1);
  const query = { org_unit: state.org, page, page_size: 20 };
  for (const k of ["status", "category", "channel", "overdue", "risk", "group", "from", "to", "q"]) {
    if (params.get(k)) query[k] = params.get(k);
  }
  // the board's dates are Beijing days; the API reads a bare date as a UTC day, so ask for the local day's span
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.from || "")) query.from += "T00:00:00+08:00";
  if (/^\d{4}-\d{2}-\d{2}$/.test(query.to || "")) query.to += "T23:59:59.999999+08:00";
  const root = h("div", {});
  const head = h("div", { class: "page-head" }, h("h1", {}, `信访案件 · ${unitName(state.org)}`),
    h("a", { class: "button", href: href("/petitions/roster"), id: "open-roster" }, "接访日安排"),
    canAnywhere("petition:hall") ? h("a", { class: "button", href: href("/hall"), id: "open-hall" }, "一站式服务大厅") : null,
    can("petition:file") ? h("a", { class: "button primary", href: href("/petitions/new"), id: "new-petition" }, "＋ 登记信访") : null);
  root.append(head);

  const form = makeForm();
  const filters = h("form", { class: "filters card", role: "search", "aria-label": "筛选" },
    field(form, { name: "status", label: "状态", type: "select", options: PETITION_STATES, value: params.get("status") }),
    field(form, { name: "category", label: "类别", type: "select", options: cats, value: params.get("category") }),
    field(form, { name: "channel", label: "渠道", type: "select", options: CHANNELS, value: params.get("channel") }),
    field(form, { name: "from", label: "登记自", type: "date", value: params.get("from") }),
    field(form, { name: "to", label: "至", type: "date", value: params.get("to"),
      check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) }),
    field(form, { name: "q", label: "关键词", value: params.get("q"), maxlength: 100 }),
    field(form, { name: "overdue", label: "只看超期", type: "checkbox", value: params.get("overdue") === "true" }),
    field(form, { name: "risk", label: "只看预警", type: "checkbox", value: params.get("risk") === "true" }),
    field(form, { name: "group", label: "群体性", type: "checkbox", value: params.get("group") === "true" }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查询"),
      h("button", { type: "button", onclick: () => go("/petitions") }, "重置")), form.error);
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const next = {};
    for (const k of ["status", "category", "channel", "from", "to", "q"]) next[k] = form.val(k);
    for (const k of ["overdue", "risk", "group"]) if (form.val(k)) next[k] = "true";
    go("/petitions", next);
  });
  root.append(filters);

  let found;
  try {
    found = await api.get("/api/v1/petition/petitions", query);
  } catch (err) {
    form.showApiError(err, { from: "from", to: "to" });
    root.append(h("p", { class: "card form-error" }, errorText(err)));
    return root;
  }
  const overdue = found.items.filter((p) => p.overdue).length;
  root.append(h("section", { class: "card" },
    h("div", { class: "section-head" },
      h("h2", {}, `案件看板（共 ${found.total}${found.total_capped ? "+" : ""} 件${overdue ? `，本页超期 ${overdue} 件` : ""}）`),
      can("reports:export") ? exportButtons(request, "petition/petitions", query, `信访案件-${unitName(state.org)}`) : null),
    table([
      { title: "登记时间", render: (p) => dateTime(p.registered_at) },
      { title: "社区/单位", render: (p) => unitName(p.org_unit_id) },
      { title: "类别", render: (p) => cats[p.category] || p.category },
      { title: "事由", render: (p) => h("a", { href: href(`/petitions/${p.id}`) }, p.title || (p.content || "").slice(0, 30)) },
      { title: "人数", class: "num", render: (p) => [p.headcount || (p.petitioners || []).length || "", p.is_group ? [" ", badge("群体", "warn")] : null] },
      { title: "状态", render: (p) => badge(label(PETITION_STATES, p.state), `st-${p.state}`) },
      { title: "答复期限", render: deadlineCell },
      { title: "承办", render: (p) => (p.assignment ? `${(p.assignment.unit || {}).name || ""} ${p.assignment.person || ""}` : "—") },
      { title: "预警", render: (p) => (p.risk_flags || []).map((f) => badge(label(RISK_FLAGS, f), "danger")) },
    ], found.items, {
      caption: "信访案件列表",
      onOpen: (p) => go(`/petitions/${p.id}`),
      rowClass: (p) => (p.overdue && !["answered", "closed"].includes(p.state) ? "row-overdue" : ""),
    }),
    pager({ page, pageSize: 20, total: found.total, capped: found.total_capped, hasMore: found.items.length >= 20, onPage: (n) => go("/petitions", { ...Object.fromEntries(params), org: undefined, page: n }) })));
  return root;
}

// ---- intake (受理登记)

async function intake() {
  const cfg = await petitionConfig();
  const cats = Object.fromEntries(Object.entries(cfg.categories || {}).map(([k, v]) => [k, v.name]));
  const here = unit();
  const targets = {};
  for (const u of [here, ...communitiesUnder(state.org)]) {
    if (u && ["district", "subdistrict", "community"].includes(u.level) && can("petition:file", u.path)) targets[u.id] = `${u.name}（${LEVELS[u.level]}）`;
  }
  const form = makeForm();
  const rows = [];
  const rowBox = h("div", { class: "rows", id: "petitioner-rows" });
  let seq = 0;
  const addRow = (representative = false) => {
    const key = `p${seq++}`;
    const row = { key };
    const remove = h("button", { type: "button", class: "link danger", "aria-label": "删除此信访人" }, "删除");
    row.el = h("fieldset", { class: "row-fields", dataset: { row: key } }, h("legend", {}, "信访人"),
      field(form, { name: `${key}.name`, label: "姓名", required: true, maxlength: 50 }),
      field(form, { name: `${key}.id_number`, label: "身份证号", check: validators.idNumber, maxlength: 18 }),
      field(form, { name: `${key}.mobile`, label: "手机号", check: validators.mobile, maxlength: 11, type: "tel" }),
      field(form, { name: `${key}.address`, label: "住址", maxlength: 200 }),
      field(form, { name: `${key}.representative`, label: "代表", type: "checkbox", value: representative }),
      remove);
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(row), 1);
      form.remove(`${key}.`);
      row.el.remove();
    });
    rows.push(row);
    rowBox.append(row.el);
    row.el.querySelector("input").focus();
  };
  const groupBox = h("div", { class: "group-box", hidden: true },
    field(form, { name: "headcount", label: "来访人数（人次）", type: "number", min: 1, max: 100000,
      hint: "5人及以上为群体性上访", check: (v, f) => (f.val("is_group") && !v ? "群体性上访请填写人数" : v !== null && v < rows.length ? `人数不能少于已登记的 ${rows.length} 位信访人` : null) }));
  // a letter's scan or the photo a petitioner brings, sent once the petition is registered (#22)
  const material = attachmentField({ label: "照片或文件（可不填）" });
  const anonymousField = field(form, { name: "anonymous", label: "匿名（仅来信、信箱）", type: "checkbox",
    check: (v, f) => (v && !["letter", "mailbox"].includes(f.val("channel")) ? "只有来信和信箱件可以匿名" : null) });
  const el = h("form", { class: "card form", novalidate: true, id: "petition-form", "aria-labelledby": "intake-title" },
    h("h1", { id: "intake-title" }, "登记信访（受理）"),
    h("div", { class: "grid2" },
      field(form, { name: "org_unit_id", label: "受理单位", type: "select", options: targets, required: true, value: state.org }),
      field(form, { name: "channel", label: "来源渠道", type: "select", options: CHANNELS, required: true, value: "visit" }),
      field(form, { name: "category", label: "类别", type: "select", options: cats, required: true }),
      field(form, { name: "title", label: "标题", maxlength: 200 }),
      field(form, { name: "content", label: "信访内容", type: "textarea", required: true, maxlength: 5000, rows: 4, wide: true }),
      field(form, { name: "is_group", label: "群体性上访（5人及以上）", type: "checkbox" }),
      field(form, { name: "says_higher_level", label: "扬言越级上访", type: "checkbox" }),
      anonymousField),
    groupBox,
    h("h2", {}, "信访人"), rowBox,
    h("h2", {}, "信访材料"), material.wrap,
    h("div", { class: "actions" },
      h("button", { type: "button", id: "add-petitioner", onclick: () => addRow(false) }, "＋ 添加信访人"),
      h("button", { type: "button", id: "add-representative", onclick: () => addRow(true) }, "＋ 添加代表")),
    form.error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "submit-petition" }, "登记"),
      h("a", { class: "button", href: href("/petitions") }, "取消")));
  const groupInput = form.get("is_group").input;
  const syncGroup = () => { groupBox.hidden = !groupInput.checked; };
  groupInput.addEventListener("change", syncGroup);
  form.get("channel").input.addEventListener("change", () => form.get("anonymous").validate(true));
  addRow(false);
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const anonymous = form.val("anonymous");
    if (!anonymous && rows.length === 0) { form.error.textContent = "至少登记一位信访人（匿名来信除外）"; return; }
    const petitioners = rows.map((r) => {
      const g = (n) => form.val(`${r.key}.${n}`);
      return { name: g("name"), id_number: g("id_number") || null, mobile: g("mobile") || null, address: g("address"),
        representative: g("representative") };
    });
    const body = {
      org_unit_id: form.val("org_unit_id"), channel: form.val("channel"), category: form.val("category"),
      title: form.val("title"), content: form.val("content"), is_group: form.val("is_group"),
      says_higher_level: form.val("says_higher_level"), anonymous, petitioners: anonymous ? [] : petitioners,
      headcount: form.val("headcount") || null,
    };
    const aliases = {};
    rows.forEach((r, i) => { for (const n of ["name", "id_number", "mobile", "address"]) aliases[`petitioners.${i}.${n}`] = `${r.key}.${n}`; });
    try {
      const created = await busy(e.submitter || el.querySelector("[type=submit]"),
        api.post("/api/v1/petition/petitions", body, { idempotent: true }));
      const dup = (created.possible_duplicates || []).length;
      let unsent = "";
      if (fileChosen(material)) {
        try {
          await sendAttachment(material, `/api/v1/petition/petitions/${created.id}/attachments`, attachmentsApi.post, "信访材料");
        } catch (err) { unsent = `；材料未上传：${errorText(err)}（可在信访件页面重新上传）`; }
      }
      toast(`已登记${dup ? `，发现 ${dup} 件可能重复的信访` : ""}${unsent}`, unsent ? "error" : "ok");
      go(`/petitions/${created.id}`);
    } catch (err) {
      form.showApiError(err, aliases);
    }
  });
  return el;
}

// ---- one case

async function detail(id) {
  const [p, cfg] = await Promise.all([api.get(`/api/v1/petition/petitions/${encodeURIComponent(id)}`), petitionConfig()]);
  const cats = Object.fromEntries(Object.entries(cfg.categories || {}).map(([k, v]) => [k, v.name]));
  const handle = can("petition:handle", p.org_path);
  const root = h("div", { class: "petition-detail", dataset: { state: p.state } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, p.title || `信访件 ${p.id}`),
    badge(label(PETITION_STATES, p.state), `st-${p.state}`), p.is_group ? badge("群体性上访", "warn") : null,
    h("a", { href: href("/petitions"), class: "button" }, "返回列表")));
  root.append(section("基本情况", dl([
    ["编号", p.id], ["受理单位", unitName(p.org_unit_id)], ["级别", LEVELS[p.level] || p.level],
    ["类别", cats[p.category] || p.category], ["渠道", label(CHANNELS, p.channel)],
    ["登记时间", dateTime(p.registered_at)], ["答复期限", deadlineCell(p)],
    ["人数", p.headcount ?? (p.petitioners || []).length], ["预警", (p.risk_flags || []).map((f) => badge(label(RISK_FLAGS, f), "danger"))],
    ["内容", h("div", { class: "pre" }, p.content)],
    p.assignment ? ["交办（五明确）", assignmentText(p.assignment, cfg)] : null,
    p.answer ? ["答复", h("div", { class: "pre" }, p.answer.text)] : null,
    p.satisfaction ? ["满意度", label(SATISFACTION, p.satisfaction)] : null,
  ])));
  // the petition's materials: its handler or who sent a file removes one added by mistake, until it is answered (#22)
  root.append(attachmentsCard({ path: `/api/v1/petition/petitions/${encodeURIComponent(p.id)}/attachments`, api: attachmentsApi,
    me: state.user.id, title: "信访材料（附件）", canEdit: handle, closed: ["answered", "closed"].includes(p.state) }));
  if ((p.petitioners || []).length) {
    root.append(section("信访人", table([
      { title: "姓名", render: (x) => [x.name, x.representative ? [" ", badge("代表")] : null] },
      { title: "身份证号", render: (x) => x.id_number || "" },
      { title: "手机号", render: (x) => x.mobile || "" },
      { title: "住址", render: (x) => x.address || "" },
    ], p.petitioners)));
  }
  if (handle) {
    const actions = h("div", { class: "action-forms" });
    if (["registered", "assigned", "in_handling", "escalated"].includes(p.state)) actions.append(assignForm(p, cfg));
    if (p.state === "assigned") actions.append(simpleAction(p, "start", "开始办理", [
      { name: "mode", label: "办理方式", type: "select", options: HANDLING_MODES, required: true },
      { name: "note", label: "说明", type: "textarea", maxlength: 2000 }]));
    if (p.state === "in_handling") actions.append(simpleAction(p, "answer", "书面答复", [
      { name: "text", label: "答复内容", type: "textarea", required: true, maxlength: 5000, rows: 4 }]));
    if (p.state === "answered") actions.append(simpleAction(p, "close", "办结", [
      { name: "satisfaction", label: "信访人满意度", type: "select", options: SATISFACTION, required: true },
      { name: "note", label: "说明", type: "textarea", maxlength: 2000 }]));
    for (const form of caseworkForms(p)) actions.append(form);
    if (actions.childElementCount) root.append(actions);
  }
  if (can("petition:supervise", p.org_path) && SUPERVISABLE.includes(p.state)) root.append(h("div", { class: "action-forms" }, superviseForm(p)));
  if (p.matter_id || handle) root.append(await linkedCases(p, handle));
  try {
    const tl = await api.get(`/api/v1/petition/petitions/${encodeURIComponent(id)}/timeline`);
    root.append(section("办理过程", h("ol", { class: "timeline" }, (tl.entries || []).map((e) =>
      h("li", {}, h("time", {}, dateTime(e.at || e.time)), " ", h("strong", {}, label(ACTIONS, e.action)),
        e.to_state && e.to_state !== e.from_state ? ` → ${label(PETITION_STATES, e.to_state)}` : "",
        " ", (e.by && e.by.name) || "", e.reason || e.note ? ` — ${e.reason || e.note}` : "")))));
  } catch { /* the timeline is for staff only */ }
  return root;
}

function assignmentText(a, cfg) {
  const u = a.unit || { kind: a.unit_kind, id: a.unit_id };
  const unitText = u.name || (u.kind === "department" ? (cfg.departments || {})[u.id] || u.id : unitName(u.id));
  return dl([["承办单位", `${label(UNIT_KINDS, u.kind)} · ${unitText}`], ["责任人", a.person], ["办理期限", day(a.deadline)],
    ["任务", a.task], ["要求", a.requirement]]);
}

function assignForm(p, cfg) {
  const form = makeForm();
  const units = (kind) => {
    if (kind === "department") return cfg.departments || {};
    const level = kind === "community" ? "community" : "subdistrict";
    return Object.fromEntries([...state.units.values()].filter((u) => u.level === level && !u.retired).map((u) => [u.id, u.name]));
  };
  const kindField = field(form, { name: "unit_kind", label: "承办单位类型", type: "select", options: UNIT_KINDS, required: true, value: "community" });
  const unitWrap = h("div", { class: "slot" });
  const renderUnits = () => {
    form.remove("unit_id");
    const kind = form.val("unit_kind") || "community";
    const opts = units(kind);
    const preferred = kind === "community" && opts[p.org_unit_id] ? p.org_unit_id : undefined;
    clear(unitWrap, field(form, { name: "unit_id", label: "承办单位（明确单位）", type: "select", options: opts, required: true, value: preferred }));
  };
  const el = h("form", { class: "card form", novalidate: true, id: "assign-form", "aria-labelledby": "assign-title" },
    h("h2", { id: "assign-title" }, p.assignment ? "重新交办（五明确）" : "交办（五明确）"),
    h("div", { class: "grid2" }, kindField, unitWrap,
      field(form, { name: "person", label: "责任人（明确责任人）", required: true, maxlength: 50 }),
      field(form, { name: "deadline", label: "办理期限（明确期限）", type: "date", required: true, min: todayLocal(),
        value: p.deadline ? p.deadline.slice(0, 10) : undefined, check: validators.notPast }),
      field(form, { name: "task", label: "工作任务（明确任务）", type: "textarea", required: true, maxlength: 1000, wide: true }),
      field(form, { name: "requirement", label: "工作要求（明确要求）", type: "textarea", required: true, maxlength: 1000, wide: true })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "submit-assign" }, "交办")));
  renderUnits();
  form.get("unit_kind").input.addEventListener("change", renderUnits);
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = Object.fromEntries(["unit_kind", "unit_id", "person", "deadline", "task", "requirement"].map((k) => [k, form.val(k)]));
    try {
      await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/petition/petitions/${p.id}/assign`, body));
      toast("已交办");
      go(`/petitions/${p.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

function simpleAction(p, action, title, specs) {
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: `${action}-form` }, h("h2", {}, title),
    h("div", { class: "grid2" }, specs.map((s) => field(form, { ...s, wide: s.type === "textarea" }))),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, title)));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = Object.fromEntries(specs.map((s) => [s.name, form.val(s.name)]));
    try {
      await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/petition/petitions/${p.id}/${action}`, body));
      toast(`${title}：已完成`);
      go(`/petitions/${p.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

// ---- 督办, 上报, 挂起/恢复, 重开 (重新评价), 调解结果, 关联案件 — the moves the service offers beyond the main line

const SUPERVISABLE = ["registered", "assigned", "in_handling", "escalated", "suspended"];
const MEDIATION_OUTCOMES = { agreement: "达成协议", failed: "调解不成", referred_to_court: "引导诉讼" };

function move(p, action) {
  return (body) => api.post(`/api/v1/petition/petitions/${p.id}/${action}`, body);
}
function again(p) {
  return () => go(`/petitions/${p.id}`);
}

/** The forms of a handler (petition:handle) for this case's state, each one a move of the state machine. */
function caseworkForms(p) {
  const out = [];
  const reason = (label) => [{ name: "reason", label, type: "textarea", required: true, maxlength: 2000 }];
  const aboveLevel = { community: "街道", subdistrict: "区" }[p.level];
  if (aboveLevel && ["registered", "assigned", "in_handling", "answered", "escalated"].includes(p.state)) {
    out.push(actionForm({ id: "escalate-form", title: `上报${aboveLevel}`, specs: reason("上报理由"), submit: move(p, "escalate"), done: again(p),
      intro: h("p", { class: "hint" }, `案件转由${aboveLevel}办理，答复期限按${aboveLevel}的时限重新计算。`) }));
  }
  if (["assigned", "in_handling"].includes(p.state)) {
    out.push(actionForm({ id: "suspend-form", title: "挂起", specs: reason("挂起原因"), submit: move(p, "suspend"), done: again(p),
      intro: h("p", { class: "hint" }, "挂起期间答复期限停止计算，恢复后顺延。") }));
  }
  if (p.state === "suspended") {
    out.push(actionForm({ id: "resume-form", title: "恢复办理", specs: [{ name: "note", label: "说明", type: "textarea", maxlength: 2000, keepEmpty: true }],
      submit: move(p, "resume"), done: again(p) }));
  }
  if (["answered", "closed"].includes(p.state)) {
    out.push(actionForm({ id: "reopen-form", title: "重开（重新办理）", specs: reason("重开原因（如信访人不满意，需重新办理后再评价）"),
      submit: move(p, "reopen"), done: again(p),
      intro: h("p", { class: "hint" }, "重开后案件回到“办理中”；重新答复后办结时再次评价满意度。") }));
  }
  if (["assigned", "in_handling", "answered", "closed", "suspended", "escalated"].includes(p.state)) {
    out.push(actionForm({ id: "mediation-form", title: "记录调解结果", submit: move(p, "mediation"), done: again(p), specs: [
      { name: "outcome", label: "调解结果", type: "select", options: MEDIATION_OUTCOMES, required: true },
      { name: "note", label: "说明", type: "textarea", maxlength: 2000, keepEmpty: true }] }));
  }
  return out;
}

function superviseForm(p) {
  return actionForm({ id: "supervise-form", title: "督办", submit: move(p, "supervise"), done: again(p), specs: [
    { name: "note", label: "督办意见", type: "textarea", required: true, maxlength: 2000 },
    { name: "new_deadline", label: "新的答复期限（可不填）", type: "date", check: validators.notPast }],
  intro: p.supervision && p.supervision.length ? h("p", { class: "hint" }, `已督办 ${p.supervision.length} 次`) : null });
}

/** 关联案件: the cases of the same matter, the likely duplicates, and linking one by its number. */
async function linkedCases(p, handle) {
  const box = section("关联案件（同一事项）");
  box.id = "linked-cases";
  const [same, dups] = await Promise.all([
    p.matter_id ? api.get("/api/v1/petition/petitions", { matter_id: p.matter_id, page_size: 100 }).catch(() => ({ items: [], total: 0 })) : { items: [], total: 0 },
    api.get(`/api/v1/petition/petitions/${p.id}/duplicates`).catch(() => ({ possible_duplicates: [] })),
  ]);
  const others = same.items.filter((x) => x.id !== p.id);
  box.append(others.length
    ? h("ul", { class: "linked" }, others.map((x) => h("li", {}, h("a", { href: href(`/petitions/${x.id}`) }, x.title || x.id), " ",
      badge(label(PETITION_STATES, x.state), `st-${x.state}`), x.id === p.matter_id ? [" ", badge("主案")] : null)))
    : h("p", { class: "muted" }, "尚未关联其他案件。"));
  if (same.total > same.items.length) box.append(h("p", { class: "hint" }, `共 ${same.total} 件，此处列出前 ${same.items.length} 件。`));
  if (!handle) return box;
  const candidates = (dups.possible_duplicates || []).filter((d) => !others.some((x) => x.id === (d.id || d)));
  const linkForm = actionForm({ id: "link-form", title: "关联同一事项的案件", button: "关联",
    specs: [{ name: "petition_id", label: "案件编号", required: true, maxlength: 64 }],
    intro: h("p", { class: "hint" }, "关联后按同一事项办理：主案的交办、开始办理和答复同步到关联案件。"),
    submit: (body) => api.post(`/api/v1/petition/petitions/${p.id}/link`, body), done: again(p) });
  if (candidates.length) {
    linkForm.insertBefore(h("div", { class: "candidates" }, h("p", {}, "可能重复的案件："), h("ul", {}, candidates.map((d) => {
      const did = d.id || d;
      return h("li", {}, h("a", { href: href(`/petitions/${did}`) }, d.title || did), " ",
        h("button", { type: "button", class: "link", dataset: { candidate: did }, onclick: () => {
          linkForm.form.get("petition_id").input.value = did;
          linkForm.requestSubmit();
        } }, "关联此件"));
    }))), linkForm.querySelector(".form-error"));
  }
  box.append(linkForm);
  return box;
}

// ---- 接访日: the sub-district's reception roster

/** The sub-district of a unit: the unit itself, above it in the tree, or (for a community's worker, whose tree
 * starts at the community) named by the community's parent id. */
function subdistrictOf(id) {
  let u = unit(id);
  while (u && u.level !== "subdistrict") {
    const up = unit(u.parent_id);
    if (!up && u.level === "community" && u.parent_id) return { id: u.parent_id, name: "所在街道", path: u.path.slice(0, u.path.indexOf(`/${u.id}/`) + 1) };
    u = up;
  }
  return u;
}

async function roster(params) {
  const root = h("div", {});
  const here = subdistrictOf(state.org);
  const subs = here ? [here] : [...state.units.values()].filter((u) => u.level === "subdistrict" && !u.retired && u.path.startsWith((unit() || {}).path || "\0"));
  const chosen = unit(params.get("subdistrict")) || subs[0];
  root.append(h("div", { class: "page-head" }, h("h1", {}, `接访日安排 · ${chosen ? chosen.name : unitName(state.org)}`),
    h("a", { class: "button", href: href("/petitions") }, "返回案件看板")));
  if (!chosen) { root.append(h("p", { class: "card" }, "请在左侧选择一个街道或其下的社区：接访日按街道安排。")); return root; }
  const today = todayLocal();
  const plus30 = new Date(Date.parse(today) + 30 * 86400000).toISOString().slice(0, 10);
  const from = params.get("from") || today;
  const to = params.get("to") || plus30;
  root.append(filterBar("/petitions/roster", params, [
    ...(subs.length > 1 ? [{ name: "subdistrict", label: "街道", type: "select", options: Object.fromEntries(subs.map((u) => [u.id, u.name])), value: chosen.id }] : []),
    { name: "from", label: "自", type: "date", value: from, required: true },
    { name: "to", label: "至", type: "date", value: to, required: true, check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) }]));
  const query = { org_unit: chosen.id, from, to };
  let gaps = [];
  const list = await listCard({ title: "值班领导", path: "petition/roster", query, params, route: "/petitions/roster", id: "roster-list",
    columns: [
      { title: "日期", render: (x) => day(x.day) }, { title: "值班领导", render: (x) => x.leader_name }, { title: "职务", render: (x) => x.title || "" },
      ...(can("petition:supervise", chosen.path) ? [{ title: "操作", render: (x) => h("button", { type: "button", class: "link danger", dataset: { remove: x.day },
        onclick: async (e) => {
          try {
            await busy(e.currentTarget, request("DELETE", `/api/v1/petition/roster/${chosen.id}/${x.day}`));
            toast("已取消该日值班"); go("/petitions/roster", Object.fromEntries([...params].filter(([k]) => k !== "org")));
          } catch (err) { toast(errorText(err), "bad"); }
        } }, "取消值班") }] : [])],
    empty: "这段时间没有安排值班领导" });
  root.append(list);
  try { gaps = (await api.get("/api/v1/petition/roster", { ...query, page_size: 1 })).gaps || []; } catch { /* shown above */ }
  if (gaps.length) root.append(section(`无人值班的日子（${gaps.length} 天）`, h("p", { class: "notice", id: "roster-gaps" }, gaps.slice(0, 60).map(day).join("、"), gaps.length > 60 ? ` 等 ${gaps.length} 天` : "")));
  if (can("petition:supervise", chosen.path)) {
    root.append(actionForm({ id: "duty-form", title: "安排值班领导", button: "保存", specs: [
      { name: "day", label: "日期", type: "date", required: true, value: gaps[0] || today, local: true },
      { name: "leader_name", label: "领导姓名", required: true, maxlength: 50 },
      { name: "title", label: "职务", maxlength: 100, keepEmpty: true }],
    submit: (body, form) => api.put(`/api/v1/petition/roster/${chosen.id}/${form.val("day")}`, body),
    done: () => go("/petitions/roster", Object.fromEntries([...params].filter(([k]) => k !== "org"))) }));
  }
  return root;
}
