// 巡逻: routes and their checkpoints, shifts and rosters (排班), runs — started, checked in at each point with a
// finding when there is one, completed. The run's page is made for a phone held in one hand.
import { api, attachmentsApi, everyItem } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { label } from "../i18n.js";
import {
  attachmentsCard, badge, busy, dateTime, dl, errorText, field, fileChosen, h, makeForm, photoField, section, sendAttachment, toast,
} from "../ui.js";
import { actionForm, filterBar, isoFromLocal, listCard, localNow, preferred, queryFrom, tabLinks, unitsWhere } from "./casework.js";

const RUN_STATES = { in_progress: "巡逻中", completed: "已完成" };
const SHIFT_STATES = { planned: "待巡逻", covered: "已巡逻", missed: "漏巡" };
const KINDS = { police: "民警", security_volunteer: "平安志愿者", lane_guard: "护巷志愿者", staff: "社区工作人员" };
const FINDINGS = { hazard: "安全隐患", suspicious: "可疑情况", repair_needed: "设施报修" };

register("patrol", async ({ parts, params }) => {
  if (parts[0]) return run(parts[0]);
  return lists(params);
});

/** The routes here (every page: a community has a handful), for the pickers. */
function routesHere() {
  return everyItem("/api/v1/security/patrol-routes", { org_unit: state.org });
}

/** One participant per line: "姓名" (of the chosen kind), the form's names → [{person_name, kind}]. */
function people(text, kind) {
  return (text || "").split(/[\n,，、]/).map((s) => s.trim()).filter(Boolean).map((person_name) => ({ person_name, kind }));
}

async function lists(params) {
  const tab = params.get("tab") || "runs";
  const keep = { tab };
  const routes = await routesHere().catch(() => []);
  const routeNames = Object.fromEntries(routes.map((r) => [r.id, r.name]));
  const patrolHere = Object.keys(unitsWhere("security:patrol")).length > 0;
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `巡逻防控 · ${unitName(state.org)}`)));
  root.append(tabLinks("/patrol", tab, [["runs", "巡逻记录"], ["shifts", "排班"], ["routes", "巡逻路线"]], "巡逻"));
  if (tab === "routes") {
    root.append(await listCard({ title: "巡逻路线", path: "security/patrol-routes", query: { org_unit: state.org }, params, route: "/patrol", keep, id: "route-list",
      columns: [{ title: "路线", render: (r) => r.name }, { title: "社区", render: (r) => unitName(r.org_unit_id) },
        { title: "打卡点", render: (r) => (r.checkpoints || []).map((c) => c.name).join(" → ") }, { title: "建立", render: (r) => dateTime(r.created_at) }] }));
    const targets = unitsWhere("security:patrol");
    if (patrolHere) {
      root.append(actionForm({ id: "route-form", title: "新建巡逻路线", button: "保存路线", specs: [
        { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: preferred(targets) },
        { name: "name", label: "路线名称", required: true, maxlength: 100 },
        { name: "checkpoints", label: "打卡点（每行一个，可写“名称｜位置”）", type: "textarea", required: true, rows: 5,
          check: (v) => (v && v.split("\n").filter((s) => s.trim()).length ? null : "至少一个打卡点") }],
      submit: (body) => api.post("/api/v1/security/patrol-routes", { ...body, checkpoints: body.checkpoints.split("\n").map((s) => s.trim()).filter(Boolean)
        .map((s) => { const [name, location] = s.split(/[|｜]/).map((x) => x.trim()); return { name, location: location || null }; }) }, { idempotent: true }),
      aliases: { "checkpoints.0.name": "checkpoints" },
      done: () => go("/patrol", { tab: "routes" }) }));
    }
    return root;
  }
  if (tab === "shifts") {
    root.append(filterBar("/patrol", params, [{ name: "status", label: "状态", type: "select", options: SHIFT_STATES },
      { name: "from", label: "开始自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
    root.append(await listCard({ title: "巡逻排班", path: "security/patrol-shifts", id: "shift-list",
      query: queryFrom(params, ["status", "from", "to"], { org_unit: state.org }), params, route: "/patrol", keep,
      exportName: `巡逻排班-${unitName(state.org)}`,
      columns: [{ title: "开始", render: (s) => dateTime(s.starts_at) }, { title: "结束", render: (s) => dateTime(s.ends_at) },
        { title: "路线", render: (s) => routeNames[s.route_id] || s.route_id },
        { title: "人员", render: (s) => (s.roster || []).map((p) => `${p.person_name}（${label(KINDS, p.kind)}）`).join("、") },
        { title: "状态", render: (s) => badge(label(SHIFT_STATES, s.status), s.status === "missed" ? "danger" : s.status === "covered" ? "ok" : "") },
        { title: "", render: (s) => (s.run_id ? h("a", { href: href(`/patrol/${s.run_id}`) }, "查看巡逻") : s.status === "planned" && patrolHere
          ? h("button", { type: "button", class: "link", dataset: { startShift: s.id }, onclick: (e) => busy(e.currentTarget, startRun({ shift_id: s.id })) }, "开始巡逻") : "") }] }));
    if (patrolHere && routes.length) {
      root.append(actionForm({ id: "shift-form", title: "安排巡逻班次", button: "保存排班", specs: [
        { name: "route_id", label: "路线", type: "select", options: routeNames, required: true },
        { name: "starts_at", label: "开始", type: "datetime-local", required: true },
        { name: "ends_at", label: "结束", type: "datetime-local", required: true, check: (v, f) => (v && f.val("starts_at") && v <= f.val("starts_at") ? "应晚于开始时间" : null) },
        { name: "kind", label: "人员类别", type: "select", options: KINDS, required: true, value: "security_volunteer", local: true },
        { name: "roster", label: "巡逻人员（每行一人）", type: "textarea", required: true, rows: 3 }],
      submit: (body, form) => api.post("/api/v1/security/patrol-shifts", { route_id: body.route_id, starts_at: isoFromLocal(body.starts_at),
        ends_at: isoFromLocal(body.ends_at), roster: people(body.roster, form.val("kind")) }, { idempotent: true }),
      done: () => go("/patrol", { tab: "shifts" }) }));
    }
    return root;
  }
  // runs: the start form first — on a phone this is what the patrol opens the page for
  if (patrolHere) root.append(routes.length ? startForm(routeNames) : h("p", { class: "card notice" }, "还没有巡逻路线：先在“巡逻路线”里建立。"));
  root.append(filterBar("/patrol", params, [{ name: "status", label: "状态", type: "select", options: RUN_STATES },
    { name: "from", label: "开始自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
  root.append(await listCard({ title: "巡逻记录", path: "security/patrol-runs", id: "run-list",
    query: queryFrom(params, ["status", "from", "to"], { org_unit: state.org }), params, route: "/patrol", keep,
    exportName: `巡逻记录-${unitName(state.org)}`, onOpen: (x) => go(`/patrol/${x.id}`),
    columns: [{ title: "开始", render: (x) => h("a", { href: href(`/patrol/${x.id}`) }, dateTime(x.started_at)) },
      { title: "路线", render: (x) => x.route_name || routeNames[x.route_id] || x.route_id },
      { title: "人员", render: (x) => (x.participants || []).map((p) => p.person_name).join("、") },
      { title: "打卡", class: "num", render: (x) => `${(x.checkins || []).length}/${(x.checkpoints || []).length}` },
      { title: "发现问题", class: "num", render: (x) => String((x.findings || []).length) },
      { title: "状态", render: (x) => badge(label(RUN_STATES, x.status), x.status === "completed" ? "ok" : "warn") }] }));
  return root;
}

async function startRun(body) {
  try {
    const r = await api.post("/api/v1/security/patrol-runs", body, { idempotent: true });
    toast("巡逻开始");
    go(`/patrol/${r.id}`);
  } catch (err) { toast(errorText(err), "bad"); }
}

function startForm(routeNames) {
  const me = (state.user && (state.user.name || state.user.username)) || "";
  return actionForm({ id: "start-run-form", title: "开始巡逻", button: "开始巡逻", phone: true, specs: [
    { name: "route_id", label: "路线", type: "select", options: routeNames, required: true, value: Object.keys(routeNames).length === 1 ? Object.keys(routeNames)[0] : undefined },
    { name: "participants", label: "巡逻人员（每行一人）", type: "textarea", required: true, rows: 2, value: me },
    { name: "kind", label: "人员类别", type: "select", options: KINDS, required: true, value: "security_volunteer" }],
  submit: (body) => api.post("/api/v1/security/patrol-runs", { route_id: body.route_id, participants: people(body.participants, body.kind) }, { idempotent: true }),
  done: (r) => go(`/patrol/${r.id}`) });
}

// ---- one run: a big button per checkpoint, a finding to go with the next check-in, and 完成巡逻 at the bottom

async function run(id) {
  const x = await api.get(`/api/v1/security/patrol-runs/${encodeURIComponent(id)}`);
  const root = h("div", { class: "patrol-run", dataset: { status: x.status } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, x.route_name || "巡逻"),
    badge(label(RUN_STATES, x.status), x.status === "completed" ? "ok" : "warn"), h("a", { class: "button", href: href("/patrol") }, "返回")));
  const checked = new Map((x.checkins || []).map((c) => [c.checkpoint_id, c]));
  const findings = new Map((x.findings || []).map((f) => [f.checkpoint_id, f]));
  const done = checked.size, total = (x.checkpoints || []).length;
  root.append(h("p", { class: "progress-line", id: "run-progress" }, `已打卡 ${done} / ${total} 个点 · 开始于 ${dateTime(x.started_at)} · `,
    (x.participants || []).map((p) => p.person_name).join("、")));
  const mayPatrol = can("security:patrol") && x.status === "in_progress";
  const form = makeForm();
  // the finding's photo (the blocked fire lane itself), sent with the check-in it goes with (#22)
  const photo = photoField({ label: "问题照片（可不填）" });
  const findingBox = h("fieldset", { class: "card thumb finding", id: "finding" }, h("legend", {}, "发现问题？随下一次打卡一并上报（可不填）"),
    field(form, { name: "kind", label: "问题类别", type: "select", options: FINDINGS }),
    field(form, { name: "description", label: "问题描述", type: "textarea", maxlength: 1000, rows: 2,
      check: (v, f) => (f.val("kind") && !v ? "请描述发现的问题" : null) }), photo.wrap, form.error);
  const points = h("ol", { class: "checkpoints", id: "checkpoints" }, (x.checkpoints || []).map((cp) => {
    const c = checked.get(cp.id);
    const f = findings.get(cp.id);
    const button = mayPatrol && !c ? h("button", { type: "button", class: "primary big", dataset: { checkpoint: cp.id }, "aria-label": `在${cp.name}打卡` }, "打卡") : null;
    if (button) {
      button.addEventListener("click", async () => {
        if (!form.validate()) return;
        const kind = form.val("kind");
        const body = { checkpoint_id: cp.id, ...(kind ? { finding: { kind, description: form.val("description") } } : {}) };
        if (fileChosen(photo) && !kind) { form.get("kind").show("有照片时请选择问题类别"); return; }
        try {
          await busy(button, api.post(`/api/v1/security/patrol-runs/${x.id}/checkins`, body));
          if (fileChosen(photo)) {
            try {
              await busy(button, sendAttachment(photo, `/api/v1/security/patrol-runs/${x.id}/attachments`, attachmentsApi.post,
                `${cp.name}：${label(FINDINGS, kind)}`));
            } catch (err) { toast(`${cp.name}：已打卡；照片未上传：${errorText(err)}（可在下方“巡逻照片”重新上传）`, "error"); go(`/patrol/${x.id}`); return; }
          }
          toast(`${cp.name}：已打卡`);
          go(`/patrol/${x.id}`);
        } catch (err) { form.showApiError(err, { "finding.description": "description", "finding.kind": "kind" }); }
      });
    }
    return h("li", { class: `checkpoint${c ? " done" : ""}`, dataset: { checkpointId: cp.id } },
      h("div", { class: "cp-text" }, h("strong", {}, cp.name), cp.location ? h("span", { class: "muted small" }, ` ${cp.location}`) : null,
        c ? h("div", { class: "small" }, badge("已打卡", "ok"), " ", dateTime(c.at)) : null,
        f ? h("div", { class: "small" }, badge(label(FINDINGS, f.kind), "warn"), " ", f.description) : null,
        x.status === "completed" && !c ? h("div", { class: "small" }, badge("漏巡", "danger")) : null),
      button);
  }));
  root.append(section("打卡点", points));
  // what the patrol saw: added and removed by who patrols it (a run's photos never close: places, not decisions)
  root.append(attachmentsCard({ path: `/api/v1/security/patrol-runs/${encodeURIComponent(x.id)}/attachments`, api: attachmentsApi,
    me: state.user.id, title: "巡逻照片", camera: true, canAdd: can("security:patrol"), canEdit: can("security:patrol") }));
  if (mayPatrol) {
    root.append(findingBox);
    const end = h("button", { type: "button", class: "primary big", id: "complete-run" }, done < total ? `结束巡逻（还有 ${total - done} 个点未打卡）` : "完成巡逻");
    end.addEventListener("click", async () => {
      try {
        await busy(end, api.post(`/api/v1/security/patrol-runs/${x.id}/complete`, {}));
        toast("巡逻已完成");
        go(`/patrol/${x.id}`);
      } catch (err) { toast(errorText(err), "bad"); }
    });
    root.append(h("p", {}, h("a", { class: "button", href: href("/security/report", { patrol_run_id: x.id }), id: "report-from-run" }, "遇到紧急情况：上报事件")));
    root.append(h("div", { class: "thumb-bar" }, end));
  } else if (x.status === "completed") {
    root.append(section("巡逻结果", dl([["结束", dateTime(x.ended_at)], ["用时", x.minutes != null ? `${x.minutes} 分钟` : ""],
      ["漏巡", (x.missed_checkpoints || []).map((c) => c.name).join("、") || "无"]])));
  }
  return root;
}
