// 系统管理: users and their roles (users:admin), the org tree and the units' profiles (org:admin), the audit log
// (audit:read), and the services' dead letters (dead_letters:admin). Each screen is offered only to those roles.
import { api, request } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { LEVELS } from "../i18n.js";
import { actionForm, badge, busy, dateTime, day, dl, errorText, filterBar, h, listQuery, listSection, num, openDialog,
  section, table, toast, todayLocal } from "../ui.js";

const AUDIT_ACTIONS = { read: "查阅", change: "修改", export: "导出", import: "导入", submit: "报送", approve: "审核",
  accept: "验收", unlock: "退回重报" };
const SERVICE_NAMES = { gateway: "网关（账号与组织）", petition: "信访", welfare: "民政", volunteer: "志愿服务", security: "平安建设" };
const DOMAIN = ["petition", "welfare", "volunteer", "security"];

function denied(perm) {
  if (can(perm)) return null;
  return h("div", { class: "card" }, h("h1", {}, "没有权限"), h("p", {}, "当前账号在所选单位没有此项管理权限。"));
}

/** The units under the page's unit (all levels, retired ones too), fetched fresh: the tree in the menu shows fewer. */
async function subtree(roots = [state.org]) {
  const found = await Promise.all(roots.map((root) => api.get("/api/v1/org/tree", { root })));
  return found.flatMap((r) => r.units).sort((a, b) => a.path.localeCompare(b.path));
}
const LEVEL_ORDER = Object.keys(LEVELS);  // city … building: a child sits below its parent's level

const indent = (u, top) => "　".repeat(Math.max(0, u.path.split("/").length - top)) + u.name;
function unitOptions(units, keep = () => true) {
  const top = units.length ? units[0].path.split("/").length : 0;
  return Object.fromEntries(units.filter((u) => !u.retired && keep(u)).map((u) => [u.id, indent(u, top)]));
}

/** After the tree changed: boot again (app.js reads the tree anew when there is no user), on `path`. */
function reloadTree(path, params) {
  state.user = null;
  go(path, params);
}

const grantText = (g) => `${state.roleNames[g.role] || g.role} @ ${unitName(g.org_unit)}${(g.duties || []).length
  ? `（${g.duties.map((d) => state.dutyNames[d] || d).join("、")}）` : ""}`;

const dutyFields = () => Object.entries(state.dutyNames).map(([k, t]) => ({ name: `duty_${k}`, label: t, type: "checkbox" }));
const dutiesOf = (v) => Object.keys(state.dutyNames).filter((k) => v[`duty_${k}`]);

// ---- users and roles

register("users", async ({ parts, params }) => {
  const no = denied("users:admin");
  if (no) return no;
  return parts[0] ? user(parts[0]) : users(params);
});

async function users(params) {
  const units = await subtree();
  const query = listQuery(params, [], { org_unit: state.org });
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `用户与角色 · ${unitName(state.org)}`)));
  const r = await api.get("/api/v1/users", query);
  root.append(listSection({ title: "用户", id: "users", found: r, query, caption: "用户列表",
    onPage: (n) => go("/users", { page: n }), onOpen: (u) => go(`/users/${u.id}`), columns: [
      { title: "用户名", render: (u) => h("a", { href: href(`/users/${u.id}`) }, u.username) },
      { title: "姓名", render: (u) => u.name },
      { title: "角色与单位", render: (u) => (u.grants || []).map(grantText).join("；") },
      { title: "状态", render: (u) => [u.active ? "启用" : badge("停用", "warn"), u.locked_until ? [" ", badge("已锁定", "danger")] : null] },
    ] }));
  root.append(actionForm({ id: "user-form", title: "新建用户", submit: "创建", fields: [
    { name: "username", label: "用户名（小写字母、数字）", required: true, maxlength: 64,
      check: (v) => (v && !/^[a-z0-9][a-z0-9_.-]{2,63}$/.test(v) ? "3 位以上，小写字母、数字、. _ -" : null) },
    { name: "name", label: "姓名", maxlength: 50 },
    { name: "password", label: "初始密码", type: "password", required: true, maxlength: 256 },
    { name: "role", label: "角色", type: "select", options: state.roleNames, required: true },
    { name: "org_unit", label: "所在单位", type: "select", options: unitOptions(units), required: true, value: state.org },
    ...dutyFields(),
  ], send: async (v) => {
    const u = await api.post("/api/v1/users", { username: v.username, name: v.name, password: v.password,
      grants: [{ role: v.role, org_unit: v.org_unit, duties: dutiesOf(v) }] }, { idempotent: true });
    toast("用户已创建");
    go(`/users/${u.id}`);
  } }));
  return root;
}

async function user(id) {
  const path = `/api/v1/users/${encodeURIComponent(id)}`;
  const [u, units] = await Promise.all([api.get(path), subtree()]);
  const reload = () => go(`/users/${u.id}`);
  const patch = (body, done) => request("PATCH", path, { body }).then(() => { toast(done); reload(); });
  const press = (fn) => async (e) => { try { await busy(e.currentTarget, fn()); } catch (err) { toast(errorText(err), "bad"); } };
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `用户 · ${u.name || u.username}`),
    u.active ? badge("启用", "ok") : badge("停用", "warn"), h("a", { class: "button", href: href("/users") }, "返回列表")));
  root.append(section("账号", dl([["用户名", u.username], ["姓名", u.name], ["状态", u.active ? "启用" : "停用"],
    ["锁定至", u.locked_until ? dateTime(u.locked_until) : "未锁定"]])));
  root.append(h("section", { class: "card", id: "grants" }, h("h2", {}, "角色与职责"), table([
    { title: "角色", render: (g) => state.roleNames[g.role] || g.role },
    { title: "单位", render: (g) => unitName(g.org_unit) },
    { title: "职责", render: (g) => (g.duties || []).map((d) => state.dutyNames[d] || d).join("、") || "—" },
    { title: "操作", render: (g) => (u.grants.length > 1 ? h("button", { type: "button", class: "danger",
      "aria-label": `撤销 ${grantText(g)}`, onclick: press(() => patch({ grants: u.grants.filter((x) => x !== g) }, "已撤销")) }, "撤销") : "") },
  ], u.grants, { caption: "角色授予" })));
  root.append(actionForm({ id: "grant-form", title: "授予角色", submit: "授予", fields: [
    { name: "role", label: "角色", type: "select", options: state.roleNames, required: true },
    { name: "org_unit", label: "单位", type: "select", options: unitOptions(units), required: true, value: state.org },
    ...dutyFields(),
  ], send: (v) => patch({ grants: [...u.grants, { role: v.role, org_unit: v.org_unit, duties: dutiesOf(v) }] }, "已授予") }));
  root.append(h("div", { class: "action-forms" },
    actionForm({ id: "rename-user", title: "修改姓名", fields: [{ name: "name", label: "姓名", required: true, maxlength: 50, value: u.name }],
      send: (v) => patch(v, "已保存") }),
    actionForm({ id: "password-form", title: "重设密码（同时解除锁定）", submit: "重设", fields: [
      { name: "password", label: "新密码", type: "password", required: true, maxlength: 256 }],
    send: async (v) => { await api.post(`${path}/password`, v); toast("密码已重设"); reload(); } })));
  root.append(h("section", { class: "card" }, h("h2", {}, "账号操作"), h("div", { class: "actions" },
    h("button", { type: "button", id: "toggle-active", class: u.active ? "danger" : "primary",
      onclick: press(() => patch({ active: !u.active }, u.active ? "已停用" : "已启用")) }, u.active ? "停用账号" : "启用账号"),
    u.locked_until ? h("button", { type: "button", onclick: press(async () => { await api.post(`${path}/unlock`); toast("已解除锁定"); reload(); }) }, "解除锁定") : null,
    h("button", { type: "button", id: "revoke-sessions", onclick: press(async () => {
      const r = await api.post(`${path}/revoke-sessions`);
      toast(`已注销 ${r.sessions_revoked} 个登录`);
    }) }, "注销全部登录"))));
  return root;
}

// ---- the org tree, the units' profiles, the tree import

register("org", async ({ parts, params }) => {
  const no = denied("org:admin");
  if (no) return no;
  return parts[0] ? orgUnit(parts[0], params) : orgTree();
});

async function orgTree() {
  const units = await subtree();
  const byParent = new Map();
  for (const u of units) { if (!byParent.has(u.parent_id)) byParent.set(u.parent_id, []); byParent.get(u.parent_id).push(u); }
  const node = (u) => h("li", {}, h("a", { href: href(`/org/${u.id}`), class: u.retired ? "retired" : null },
    `${u.name}`), ` `, h("span", { class: "muted small" }, `${LEVELS[u.level] || u.level} · ${u.id}${u.retired ? " · 已撤销" : ""}`),
  (byParent.get(u.id) || []).length ? h("ul", {}, byParent.get(u.id).map(node)) : null);
  const top = units.filter((u) => !units.some((p) => p.id === u.parent_id));
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `组织架构 · ${unitName(state.org)}`),
    h("a", { class: "button", href: href("/imports") }, "用 Excel 批量导入")));
  root.append(h("section", { class: "card tree-edit", id: "org-tree" }, h("h2", {}, `单位（${units.length} 个）`), h("ul", {}, top.map(node))));
  root.append(actionForm({ id: "unit-form", title: "新增单位", submit: "新增", fields: [
    { name: "parent_id", label: "上级单位", type: "select", options: unitOptions(units), required: true, value: state.org },
    { name: "level", label: "层级", type: "select", options: LEVELS, required: true },
    { name: "id", label: "单位编号（小写字母、数字、-）", required: true, maxlength: 64 },
    { name: "name", label: "名称", required: true, maxlength: 100 },
  ], send: async (v) => {
    const u = await api.post("/api/v1/org/units", v, { idempotent: true });
    toast("单位已新增");
    reloadTree(`/org/${u.id}`);
  } }));
  const file = h("input", { type: "file", id: "org-import-file", name: "file", accept: ".csv,.yaml,.yml", "aria-describedby": "org-import-hint" });
  const out = h("p", { id: "org-import-result", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "card form", id: "org-import", novalidate: true }, h("h2", {}, "导入组织架构文件"),
    h("div", { class: "field" }, h("label", { for: "org-import-file" }, "CSV（id,name,level,parent_id）或 YAML 文件"), file,
      h("p", { class: "hint", id: "org-import-hint" }, "文件有任何错误时不做任何改动；已有的单位保留不变。")),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "导入")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!file.files.length) { out.textContent = "请选择文件"; out.className = "form-error"; return; }
    const body = new FormData();
    body.append("file", file.files[0]);
    try {
      const r = await busy(form.querySelector("[type=submit]"), request("POST", "/api/v1/org/import", { body, idempotent: true }));
      toast(`新建 ${r.created} 个，未变 ${r.unchanged} 个`);
      reloadTree("/org");
    } catch (err) {
      out.className = "form-error";
      out.textContent = [errorText(err), ...Object.values(err.fields || {}).flat()].join("　");
    }
  });
  root.append(form);
  return root;
}

async function orgUnit(id, params) {
  // a unit may move anywhere in the admin's scope, under a unit of a higher level
  const [u, units] = await Promise.all([api.get(`/api/v1/org/units/${encodeURIComponent(id)}`), subtree(state.roots)]);
  const profilesPath = `/api/v1/org/units/${encodeURIComponent(u.id)}/profiles`;
  const query = listQuery(params, ["from", "to"], {});
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `${u.name}（${LEVELS[u.level] || u.level}）`),
    u.retired ? badge("已撤销", "warn") : null, h("a", { class: "button", href: href("/org") }, "返回组织架构")));
  root.append(section("单位信息", dl([["编号", u.id], ["层级", LEVELS[u.level] || u.level], ["上级", u.parent_id ? unitName(u.parent_id) : "—"],
    ["路径", u.path]])));
  if (!u.retired) {
    const below = (x) => x.path.startsWith(u.path);
    root.append(h("div", { class: "action-forms" },
      actionForm({ id: "rename-unit", title: "更名", fields: [{ name: "name", label: "新名称", required: true, maxlength: 100, value: u.name }],
        send: async (v) => { await request("PATCH", `/api/v1/org/units/${u.id}`, { body: v }); toast("已更名"); reloadTree(`/org/${u.id}`); } }),
      u.parent_id ? actionForm({ id: "move-unit", title: "调整隶属（连同下级单位）", submit: "调整", fields: [
        { name: "parent_id", label: "新的上级单位", type: "select", required: true,
          options: unitOptions(units, (x) => !below(x) && x.id !== u.parent_id
            && LEVEL_ORDER.indexOf(x.level) < LEVEL_ORDER.indexOf(u.level)) }],
      send: async (v) => { await api.post(`/api/v1/org/units/${u.id}/move`, v); toast("已调整"); reloadTree(`/org/${u.id}`); } }) : null));
    root.append(h("div", { class: "card" }, h("button", { type: "button", class: "danger", id: "retire-unit", onclick: () =>
      openDialog(`撤销单位「${u.name}」`, (close) => h("div", {},
        h("p", {}, "撤销后保留历史记录，但不再登记新的事项。"),
        h("div", { class: "actions" }, h("button", { type: "button", class: "danger", id: "confirm-retire", onclick: async (e) => {
          try { await busy(e.currentTarget, api.post(`/api/v1/org/units/${u.id}/retire`)); close(); toast("单位已撤销"); reloadTree(`/org/${u.id}`); }
          catch (err) { toast(errorText(err), "bad"); }
        } }, "确认撤销")))) }, "撤销单位")));
  }
  root.append(filterBar([{ name: "from", label: "基准日自", type: "date" }, { name: "to", label: "至", type: "date" }], params,
    (v) => go(`/org/${u.id}`, v), () => go(`/org/${u.id}`)).el);
  const found = await api.get(profilesPath, query);
  root.append(listSection({ title: "基本情况（人口、户数、面积、网格）", id: "profiles", found, query, caption: "单位基本情况",
    onPage: (n) => go(`/org/${u.id}`, { ...Object.fromEntries(params), page: n }), columns: [
      { title: "基准日", render: (p) => day(p.as_of) }, { title: "人口", class: "num", render: (p) => num(p.population) },
      { title: "户数", class: "num", render: (p) => num(p.households) }, { title: "面积（平方公里）", class: "num", render: (p) => num(p.area_km2) },
      { title: "网格", class: "num", render: (p) => num(p.grids) }, { title: "更新时间", render: (p) => dateTime(p.updated_at) },
    ] }));
  root.append(actionForm({ id: "profile-form", title: "登记基本情况", submit: "保存", fields: [
    { name: "as_of", label: "基准日", type: "date", required: true, value: todayLocal() },
    { name: "population", label: "人口", type: "number", min: 0, max: 10000000, required: true },
    { name: "households", label: "户数", type: "number", min: 0, max: 10000000, required: true },
    { name: "area_km2", label: "面积（平方公里）", type: "number", min: 0, max: 100000, required: true },
    { name: "grids", label: "网格数", type: "number", min: 0, max: 10000, required: true },
  ], send: async (v) => { await api.post(profilesPath, v); toast("已保存"); go(`/org/${u.id}`); } }));
  const areaInput = root.querySelector("#profile-form [name=area_km2]");
  if (areaInput) areaInput.step = "0.01";
  return root;
}

// ---- the audit log

register("audit", async ({ params }) => {
  const no = denied("audit:read");
  if (no) return no;
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `审计日志 · ${unitName(state.org)}`)),
    h("div", { class: "tabs", role: "tablist" }, [["platform", "个人信息访问"], ...Object.entries(TRAILS).map(([k, x]) => [k, x.tab])].map(([k, t]) => {
      const on = (params.get("tab") || "platform") === k;
      return h("a", { role: "tab", "aria-selected": String(on), class: on ? "on" : "", href: href("/audit", { tab: k }) }, t);
    })));
  if (TRAILS[params.get("tab")]) return trailAudit(root, params, params.get("tab"));
  root.append(filterBar([
    { name: "user_id", label: "账号编号", maxlength: 100 },
    { name: "service", label: "业务", type: "select", options: SERVICE_NAMES },
    { name: "action", label: "操作", type: "select", options: AUDIT_ACTIONS },
    { name: "from", label: "时间自", type: "date" },
    { name: "to", label: "至", type: "date", check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) },
  ], params, (v) => go("/audit", v), () => go("/audit")).el);
  const query = listQuery(params, ["user_id", "service", "action", "from", "to"], { org_unit: state.org }, { days: true, pageSize: 50 });
  const r = await api.get("/api/v1/audit", query);
  root.append(listSection({ title: "访问与操作记录", id: "audit", found: r, query, caption: "审计日志",
    onPage: (n) => go("/audit", { ...Object.fromEntries(params), page: n }), columns: [
      { title: "时间", render: (e) => dateTime(e.at) },
      { title: "人员", render: (e) => h("a", { href: href("/audit", { user_id: e.user_id }) }, e.name || e.user_id) },
      { title: "角色", render: (e) => (e.roles || []).map((x) => state.roleNames[x] || x).join("、") },
      { title: "操作", render: (e) => AUDIT_ACTIONS[e.action] || e.action },
      { title: "业务", render: (e) => SERVICE_NAMES[e.service] || e.service },
      { title: "地址", render: (e) => h("code", { class: "small" }, `${e.method || ""} ${e.path || ""}`) },
      { title: "涉及字段", render: (e) => (e.fields || []).join("、") },
      { title: "结果", class: "num", render: (e) => e.status },
    ] }));
  return root;
});

/** The sensitive registers' own trails, kept by the service that holds them (#20, #22): the party registers, the
 *  corrections records, the 人员台账 and the employment records — every access, allowed or refused, newest first. */
const TRAILS = {
  party: { tab: "党建档案访问", path: "/api/v1/volunteer/party/audit", by: true },
  corrections: { tab: "矫正档案访问", path: "/api/v1/security/audit", by: true },
  registers: { tab: "人员台账访问", path: "/api/v1/welfare/register-audit", by: true },
  employment: { tab: "就业档案访问", path: "/api/v1/welfare/employment/audit", by: false },  // no user_id filter there
};
async function trailAudit(root, params, tab) {
  const trail = TRAILS[tab];
  const reroute = (v) => go("/audit", { tab, ...v });
  root.append(filterBar([
    trail.by ? { name: "user_id", label: "账号编号", maxlength: 100 } : null,
    { name: "allowed", label: "结果", type: "select", options: { true: "允许", false: "拒绝" } },
    { name: "from", label: "时间自", type: "date" },
    { name: "to", label: "至", type: "date", check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) },
  ].filter(Boolean), params, reroute, () => reroute({})).el);
  const query = listQuery(params, [trail.by ? "user_id" : null, "allowed", "from", "to"].filter(Boolean), { org_unit: state.org },
    { days: true, pageSize: 50 });
  const r = await api.get(trail.path, query);
  const title = `${trail.tab.replace(/访问$/, "")}访问记录`;
  root.append(listSection({ title, id: `${tab}-audit`, found: r, query, caption: title,
    onPage: (n) => go("/audit", { ...Object.fromEntries(params), page: n }), columns: [
      { title: "时间", render: (e) => dateTime(e.at) },
      { title: "人员", render: (e) => e.name || e.user_id },
      { title: "角色", render: (e) => (e.roles || []).map((x) => state.roleNames[x] || x).join("、") },
      { title: "操作", render: (e) => e.action },
      { title: "记录", render: (e) => e.record_id || "" },
      { title: "结果", render: (e) => [e.allowed ? "允许" : badge("拒绝", "danger"), e.unmasked ? [" ", badge("明文", "warn")] : null] },
    ] }));
  return root;
}

// ---- dead letters: what a service's consumers could not handle, replayed after a fix

register("deadletters", async ({ params }) => {
  const no = denied("dead_letters:admin");
  if (no) return no;
  const service = DOMAIN.includes(params.get("service")) ? params.get("service") : "volunteer";
  const base = `/api/v1/${service}/dead-letters`;
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, "死信（未能处理的消息）")),
    h("p", { class: "hint" }, "各业务服务处理不了的事件停在这里；修复原因后重放，服务会再处理一次（处理是幂等的，重放两次无害）。"));
  root.append(filterBar([
    { name: "service", label: "业务服务", type: "select", options: Object.fromEntries(DOMAIN.map((s) => [s, SERVICE_NAMES[s]])), required: true },
    { name: "from", label: "失败时间自", type: "date" },
    { name: "to", label: "至", type: "date" },
  ], new URLSearchParams({ ...Object.fromEntries(params), service }), (v) => go("/deadletters", v), () => go("/deadletters")).el);
  const query = listQuery(params, ["from", "to"], { org_unit: state.org }, { days: true });
  const reload = () => go("/deadletters", Object.fromEntries(params));
  const replay = (ids, done) => async (e) => {
    try {
      const r = await busy(e.currentTarget, api.post(`${base}/replay`, ids ? { ids } : {}));
      toast(`已重放 ${r.replayed} 条${done || ""}`);
      reload();
    } catch (err) { toast(errorText(err), "bad"); }
  };
  const r = await api.get(base, query);
  root.append(listSection({ title: `${SERVICE_NAMES[service]}的死信`, id: "dead-letters", found: r, query, caption: "死信列表",
    exporter: r.items.some((d) => !d.replayed_at) ? h("button", { type: "button", class: "primary", id: "replay-all",
      onclick: replay(null) }, "重放全部未重放的") : null,
    onPage: (n) => go("/deadletters", { ...Object.fromEntries(params), page: n }), columns: [
      { title: "失败时间", render: (d) => dateTime(d.failed_at) },
      { title: "事件", render: (d) => d.event_type || "（无法读取）" },
      { title: "事件编号", render: (d) => h("span", { class: "small" }, d.event_id || "") },
      { title: "单位", render: (d) => (d.orgpath ? unitName(d.orgpath.split("/").filter(Boolean).pop()) : "") },
      { title: "原因", render: (d) => d.reason },
      { title: "错误", render: (d) => h("span", { class: "small" }, d.error) },
      { title: "重放", render: (d) => (d.replayed_at ? `已于 ${dateTime(d.replayed_at)} 重放`
        : h("button", { type: "button", "aria-label": `重放 ${d.event_id || d.id}`, onclick: replay([d.id]) }, "重放")) },
    ] }));
  return root;
});
