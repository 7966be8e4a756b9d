// 志愿服务: activities with sign-up and check-in (and the phone's 现场签到), volunteers (pause, resume, leave),
// service teams (form, members, leader, dissolve), a volunteer's love-coin statement, adjustments and the time bank.
import { api, everyItem, request } from "../api.js";
import { can, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { ACTIVITY_STATES, label } from "../i18n.js";
import { actionForm, badge, busy, clear, dateTime, day, dl, errorText, exportButtons, field, filterBar, h, listQuery, listSection,
  makeForm, openDialog, pager, section, table, toast, todayLocal, validators } from "../ui.js";

const KINDS = { resident: "居民", party_member: "党员报到", cobuilding_member: "共建单位" };
const SIGNUP = { signed_up: "已报名", waitlisted: "候补", cancelled: "已取消", attended: "已签到", no_show: "未到",
  substituted: "已由他人顶岗" };
const ENTRY_KINDS = { credit: "服务积分", adjustment: "调整", time_bank: "时间银行", redemption: "爱心超市兑换",
  reservation: "兑换冻结", release: "解冻", issue: "发放" };

const VOLUNTEER_STATES = { active: "在册", paused: "暂停", left: "已退出" };
const TEAM_STATES = { active: "在册", dissolved: "已解散" };

const TEAM_TYPES = { patrol: "治安巡逻", elderly_care: "关爱老人", health_clinic: "义诊", legal_aid: "法律援助",
  snow_cleaning: "清雪", family_planning: "计生服务" };

function communities(perm) {
  const out = {};
  for (const u of [unit(), ...communitiesUnder(state.org)]) if (u && u.level === "community" && can(perm, u.path)) out[u.id] = u.name;
  return out;
}

/** A datetime-local value (the user's clock) as an ISO UTC time. */
function isoOf(local) {
  const d = new Date(local);
  return isNaN(d) ? null : d.toISOString();
}

function activityForm(types) {
  const form = makeForm();
  const targets = communities("volunteer:manage");
  const el = h("form", { class: "card form", novalidate: true, id: "activity-form" }, h("h2", {}, "发布志愿活动"),
    h("div", { class: "grid2" },
      field(form, { name: "title", label: "活动名称", required: true, maxlength: 100 }),
      field(form, { name: "type", label: "服务类型", type: "select", required: true,
        options: Object.fromEntries(types.map((t) => [t.type, TEAM_TYPES[t.type] || t.name || t.type])) }),
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "place", label: "地点", required: true, maxlength: 100 }),
      field(form, { name: "starts_at", label: "开始时间", type: "datetime-local", required: true }),
      field(form, { name: "ends_at", label: "结束时间", type: "datetime-local", required: true,
        check: (v, f) => (v && f.val("starts_at") && v <= f.val("starts_at") ? "结束时间应晚于开始时间" : null) }),
      field(form, { name: "capacity", label: "名额", type: "number", min: 1, max: 1000, required: true, value: 20 }),
      field(form, { name: "publish", label: "立即发布（开放报名）", type: "checkbox", value: true })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "保存")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = { title: form.val("title"), type: form.val("type"), org_unit_id: form.val("org_unit_id"), place: form.val("place"),
      starts_at: isoOf(form.val("starts_at")), ends_at: isoOf(form.val("ends_at")), capacity: form.val("capacity"), publish: form.val("publish") };
    try {
      const a = await busy(el.querySelector("[type=submit]"), api.post("/api/v1/volunteer/activities", body, { idempotent: true }));
      toast("活动已保存");
      go(`/volunteer/activities/${a.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

function volunteerForm() {
  const form = makeForm();
  const targets = communities("volunteer:manage");
  const el = h("form", { class: "card form", novalidate: true, id: "volunteer-form" }, h("h2", {}, "登记志愿者"),
    h("div", { class: "grid2" },
      field(form, { name: "name", label: "姓名", required: true, maxlength: 50 }),
      field(form, { name: "kind", label: "类别", type: "select", options: KINDS, required: true, value: "resident" }),
      field(form, { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined }),
      field(form, { name: "mobile", label: "手机号", type: "tel", check: validators.mobile, maxlength: 11 }),
      field(form, { name: "skills", label: "特长（用逗号分隔）", maxlength: 200 }),
      field(form, { name: "consent", label: "本人同意登记并使用其信息", type: "checkbox", check: (v) => (v ? null : "须经本人同意") })),
    form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "登记")));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = { name: form.val("name"), kind: form.val("kind"), org_unit_id: form.val("org_unit_id"), mobile: form.val("mobile") || null,
      skills: form.val("skills").split(/[,，、]/).map((x) => x.trim()).filter(Boolean), consent: form.val("consent") };
    try {
      const v = await busy(el.querySelector("[type=submit]"), api.post("/api/v1/volunteer/volunteers", body, { idempotent: true }));
      toast("志愿者已登记");
      go(`/volunteer/volunteers/${v.id}`);
    } catch (err) { form.showApiError(err); }
  });
  return el;
}

register("volunteer", async ({ parts, params }) => {
  if (parts[0] === "checkin") return parts[1] ? checkinRoster(parts[1]) : checkinStart(params);
  if (parts[0] === "activities" && parts[1]) return activity(parts[1]);
  if (parts[0] === "volunteers" && parts[1]) return statement(parts[1], params);
  if (parts[0] === "teams" && parts[1]) return team(parts[1]);
  return lists(params);
});

/** Every volunteer of a unit's subtree, {id: name}, paged through (a select never drops the 101st). */
async function volunteerNames(orgUnit, status = "active,paused") {
  const names = {};
  for (const v of await everyItem("/api/v1/volunteer/volunteers", { org_unit: orgUnit, status })) names[v.id] = v.name;
  return names;
}

const activityTypes = () => api.get("/api/v1/volunteer/types").then((t) => Object.fromEntries((t.items || [])
  .map((x) => [x.type, TEAM_TYPES[x.type] || x.name || x.type]))).catch(() => ({ ...TEAM_TYPES }));

const exporter = (path, query, name) => (can("reports:export") ? exportButtons(request, path, query, `${name}-${unitName(state.org)}`) : null);

const TABS = [["activities", "志愿活动"], ["volunteers", "志愿者"], ["teams", "服务队"]];

async function lists(params) {
  const tab = params.get("tab") || "activities";
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `志愿服务 · ${unitName(state.org)}`),
    can("volunteer:manage") ? h("a", { class: "button primary", id: "open-checkin", href: href("/volunteer/checkin") }, "现场签到") : null));
  root.append(h("div", { class: "tabs", role: "tablist" }, TABS.map(([k, t]) =>
    h("a", { role: "tab", "aria-selected": String(tab === k), class: tab === k ? "on" : "", href: href("/volunteer", { tab: k }) }, t))));
  const types = await activityTypes();
  const reroute = (extra) => go("/volunteer", { tab, ...extra });
  const onPage = (n) => go("/volunteer", { ...Object.fromEntries(params), page: n });
  if (tab === "volunteers") return volunteersTab(root, params, reroute, onPage);
  if (tab === "teams") return teamsTab(root, params, types, reroute, onPage);
  const bar = filterBar([
    { name: "status", label: "状态", type: "select", options: ACTIVITY_STATES },
    { name: "type", label: "服务类型", type: "select", options: types },
    { name: "from", label: "开始自", type: "date" },
    { name: "to", label: "至", type: "date", check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) },
  ], params, reroute, () => reroute({}));
  root.append(bar.el);
  const query = listQuery(params, ["status", "type", "from", "to"], { org_unit: state.org }, { days: true });
  const r = await api.get("/api/v1/volunteer/activities", query);
  root.append(listSection({ title: "志愿活动", found: r, query, onPage, caption: "志愿活动列表",
    exporter: exporter("volunteer/activities", query, "志愿活动"),
    onOpen: (a) => go(`/volunteer/activities/${a.id}`), columns: [
      { title: "时间", render: (a) => dateTime(a.starts_at) },
      { title: "活动", render: (a) => h("a", { href: href(`/volunteer/activities/${a.id}`) }, a.title) },
      { title: "类型", render: (a) => types[a.type] || a.type },
      { title: "社区", render: (a) => unitName(a.org_unit_id) },
      { title: "地点", render: (a) => a.place || "" },
      { title: "名额", class: "num", render: (a) => `${a.taken ?? 0}/${a.capacity ?? "—"}` },
      { title: "候补", class: "num", render: (a) => (a.waitlist || []).length },
      { title: "状态", render: (a) => badge(label(ACTIVITY_STATES, a.status)) },
    ] }));
  if (can("volunteer:manage")) {
    const raw = await api.get("/api/v1/volunteer/types").then((t) => t.items || []).catch(() => []);
    root.append(activityForm(raw));
  }
  return root;
}

async function volunteersTab(root, params, reroute, onPage) {
  const teams = await api.get("/api/v1/volunteer/teams", { org_unit: state.org, page_size: 100 }).then((t) => t.items).catch(() => []);
  const bar = filterBar([
    { name: "status", label: "状态", type: "select", options: VOLUNTEER_STATES },
    { name: "kind", label: "类别", type: "select", options: KINDS },
    { name: "skill", label: "特长", maxlength: 40 },
    { name: "team_id", label: "服务队", type: "select", options: Object.fromEntries(teams.map((t) => [t.id, t.name])) },
  ], params, reroute, () => reroute({}));
  root.append(bar.el);
  const query = listQuery(params, ["status", "kind", "skill", "team_id"], { org_unit: state.org });
  const r = await api.get("/api/v1/volunteer/volunteers", query);
  root.append(listSection({ title: "志愿者", found: r, query, onPage, caption: "志愿者列表",
    exporter: exporter("volunteer/volunteers", query, "志愿者"),
    onOpen: (v) => go(`/volunteer/volunteers/${v.id}`), columns: [
      { title: "姓名", render: (v) => h("a", { href: href(`/volunteer/volunteers/${v.id}`) }, v.name) },
      { title: "类别", render: (v) => label(KINDS, v.kind) },
      { title: "社区", render: (v) => unitName(v.org_unit_id) },
      { title: "手机", render: (v) => v.mobile || "" },
      { title: "技能", render: (v) => (v.skills || []).join("、") },
      { title: "状态", render: (v) => label(VOLUNTEER_STATES, v.status) },
    ] }));
  if (can("volunteer:manage")) root.append(volunteerForm());
  if (can("volunteer:manage") && ["city", "district"].includes((unit() || {}).level)) root.append(ledgerCheck());
  return root;
}

/** 爱心币账目核对 (the district's): do the stored balances equal the sum of the ledger? */
function ledgerCheck() {
  const out = h("div", { id: "ledger-result", role: "status", "aria-live": "polite" });
  return h("section", { class: "card", id: "ledger-check" }, h("h2", {}, "爱心币账目核对"),
    h("button", { type: "button", onclick: async (e) => {
      try {
        const r = await busy(e.currentTarget, api.get("/api/v1/volunteer/coins/check"));
        clear(out, h("p", { class: r.consistent ? "pos" : "neg", dataset: { consistent: String(r.consistent) } },
          r.consistent ? `账目一致：${r.accounts} 个账户，${r.entries} 笔记录` : `账目不一致：${(r.mismatches || []).length} 个账户对不上，${(r.negative || []).length} 个账户为负`));
      } catch (err) { clear(out, h("p", { class: "form-error" }, errorText(err))); }
    } }, "核对"), out);
}

async function teamsTab(root, params, types, reroute, onPage) {
  const bar = filterBar([{ name: "type", label: "服务类型", type: "select", options: types }], params, reroute, () => reroute({}));
  root.append(bar.el);
  const query = listQuery(params, ["type"], { org_unit: state.org });
  const r = await api.get("/api/v1/volunteer/teams", query);
  root.append(listSection({ title: "志愿服务队", id: "teams", found: r, query, onPage, caption: "志愿服务队列表",
    exporter: exporter("volunteer/teams", query, "志愿服务队"),
    onOpen: (t) => go(`/volunteer/teams/${t.id}`), columns: [
      { title: "名称", render: (t) => h("a", { href: href(`/volunteer/teams/${t.id}`) }, t.name) },
      { title: "类型", render: (t) => types[t.type] || t.type },
      { title: "社区", render: (t) => unitName(t.org_unit_id) },
      { title: "队员", class: "num", render: (t) => (t.member_ids || []).length },
      { title: "组建", render: (t) => day(t.formed_on) },
      { title: "状态", render: (t) => [badge(label(TEAM_STATES, t.status), t.status === "dissolved" ? "warn" : ""),
        t.dissolved_on ? ` ${day(t.dissolved_on)}` : ""] },
    ] }));
  const targets = communities("volunteer:manage");
  if (Object.keys(targets).length) {
    root.append(actionForm({ id: "team-form", title: "组建服务队", submit: "组建", fields: [
      { name: "name", label: "队名", required: true, maxlength: 60 },
      { name: "type", label: "服务类型", type: "select", options: types, required: true },
      { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: targets[state.org] ? state.org : undefined },
      { name: "formed_on", label: "组建日期", type: "date", value: todayLocal() },
    ], send: async (v) => {
      const t = await api.post("/api/v1/volunteer/teams", { ...v, formed_on: v.formed_on || null }, { idempotent: true });
      toast("服务队已组建");
      go(`/volunteer/teams/${t.id}`);
    } }));
  }
  return root;
}

async function team(id) {
  const path = `/api/v1/volunteer/teams/${encodeURIComponent(id)}`;
  const [t, types] = await Promise.all([api.get(path), activityTypes()]);
  const manage = can("volunteer:manage", t.org_path) && t.status !== "dissolved";
  const names = await volunteerNames(t.org_unit_id, "active,paused,left").catch(() => ({}));
  const reload = () => go(`/volunteer/teams/${t.id}`);
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `服务队 · ${t.name}`), badge(label(TEAM_STATES, t.status)),
    h("a", { class: "button", href: href("/volunteer", { tab: "teams" }) }, "返回列表")));
  root.append(section("基本情况", dl([["社区", unitName(t.org_unit_id)], ["服务类型", types[t.type] || t.type],
    ["队长", t.leader_id ? names[t.leader_id] || t.leader_id : "未指定"], ["组建日期", day(t.formed_on)],
    ["队员人数", (t.member_ids || []).length], t.dissolved_on ? ["解散日期", day(t.dissolved_on)] : null])));
  const act = (fn, done) => async (e) => {
    try { await busy(e.currentTarget, fn()); toast(done); reload(); } catch (err) { toast(errorText(err), "bad"); }
  };
  root.append(h("section", { class: "card", id: "team-members" }, h("h2", {}, `队员（${(t.member_ids || []).length} 名）`), table([
    { title: "姓名", render: (vid) => h("a", { href: href(`/volunteer/volunteers/${vid}`) }, names[vid] || vid) },
    { title: "身份", render: (vid) => (vid === t.leader_id ? badge("队长", "ok") : "队员") },
    { title: "操作", render: (vid) => (manage ? h("span", { class: "row-actions" },
      vid !== t.leader_id ? h("button", { type: "button", onclick: act(() => api.post(`${path}/leader`, { volunteer_id: vid }), "已设为队长") }, "设为队长") : null,
      h("button", { type: "button", class: "danger", "aria-label": `移出 ${names[vid] || vid}`,
        onclick: act(() => request("DELETE", `${path}/members/${encodeURIComponent(vid)}`), "已移出服务队") }, "移出")) : "") },
  ], t.member_ids || [], { caption: "服务队队员", empty: "暂无队员" })));
  if (manage) {
    const candidates = Object.fromEntries(Object.entries(names).filter(([vid]) => !(t.member_ids || []).includes(vid)));
    root.append(actionForm({ id: "member-form", title: "加入队员", submit: "加入", fields: [
      { name: "volunteer_id", label: "志愿者", type: "select", options: candidates, required: true }],
    send: async (v) => { await api.post(`${path}/members`, v); toast("已加入服务队"); reload(); } }));
    root.append(h("div", { class: "card" }, h("button", { type: "button", class: "danger", id: "dissolve-team", onclick: () =>
      openDialog(`解散服务队「${t.name}」`, (close) => actionForm({ id: "dissolve-form", cls: "form", submit: "确认解散", fields: [
        { name: "dissolved_on", label: "解散日期", type: "date", required: true, value: todayLocal(),
          check: (v) => (v > todayLocal() ? "不能晚于今天" : null) }],
      send: async (v) => { await api.post(`${path}/dissolve`, v); close(); toast("服务队已解散"); reload(); } })) }, "解散服务队")));
  }
  return root;
}

async function activity(id) {
  const a = await api.get(`/api/v1/volunteer/activities/${encodeURIComponent(id)}`);
  const manage = can("volunteer:manage", a.org_path);
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, a.title), badge(label(ACTIVITY_STATES, a.status)),
    manage && a.status === "published" ? h("a", { class: "button primary", href: href(`/volunteer/checkin/${a.id}`) }, "现场签到") : null,
    h("a", { class: "button", href: href("/volunteer") }, "返回列表")));
  root.append(section("活动信息", dl([["社区", unitName(a.org_unit_id)], ["地点", a.place], ["开始", dateTime(a.starts_at)],
    ["结束", dateTime(a.ends_at)], ["名额", `${a.taken}/${a.capacity}`], ["每小时爱心币", a.coins_per_hour],
    manage && a.checkin_code ? ["签到码", a.checkin_code] : null])));
  const step = (verb, done) => async (e) => {
    try { await busy(e.currentTarget, api.post(`/api/v1/volunteer/activities/${a.id}/${verb}`)); toast(done); go(`/volunteer/activities/${a.id}`); }
    catch (err) { toast(errorText(err), "bad"); }
  };
  if (manage && ["draft", "published"].includes(a.status)) {
    root.append(h("section", { class: "card", id: "activity-steps" }, h("h2", {}, "活动状态"), h("div", { class: "actions" },
      a.status === "draft" ? h("button", { type: "button", class: "primary", onclick: step("publish", "已发布，开放报名") }, "发布") : null,
      a.status === "published" ? h("button", { type: "button", id: "complete-activity", "aria-describedby": "complete-hint",
        onclick: step("complete", "活动已结束") }, "结束活动") : null,
      h("button", { type: "button", class: "danger", onclick: step("cancel", "活动已取消") }, "取消活动")),
    a.status === "published" ? h("p", { class: "hint", id: "complete-hint" }, "结束后，报了名却没来的记为未到。") : null));
  }
  const signups = (Array.isArray(a.signups) ? a.signups : Object.entries(a.signups || {}).map(([vid, s]) => ({ volunteer_id: vid, ...s })))
    .map((s) => ({ vid: s.volunteer_id, ...s }));
  const taken = new Set(signups.filter((s) => s.status !== "cancelled").map((s) => s.vid));
  const names = manage || can("volunteer:read", a.org_path)
    ? await volunteerNames(a.org_unit_id).catch(() => ({})) : {};  // names are a convenience
  const attendance = a.attendance || {};
  const checkIn = (vid, out) => async (e) => {
    try {
      await busy(e.currentTarget, api.post(`/api/v1/volunteer/activities/${a.id}/${out ? "check-out" : "check-in"}`, { volunteer_id: vid }));
      toast(out ? "已签退" : "已签到");
      go(`/volunteer/activities/${a.id}`);
    } catch (err) { toast(errorText(err), "bad"); }
  };
  root.append(section("报名与签到", table([
    { title: "志愿者", render: (s) => h("a", { href: href(`/volunteer/volunteers/${s.vid}`) }, names[s.vid] || s.vid) },
    { title: "报名", render: (s) => [label(SIGNUP, s.status), s.substitute_for ? `（顶替 ${names[s.substitute_for] || s.substitute_for}）` : ""] },
    { title: "签到", render: (s) => dateTime((attendance[s.vid] || {}).checked_in_at) },
    { title: "签退", render: (s) => dateTime((attendance[s.vid] || {}).checked_out_at) },
    { title: "时长", class: "num", render: (s) => ((attendance[s.vid] || {}).checked_out_at ? `${attendance[s.vid].minutes} 分钟` : "") },
    { title: "操作", render: (s) => (manage && (attendance[s.vid] || {}).checked_out_at ? h("button", { type: "button",
      "aria-label": `更正 ${names[s.vid] || s.vid} 的时长`, onclick: () => openDialog(`更正 ${names[s.vid] || s.vid} 的服务时长`, (close) =>
        actionForm({ id: "correction-form", cls: "form", submit: "更正", fields: [
          { name: "minutes", label: "服务时长（分钟）", type: "number", min: 0, max: 1440, required: true, value: attendance[s.vid].minutes },
          { name: "reason", label: "更正原因", required: true, maxlength: 500 }],
        send: async (v) => {
          await api.post(`/api/v1/volunteer/activities/${a.id}/attendance/${encodeURIComponent(s.vid)}/correction`, v);
          close(); toast("已更正，爱心币随之调整"); go(`/volunteer/activities/${a.id}`);
        } })) }, "更正时长")
      : manage && a.status === "published" ? [
      !(attendance[s.vid] || {}).checked_in_at && s.status === "signed_up" ? h("button", { type: "button", onclick: checkIn(s.vid, false) }, "签到") : null,
      (attendance[s.vid] || {}).checked_in_at && !(attendance[s.vid] || {}).checked_out_at ? h("button", { type: "button", onclick: checkIn(s.vid, true) }, "签退") : null,
      ...placeActions(a, s, names, taken, attendance),
    ] : "") },
  ], signups, { empty: "暂无报名" })));
  if (manage && a.status === "published") {
    const form = makeForm();
    const opts = Object.fromEntries(Object.entries(names).filter(([vid]) => !taken.has(vid)));
    const el = h("form", { class: "card form", novalidate: true, id: "signup-form" }, h("h2", {}, "代为报名"),
      field(form, { name: "volunteer_id", label: "志愿者", type: "select", options: opts, required: true }),
      form.error, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "报名")));
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!form.validate()) return;
      try {
        const r = await busy(el.querySelector("[type=submit]"), api.post(`/api/v1/volunteer/activities/${a.id}/signups`, { volunteer_id: form.val("volunteer_id") }));
        toast(r.status === "waitlisted" ? `名额已满，已列入候补第 ${r.waitlist_position} 位` : "已报名");
        go(`/volunteer/activities/${a.id}`);
      } catch (err) { form.showApiError(err); }
    });
    root.append(el);
  }
  return root;
}

/** 顶岗 and 取消报名 for a place not yet taken up (no check-in): who cannot come hands the place to another volunteer
 *  (the waitlist is passed over), or gives it up (the first on the waitlist moves up). */
function placeActions(a, s, names, taken, attendance) {
  if (!["signed_up", "waitlisted"].includes(s.status) || (attendance[s.vid] || {}).checked_in_at) return [];
  const who = names[s.vid] || s.vid;
  const base = `/api/v1/volunteer/activities/${a.id}/signups/${encodeURIComponent(s.vid)}`;
  const others = Object.fromEntries(Object.entries(names).filter(([vid]) => vid !== s.vid && !taken.has(vid)));
  const substitute = () => openDialog(`${who} 不能参加：由他人顶岗`, (close) => actionForm({ id: "substitute-form", cls: "form",
    submit: "确认顶岗", fields: [{ name: "substitute_id", label: "顶岗志愿者", type: "select", options: others, required: true }],
    send: async (v) => {
      await api.post(`${base}/substitute`, v);
      close(); toast(`已由 ${names[v.substitute_id] || v.substitute_id} 顶岗`); go(`/volunteer/activities/${a.id}`);
    } }));
  const cancel = async (e) => {
    try {
      await busy(e.currentTarget, api.post(`${base}/cancel`));
      toast(s.status === "signed_up" ? "已取消报名，候补第一位自动递补" : "已取消候补");
      go(`/volunteer/activities/${a.id}`);
    } catch (err) { toast(errorText(err), "bad"); }
  };
  return [
    s.status === "signed_up" ? h("button", { type: "button", "aria-label": `顶岗：${who} 由他人顶替`, onclick: substitute }, "顶岗") : null,
    h("button", { type: "button", class: "danger", "aria-label": `取消报名：${who}`, onclick: cancel }, "取消报名"),
  ];
}

async function statement(vid, params) {
  const path = `/api/v1/volunteer/volunteers/${encodeURIComponent(vid)}`;
  const size = 50;
  const [v, first] = await Promise.all([api.get(path), api.get(`${path}/statement`, { page_size: size, page: params.get("page") || 1 })]);
  // the statement runs oldest first: without a page asked for, open on its latest page (each line carries its balance)
  const last = Math.max(1, Math.ceil(first.total / size));
  const page = Number(params.get("page") || last);
  const st = page !== first.page ? await api.get(`${path}/statement`, { page_size: size, page }) : first;
  const manage = can("volunteer:manage", v.org_path);
  const reload = () => go(`/volunteer/volunteers/${v.id}`);
  const minutes = v.minutes ?? (v.totals || {}).minutes;
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${v.name} · 爱心币明细`), badge(label(VOLUNTEER_STATES, v.status)),
    h("a", { class: "button", href: href("/volunteer", { tab: "volunteers" }) }, "返回")));
  root.append(section("概况", dl([["社区", unitName(v.org_unit_id)], ["类别", label(KINDS, v.kind)],
    ["服务时长", minutes !== undefined ? `${(minutes / 60).toFixed(1)} 小时` : "—"], ["手机号", v.mobile || "—"],
    ["特长", (v.skills || []).join("、") || "—"], ["可服务时间", v.availability || "—"],
    ["可用爱心币", h("span", { id: "coins-available" }, st.balance.available)], ["冻结爱心币", st.balance.reserved]])));
  root.append(h("section", { class: "card", id: "statement" }, h("h2", {}, `收支明细（共 ${st.total} 笔）`), table([
    { title: "时间", render: (e) => dateTime(e.time) }, { title: "类型", render: (e) => label(ENTRY_KINDS, e.kind) },
    { title: "事由", render: (e) => e.reason || "" },
    { title: "收支", class: "num", render: (e) => h("span", { class: e.amount > 0 ? "pos" : "neg" }, e.amount > 0 ? `+${e.amount}` : e.amount) },
    { title: "余额", class: "num", render: (e) => e.balance ?? "" },
  ], st.items, { caption: "爱心币收支明细", empty: "暂无记录" }),
  pager({ page, pageSize: size, total: st.total, onPage: (n) => go(`/volunteer/volunteers/${v.id}`, { page: n }) })));
  root.append(await reminders(path, v.id, params));
  if (!manage) return root;
  const setStatus = (status, done) => async (e) => {
    try { await busy(e.currentTarget, api.post(`${path}/status`, { status })); toast(done); reload(); } catch (err) { toast(errorText(err), "bad"); }
  };
  if (v.status !== "left") {
    root.append(h("section", { class: "card", id: "volunteer-status" }, h("h2", {}, "在册状态"), h("div", { class: "actions" },
      v.status === "active" ? h("button", { type: "button", onclick: setStatus("paused", "已暂停") }, "暂停服务") : null,
      v.status === "paused" ? h("button", { type: "button", onclick: setStatus("active", "已恢复") }, "恢复服务") : null,
      h("button", { type: "button", class: "danger", id: "volunteer-leave", onclick: () => openDialog(`${v.name} 退出志愿者队伍`, (close) =>
        h("div", {}, h("p", {}, "退出后不再参加活动，已有服务时长和爱心币保留；再次参加须重新登记。"),
          h("div", { class: "actions" }, h("button", { type: "button", class: "danger", id: "confirm-leave", onclick: async (e) => {
            try { await busy(e.currentTarget, api.post(`${path}/status`, { status: "left" })); close(); toast("已登记退出"); reload(); }
            catch (err) { toast(errorText(err), "bad"); }
          } }, "确认退出")))) }, "登记退出"))));
  }
  if (v.status !== "left") {
    root.append(actionForm({ id: "profile-form", title: "联系方式与特长", fields: [
      { name: "mobile", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile, value: v.mobile },
      { name: "skills", label: "特长（用逗号分隔）", maxlength: 200, value: (v.skills || []).join("，") },
      { name: "availability", label: "可服务时间", maxlength: 200, value: v.availability }],
    send: async (x) => {
      await request("PATCH", path, { body: { mobile: x.mobile || null, availability: x.availability,
        skills: x.skills.split(/[,，、]/).map((k) => k.trim()).filter(Boolean) } });
      toast("已保存"); reload();
    } }));
  }
  root.append(h("div", { class: "action-forms" },
    actionForm({ id: "adjust-form", title: "调整爱心币", submit: "调整", fields: [
      { name: "coins", label: "数量（正数增加，负数扣减）", type: "number", min: -100000, max: 100000, required: true,
        check: (x) => (x === 0 ? "不能为 0" : null) },
      { name: "reason", label: "事由", required: true, maxlength: 500 }],
    send: async (x) => { await api.post("/api/v1/volunteer/coins/adjustments", { volunteer_id: v.id, ...x }, { idempotent: true }); toast("已调整"); reload(); } }),
    timeBankForm(v, reload)));
  return root;
}

/** 活动提醒: what the service sent the volunteer before each activity they signed up for (newest activity first as
 *  the service orders them), paged by `rpage` so the statement keeps its own page. */
async function reminders(path, vid, params) {
  const query = { page: Number(params.get("rpage") || 1), page_size: 10 };
  const found = await api.get(`${path}/reminders`, query);
  return listSection({ id: "reminders", title: "活动提醒", found, query, caption: "已发送的活动提醒",
    onPage: (n) => go(`/volunteer/volunteers/${vid}`, { page: params.get("page"), rpage: n }), columns: [
      { title: "活动", render: (r) => h("a", { href: href(`/volunteer/activities/${r.activity_id}`) }, r.title || r.activity_id) },
      { title: "地点", render: (r) => r.place || "" }, { title: "开始", render: (r) => dateTime(r.starts_at) },
      { title: "提醒时间", render: (r) => dateTime(r.at) }] });
}

/** 时间银行: this volunteer pays another of the community in love coins for their help. */
function timeBankForm(v, reload) {
  const el = actionForm({ id: "time-bank-form", title: "时间银行（支付给其他志愿者）", submit: "支付", fields: [
    { name: "to_volunteer_id", label: "收款志愿者", type: "select", options: {}, required: true },
    { name: "coins", label: "爱心币", type: "number", min: 1, max: 100000, required: true },
    { name: "reason", label: "所受帮助", required: true, maxlength: 500 }],
  send: async (x) => { await api.post("/api/v1/volunteer/coins/time-bank", { from_volunteer_id: v.id, ...x }, { idempotent: true }); toast("已支付"); reload(); } });
  volunteerNames(v.org_unit_id, "active").then((names) => {
    const select = el.querySelector("select[name=to_volunteer_id]");
    for (const [id, name] of Object.entries(names)) if (id !== v.id) select.append(h("option", { value: id }, name));
  }).catch(() => {});
  return el;
}

// ---- 现场签到 on a phone: find the activity by the code shown at the place, then one big button per volunteer

async function checkinStart(params) {
  const today = todayLocal();
  const r = await api.get("/api/v1/volunteer/activities", { org_unit: state.org, status: "published",
    from: `${today}T00:00:00+08:00`, to: `${today}T23:59:59.999999+08:00`, page_size: 100 });
  const root = h("div", { class: "checkin" }, h("div", { class: "page-head" }, h("h1", {}, "现场签到")));
  const form = makeForm();
  const el = h("form", { class: "card form", novalidate: true, id: "checkin-code-form" },
    field(form, { name: "code", label: "活动签到码（现场张贴）", required: true, maxlength: 20, value: params.get("code") }),
    form.error, h("button", { type: "submit", class: "primary big" }, "找到活动"));
  form.get("code").input.setAttribute("inputmode", "numeric");
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const found = r.items.find((a) => (a.checkin_code || "").toUpperCase() === form.val("code").toUpperCase());
    if (found) go(`/volunteer/checkin/${found.id}`, { code: form.val("code") });
    else form.get("code").show("今天没有这个签到码的活动，请核对现场张贴的签到码");
  });
  root.append(el);
  root.append(h("section", { class: "card" }, h("h2", {}, `今天的活动（${r.items.length}${r.total > r.items.length ? ` / 共 ${r.total}` : ""} 个）`),
    r.items.length ? h("ul", { class: "checkin-list" }, r.items.map((a) => h("li", {},
      h("a", { class: "button", href: href(`/volunteer/checkin/${a.id}`) }, `${a.title}（${dateTime(a.starts_at).slice(-8, -3)}）`))))
      : h("p", { class: "muted" }, "今天没有报名中的活动")));
  return root;
}

async function checkinRoster(id) {
  const a = await api.get(`/api/v1/volunteer/activities/${encodeURIComponent(id)}`);
  const names = await volunteerNames(a.org_unit_id).catch(() => ({}));
  const attendance = a.attendance || {};
  const holders = (a.signups || []).filter((s) => s.status !== "cancelled" && s.status !== "waitlisted");
  const root = h("div", { class: "checkin" }, h("div", { class: "page-head" }, h("h1", {}, `现场签到 · ${a.title}`)));
  root.append(h("section", { class: "card" }, h("p", { class: "muted" }, `${a.place} · ${dateTime(a.starts_at)}`),
    a.checkin_code ? [h("p", {}, "签到码（志愿者也可在手机上自助签到）"), h("p", { class: "checkin-code", id: "checkin-code" }, a.checkin_code)] : null,
    h("p", {}, `已签到 ${holders.filter((s) => (attendance[s.volunteer_id] || {}).checked_in_at).length} / ${holders.length} 人`)));
  const press = (vid, out) => async (e) => {
    try {
      await busy(e.currentTarget, api.post(`/api/v1/volunteer/activities/${a.id}/${out ? "check-out" : "check-in"}`,
        { volunteer_id: vid, code: a.checkin_code || null }));
      toast(`${names[vid] || ""} ${out ? "已签退" : "已签到"}`);
      go(`/volunteer/checkin/${a.id}`);
    } catch (err) { toast(errorText(err), "bad"); }
  };
  root.append(h("ul", { class: "checkin-list", "aria-label": "报名的志愿者" }, holders.length ? holders.map((s) => {
    const at = attendance[s.volunteer_id] || {};
    const who = names[s.volunteer_id] || s.volunteer_id;
    return h("li", { class: "checkin-row", dataset: { volunteer: s.volunteer_id } }, h("span", { class: "who-line" }, who),
      at.checked_in_at ? h("span", { class: "muted" }, `签到 ${dateTime(at.checked_in_at)}${at.checked_out_at ? `，签退 ${dateTime(at.checked_out_at)}` : ""}`) : null,
      a.status !== "published" ? null
        : !at.checked_in_at ? h("button", { type: "button", class: "primary", "aria-label": `${who} 签到`, onclick: press(s.volunteer_id, false) }, "签到")
          : !at.checked_out_at ? h("button", { type: "button", "aria-label": `${who} 签退`, onclick: press(s.volunteer_id, true) }, "签退") : null);
  }) : h("li", { class: "muted" }, "还没有人报名")));
  root.append(h("a", { class: "button", href: href(`/volunteer/activities/${a.id}`) }, "活动详情"));
  return root;
}
