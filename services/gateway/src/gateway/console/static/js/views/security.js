// 平安建设: incidents (filters, report — its own phone page too — dispatch), the patrol log, mediation cases with
// their sessions, outcome and follow-ups; links to patrols, migrants, households and (for its roles) corrections.
import { api, attachmentsApi } from "../api.js";
import { can, canAnywhere, go, href, register, state, unit, unitName } from "../app.js";
import { label } from "../i18n.js";
import { attachmentsCard, badge, dateTime, dl, errorText, fileChosen, h, photoField, section, sendAttachment, toast } from "../ui.js";
import { actionForm, filterBar, listCard, preferred, queryFrom, tabLinks, unitsWhere } from "./casework.js";

const RUN_STATES = { in_progress: "巡逻中", completed: "已完成" };

register("security", async ({ parts, params }) => {
  if (parts[0] === "report") return reportPage(params.get("patrol_run_id"));
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

const AREAS = [["patrol", "巡逻防控", "security:read"], ["migrants", "流动人口", "security:read"], ["households", "实有人口", "security:read"],
  ["corrections", "社区矫正", "security:corrections"]];

async function lists(params) {
  await vocab();
  const tab = params.get("tab") || "incidents";
  const keep = { tab };
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `平安建设 · ${unitName(state.org)}`),
    can("security:report") ? h("a", { class: "button primary", href: href("/security/report"), id: "report-incident" }, "＋ 上报事件") : null));
  root.append(h("nav", { class: "quick", "aria-label": "平安建设的其他工作" }, AREAS.filter(([, , p]) => canAnywhere(p)).map(([k, t]) =>
    h("a", { class: "button", href: href(`/${k}`) }, t))));
  root.append(tabLinks("/security", tab, [["incidents", "事件处置"], ["patrols", "巡逻日志"], ["disputes", "矛盾调解"]], "平安建设"));
  if (tab === "patrols") {
    root.append(await listCard({ title: "巡逻日志", path: "security/patrol-runs", query: { org_unit: state.org }, params, route: "/security", keep,
      onOpen: (x) => go(`/patrol/${x.id}`), columns: [
        { title: "开始", render: (x) => dateTime(x.started_at) }, { title: "结束", render: (x) => dateTime(x.ended_at) },
        { title: "路线", render: (x) => x.route_name || x.route_id }, { title: "人员", render: (x) => (x.participants || []).map((p) => p.person_name || "").join("、") },
        { title: "打卡点", class: "num", render: (x) => (x.checkins || []).length },
        { title: "漏巡", class: "num", render: (x) => ((x.missed_checkpoints || []).length ? badge(String(x.missed_checkpoints.length), "warn") : "0") },
        { title: "发现问题", class: "num", render: (x) => (x.findings || []).length },
        { title: "状态", render: (x) => label(RUN_STATES, x.status) }] }));
    return root;
  }
  if (tab === "disputes") {
    root.append(filterBar("/security", params, [
      { name: "status", label: "状态", type: "select", options: { open: "调解中", mediated: "已调解" } },
      { name: "outcome", label: "结果", type: "select", options: V.outcomes },
      { name: "type", label: "类型", type: "select", options: V.dispute_types },
      { name: "from", label: "登记自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
    root.append(await listCard({ title: "矛盾纠纷调解", path: "security/disputes", params, route: "/security", keep, id: "dispute-list",
      query: queryFrom(params, ["status", "outcome", "type", "from", "to"], { org_unit: state.org }), exportName: `矛盾纠纷-${unitName(state.org)}`,
      onOpen: (x) => go(`/security/disputes/${x.id}`), columns: [
        { title: "登记", render: (x) => dateTime(x.registered_at) }, { title: "社区", render: (x) => unitName(x.org_unit_id) },
        { title: "类型", render: (x) => label(V.dispute_types, x.type) },
        { title: "概况", render: (x) => h("a", { href: href(`/security/disputes/${x.id}`) }, (x.summary || "").slice(0, 40)) },
        { title: "调解员", render: (x) => x.mediator_name || "" }, { title: "调解次数", class: "num", render: (x) => (x.sessions || []).length },
        { title: "回访", class: "num", render: (x) => (x.follow_ups || []).length },
        { title: "结果", render: (x) => (x.outcome ? badge(label(V.outcomes, x.outcome), x.outcome === "agreement" ? "ok" : "warn") : "调解中") }] }));
    if (can("security:mediate")) root.append(disputeForm());
    return root;
  }
  root.append(filterBar("/security", params, [
    { name: "status", label: "状态", type: "select", options: V.incident_states },
    { name: "type", label: "类型", type: "select", options: V.incident_types },
    { name: "severity", label: "等级", type: "select", options: V.severities },
    { name: "from", label: "上报自", type: "date" }, { name: "to", label: "至", type: "date" },
    { name: "emergency", label: "只看紧急事件", type: "checkbox" }], keep));
  const q = queryFrom(params, ["status", "type", "severity", "from", "to", "emergency"], { org_unit: state.org });
  root.append(await listCard({ title: `事件${q.type ? "：" + label(V.incident_types, q.type) : ""}`, path: "security/incidents", params, route: "/security", keep,
    id: "incident-list", query: q, exportName: `事件-${unitName(state.org)}`, caption: "事件列表", onOpen: (x) => go(`/security/incidents/${x.id}`), columns: [
      { title: "上报时间", render: (x) => dateTime(x.reported_at) }, { title: "社区", render: (x) => unitName(x.org_unit_id) },
      { title: "类型", render: (x) => h("a", { href: href(`/security/incidents/${x.id}`) }, label(V.incident_types, x.type)) },
      { title: "等级", render: (x) => [badge(label(V.severities, x.severity), ["high", "critical"].includes(x.severity) ? "danger" : ""), x.emergency ? [" ", badge("紧急", "danger")] : null] },
      { title: "描述", render: (x) => (x.description || "").slice(0, 40) },
      { title: "状态", render: (x) => label(V.incident_states, x.status) },
      { title: "处置用时", class: "num", render: (x) => (x.response_minutes === null || x.response_minutes === undefined ? "" : `${x.response_minutes} 分钟`) }] }));
  if (can("security:report")) root.append(reportForm());
  return root;
}

/** 上报事件 on its own page: what a grid worker or a patrol opens on the phone, the button under the thumb. */
async function reportPage(patrolRunId) {
  await vocab();
  const back = patrolRunId ? href(`/patrol/${patrolRunId}`) : href("/security");
  return h("div", {}, h("div", { class: "page-head" }, h("h1", {}, "上报事件"), h("a", { class: "button", href: back }, "返回")),
    can("security:report") ? reportForm(patrolRunId) : h("p", { class: "card" }, "您在这里没有上报事件的权限。"));
}

/** The report; from a patrol (`patrolRunId`) it is the patrol's, so reports count what patrols found. */
function reportForm(patrolRunId = null) {
  const targets = unitsWhere("security:report");
  const photo = photoField({ label: "现场照片（可不填）" });  // the phone's camera, sent once the incident is reported (#22)
  return actionForm({ id: "incident-form", title: "上报事件", button: "上报", phone: true, extra: () => photo.wrap, specs: [
    { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: preferred(targets) },
    { name: "type", label: "类型", type: "select", options: V.incident_types, required: true },
    { name: "severity", label: "等级", type: "select", options: V.severities, required: true, value: "low" },
    { name: "address", label: "地点", maxlength: 200 },
    { name: "description", label: "情况描述", type: "textarea", required: true, maxlength: 2000 },
    { name: "injured", label: "受伤人数", type: "number", min: 0, max: 100000, value: 0 }],
  submit: async (body) => {
    const x = await api.post("/api/v1/security/incidents", { ...body, injured: body.injured || 0,
      ...(patrolRunId ? { patrol_run_id: patrolRunId, reported_by_kind: "patrol" } : {}) }, { idempotent: true });
    if (fileChosen(photo)) {
      // the incident is reported whatever happens to its photo: a refused one is said, and sent again on its page
      try {
        await sendAttachment(photo, `/api/v1/security/incidents/${x.id}/attachments`, attachmentsApi.post, "现场照片");
      } catch (err) { return { ...x, unsent: `事件已上报；照片未上传：${errorText(err)}（可在事件页面重新上传）` }; }
    }
    return x;
  },
  done: (x) => { go(`/security/incidents/${x.id}`); if (x.unsent) toast(x.unsent, "error"); } });
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
  // the scene's photos: its reporter or its handler removes one added by mistake, until it is closed (#22)
  root.append(attachmentsCard({ path: `/api/v1/security/incidents/${encodeURIComponent(x.id)}/attachments`, api: attachmentsApi,
    me: state.user.id, title: "现场照片", camera: true, canEdit: can("security:handle", path), closed: x.status === "closed" }));
  if (!can("security:handle", path)) return root;
  const act = (action, title, spec) => actionForm({ id: `${action}-form`, title, specs: spec ? [spec] : [],
    submit: (body) => api.post(`/api/v1/security/incidents/${x.id}/${action}`, body), done: () => go(`/security/incidents/${x.id}`) });
  const forms = h("div", { class: "action-forms" });
  if (x.status === "reported") forms.append(act("dispatch", "派警处置", { name: "assignee", label: "处置人", required: true, maxlength: 100 }));
  if (x.status === "dispatched") forms.append(act("on-scene", "到达现场"));
  if (["dispatched", "on_scene"].includes(x.status)) forms.append(act("resolve", "处置完毕", { name: "resolution", label: "处置结果", type: "textarea", required: true, maxlength: 2000 }));
  if (x.status === "resolved") forms.append(act("close", "关闭事件"));
  if (!x.verified) forms.append(act("verify", "核实事件"));
  root.append(forms);
  return root;
}

function disputeForm() {
  const targets = unitsWhere("security:mediate", { communitiesOnly: true });
  return actionForm({ id: "dispute-form", title: "登记矛盾纠纷", button: "登记", specs: [
    { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: preferred(targets) },
    { name: "type", label: "纠纷类型", type: "select", options: V.dispute_types, required: true },
    { name: "party_a", label: "当事人甲", required: true, maxlength: 50 },
    { name: "party_b", label: "当事人乙", required: true, maxlength: 50 },
    { name: "mediator_name", label: "调解员", required: true, maxlength: 50 },
    { name: "petition_id", label: "来自信访件（编号，可不填）", maxlength: 64 },
    { name: "summary", label: "纠纷概况", type: "textarea", required: true, maxlength: 2000 }],
  aliases: { "parties.0.name": "party_a", "parties.1.name": "party_b" },
  submit: (body) => api.post("/api/v1/security/disputes", { org_unit_id: body.org_unit_id, type: body.type, summary: body.summary,
    mediator_name: body.mediator_name, petition_id: body.petition_id, parties: [{ name: body.party_a }, { name: body.party_b }] }, { idempotent: true }),
  done: (d) => go(`/security/disputes/${d.id}`) });
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
    h("li", {}, h("time", {}, dateTime(x.at || x.held_at)), " ", x.note)))));
  if ((d.follow_ups || []).length) {
    root.append(section("回访记录", h("ol", { class: "timeline", id: "follow-ups" }, d.follow_ups.map((x) =>
      h("li", {}, h("time", {}, dateTime(x.at)), " ", x.agreement_holding ? badge("协议履行中", "ok") : badge("协议未履行", "danger"), " ", x.note)))));
  }
  const path = d.org_path || (unit(d.org_unit_id) || {}).path;
  if (!can("security:mediate", path)) return root;
  const post = (action, title, specs, button) => actionForm({ id: `${action}-form`, title, specs, button,
    submit: (body) => api.post(`/api/v1/security/disputes/${d.id}/${action}`, body), done: () => go(`/security/disputes/${d.id}`) });
  if (d.outcome) {
    root.append(h("div", { class: "action-forms" }, post("follow-ups", "回访", [
      { name: "agreement_holding", label: "调解协议仍在履行", type: "checkbox", value: true },
      { name: "note", label: "回访情况", type: "textarea", required: true, maxlength: 2000 }], "记录回访")));
    return root;
  }
  root.append(h("div", { class: "action-forms" },
    post("sessions", "记录调解", [{ name: "note", label: "调解情况", type: "textarea", required: true, maxlength: 2000 }]),
    post("outcome", "调解结果", [{ name: "outcome", label: "结果", type: "select", options: V.outcomes, required: true },
      { name: "note", label: "说明", type: "textarea", maxlength: 2000 }])));
  return root;
}
