// 平安建设: incident report and dispatch, patrol log, mediation cases.
import { api } from "../api.js";
import { can, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { label } from "../i18n.js";
import { badge, busy, dateTime, dl, errorText, field, h, makeForm, pager, section, table, toast } from "../ui.js";

const RUN_STATES = { in_progress: "巡逻中", completed: "已完成" };

register("security", async ({ parts, params }) => {
  if (parts[0] === "incidents" && parts[1]) return incident(parts[1]);
  if (parts[0] === "disputes" && parts[1]) return dispute(parts[1]);
  return lists(params);
});

// Codes in the security service's own words (GET /api/v1/security/config): never a copy kept here.
let V = { incident_types: {}, severities: {}, incident_states: {}, dispute_types: {}, outcomes: {} };
let config = null;
async function vocab() {
  if (!config) config = api.get("/api/v1/security/config").catch(() => { config = null; return {}; });  // down: codes, ask again later
  const d = await config;
  const named = (list) => Object.fromEntries((list || []).map((x) => [x.code, x.name]));
  V = Object.fromEntries(Object.keys(V).map((k) => [k, named(d[k])]));
  return V;
}

async function lists(params) {
  await vocab();
  const tab = params.get("tab") || "incidents";
  const page = Number(params.get("page") || 1);
  const size = 20;
  const q = { org_unit: state.org, page, page_size: size };  // the platform's list query; answers {items, total, page, page_size}
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `平安建设 · ${unitName(state.org)}`)));
  root.append(h("div", { class: "tabs", role: "tablist" }, [["incidents", "事件处置"], ["patrols", "巡逻日志"], ["disputes", "矛盾调解"]].map(([k, t]) =>
    h("a", { role: "tab", "aria-selected": String(tab === k), class: tab === k ? "on" : "", href: href("/security", { tab: k }) }, t))));
  const onPage = (n) => go("/security", { tab, page: n, type: params.get("type") });
  if (tab === "patrols") {
    const r = await api.get("/api/v1/security/patrol-runs", q);
    root.append(section("巡逻日志", table([
      { title: "开始", render: (x) => dateTime(x.started_at) }, { title: "结束", render: (x) => dateTime(x.ended_at) },
      { title: "路线", render: (x) => x.route_name || x.route_id }, { title: "人员", render: (x) => (x.participants || []).map((p) => p.person_name || "").join("、") },
      { title: "打卡点", class: "num", render: (x) => (x.checkins || []).length },
      { title: "漏巡", class: "num", render: (x) => ((x.missed_checkpoints || []).length ? badge(String(x.missed_checkpoints.length), "warn") : "0") },
      { title: "发现问题", class: "num", render: (x) => (x.findings || []).length },
      { title: "状态", render: (x) => label(RUN_STATES, x.status) },
    ], r.items, { caption: "巡逻日志" }), pager({ page, pageSize: size, total: r.total, onPage })));
    return root;
  }
  if (tab === "disputes") {
    const r = await api.get("/api/v1/security/disputes", q);
    root.append(section("矛盾纠纷调解", table([
      { title: "登记", render: (x) => dateTime(x.registered_at) }, { title: "社区", render: (x) => unitName(x.org_unit_id) },
      { title: "类型", render: (x) => label(V.dispute_types, x.type) },
      { title: "概况", render: (x) => h("a", { href: href(`/security/disputes/${x.id}`) }, (x.summary || "").slice(0, 40)) },
      { title: "调解员", render: (x) => x.mediator_name || "" }, { title: "调解次数", class: "num", render: (x) => (x.sessions || []).length },
      { title: "结果", render: (x) => (x.outcome ? badge(label(V.outcomes, x.outcome), x.outcome === "agreement" ? "ok" : "warn") : "调解中") },
    ], r.items, { caption: "矛盾纠纷调解", onOpen: (x) => go(`/security/disputes/${x.id}`) }),
    pager({ page, pageSize: size, total: r.total, onPage })));
    if (can("security:mediate")) root.append(disputeForm());
    return root;
  }
  if (params.get("type")) q.type = params.get("type");
  const r = await api.get("/api/v1/security/incidents", q);
  root.append(section(`事件${q.type ? "：" + label(V.incident_types, q.type) : ""}`, table([
    { title: "上报时间", render: (x) => dateTime(x.reported_at) }, { title: "社区", render: (x) => unitName(x.org_unit_id) },
    { title: "类型", render: (x) => h("a", { href: href(`/security/incidents/${x.id}`) }, label(V.incident_types, x.type)) },
    { title: "等级", render: (x) => badge(label(V.severities, x.severity), ["high", "critical"].includes(x.severity) ? "danger" : "") },
    { title: "描述", render: (x) => (x.description || "").slice(0, 40) },
    { title: "状态", render: (x) => label(V.incident_states, x.status) },
    { title: "处置用时", class: "num", render: (x) => (x.response_minutes === null || x.response_minutes === undefined ? "" : `${x.response_minutes} 分钟`) },
  ], r.items, { caption: "事件列表", onOpen: (x) => go(`/security/incidents/${x.id}`) }),
  pager({ page, pageSize: size, total: r.total, onPage })));
  if (can("security:report")) root.append(reportForm());
  return root;
}

function reportForm() {
  const targets = {};
  for (const u of [unit(), ...communitiesUnder(state.org)]) if (u && can("security:report", u.path)) targets[u.id] = u.name;
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: "incident-form" }, h("h2", {}, "上报事件"),
    h("div", { class: "grid2" },
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "type", label: "类型", type: "select", options: V.incident_types, required: true }),
      field(form, { name: "severity", label: "等级", type: "select", options: V.severities, required: true, value: "low" }),
      field(form, { name: "address", label: "地点", maxlength: 200 }),
      field(form, { name: "injured", label: "受伤人数", type: "number", min: 0, max: 100000, value: 0 }),
      field(form, { name: "description", label: "情况描述", type: "textarea", required: true, maxlength: 2000, wide: true })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "上报")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = Object.fromEntries(["org_unit_id", "type", "severity", "address", "description"].map((k) => [k, form.val(k) || null]));
    body.injured = form.val("injured") || 0;
    try {
      const x = await busy(el.querySelector("[type=submit]"), api.post("/api/v1/security/incidents", body, { idempotent: true }));
      toast("事件已上报");
      go(`/security/incidents/${x.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

async function incident(id) {
  await vocab();
  const x = await api.get(`/api/v1/security/incidents/${encodeURIComponent(id)}`);
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${label(V.incident_types, x.type)}事件`), badge(label(V.incident_states, x.status)),
    h("a", { class: "button", href: href("/security") }, "返回列表")));
  root.append(section("事件信息", dl([["社区", unitName(x.org_unit_id)], ["等级", label(V.severities, x.severity)], ["地点", x.address],
    ["描述", x.description], ["上报", dateTime(x.reported_at)], ["派警", dateTime(x.dispatched_at)], ["到场", dateTime(x.on_scene_at)],
    ["处置", dateTime(x.resolved_at)], x.assignee ? ["处置人", x.assignee] : null, x.resolution ? ["处置结果", x.resolution] : null])));
  const path = x.org_path || (unit(x.org_unit_id) || {}).path;
  if (!can("security:handle", path)) return root;
  const act = (action, title, spec) => {
    const form = makeForm();
    const el = h("form", { class: "card form", novalidate: true, id: `${action}-form` }, h("h2", {}, title),
      spec ? field(form, spec) : null, form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, title)));
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!form.validate()) return;
      try {
        await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/security/incidents/${x.id}/${action}`, spec ? { [spec.name]: form.val(spec.name) } : {}));
        toast(`${title}：已完成`);
        go(`/security/incidents/${x.id}`);
      } catch (err) { form.showApiError(err); toast(errorText(err), "bad"); }
    });
    return el;
  };
  if (x.status === "reported") root.append(act("dispatch", "派警处置", { name: "assignee", label: "处置人", required: true, maxlength: 100 }));
  if (x.status === "dispatched") root.append(act("on-scene", "到达现场"));
  if (["dispatched", "on_scene"].includes(x.status)) root.append(act("resolve", "处置完毕", { name: "resolution", label: "处置结果", type: "textarea", required: true, maxlength: 2000, wide: true }));
  if (x.status === "resolved") root.append(act("close", "关闭事件"));
  return root;
}

function disputeForm() {
  const targets = {};
  for (const u of [unit(), ...communitiesUnder(state.org)]) if (u && u.level === "community" && can("security:mediate", u.path)) targets[u.id] = u.name;
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: "dispute-form" }, h("h2", {}, "登记矛盾纠纷"),
    h("div", { class: "grid2" },
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "type", label: "纠纷类型", type: "select", options: V.dispute_types, required: true }),
      field(form, { name: "party_a", label: "当事人甲", required: true, maxlength: 50 }),
      field(form, { name: "party_b", label: "当事人乙", required: true, maxlength: 50 }),
      field(form, { name: "mediator_name", label: "调解员", required: true, maxlength: 50 }),
      field(form, { name: "summary", label: "纠纷概况", type: "textarea", required: true, maxlength: 2000, wide: true })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "登记")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = { org_unit_id: form.val("org_unit_id"), type: form.val("type"), summary: form.val("summary"),
      mediator_name: form.val("mediator_name"), parties: [{ name: form.val("party_a") }, { name: form.val("party_b") }] };
    try {
      const d = await busy(el.querySelector("[type=submit]"), api.post("/api/v1/security/disputes", body, { idempotent: true }));
      toast("纠纷已登记");
      go(`/security/disputes/${d.id}`);
    } catch (err) { form.showApiError(err, { "parties.0.name": "party_a", "parties.1.name": "party_b" }); }
  });
  return el;
}

async function dispute(id) {
  await vocab();
  const d = await api.get(`/api/v1/security/disputes/${encodeURIComponent(id)}`);
  const root = h("div", { class: "dispute-detail", dataset: { status: d.status || "" } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${label(V.dispute_types, d.type)} · ${unitName(d.org_unit_id)}`),
    d.outcome ? badge(label(V.outcomes, d.outcome), d.outcome === "agreement" ? "ok" : "warn") : badge("调解中"),
    h("a", { class: "button", href: href("/security", { tab: "disputes" }) }, "返回列表")));
  root.append(section("纠纷情况", dl([["概况", d.summary], ["当事人", (d.parties || []).map((p) => p.name).join("、")],
    ["调解员", d.mediator_name], ["登记时间", dateTime(d.registered_at)]])));
  root.append(section("调解记录", h("ol", { class: "timeline" }, (d.sessions || []).map((x) =>
    h("li", {}, h("time", {}, dateTime(x.held_at)), " ", x.note)))));
  const path = d.org_path || (unit(d.org_unit_id) || {}).path;
  if (!can("security:mediate", path) || d.outcome) return root;
  const post = (action, title, specs) => {
    const form = makeForm();
    const el = h("form", { class: "card form", novalidate: true, id: `${action}-form` }, h("h2", {}, title),
      specs.map((spec) => field(form, spec)), form.error,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, title)));
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!form.validate()) return;
      try {
        await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/security/disputes/${d.id}/${action}`,
          Object.fromEntries(specs.map((spec) => [spec.name, form.val(spec.name) || null]))));
        toast(`${title}：已保存`);
        go(`/security/disputes/${d.id}`);
      } catch (err) { form.showApiError(err); }
    });
    return el;
  };
  root.append(h("div", { class: "action-forms" },
    post("sessions", "记录调解", [{ name: "note", label: "调解情况", type: "textarea", required: true, maxlength: 2000, wide: true }]),
    post("outcome", "调解结果", [{ name: "outcome", label: "结果", type: "select", options: V.outcomes, required: true },
      { name: "note", label: "说明", type: "textarea", maxlength: 2000, wide: true }])));
  return root;
}
