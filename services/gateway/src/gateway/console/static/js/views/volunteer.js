// 志愿服务: activities with sign-up and check-in, volunteers, and a volunteer's love-coin statement.
import { api } from "../api.js";
import { can, communitiesUnder, go, href, register, state, unit, unitName } from "../app.js";
import { ACTIVITY_STATES, label } from "../i18n.js";
import { badge, busy, dateTime, dl, errorText, field, h, makeForm, pager, section, table, toast, validators } from "../ui.js";

const KINDS = { resident: "居民", party_member: "党员报到", cobuilding_member: "共建单位" };
const SIGNUP = { signed_up: "已报名", waitlisted: "候补", cancelled: "已取消", attended: "已签到", no_show: "未到" };
const ENTRY_KINDS = { credit: "服务积分", adjustment: "调整", time_bank: "时间银行", redemption: "爱心超市兑换",
  reservation: "兑换冻结", release: "解冻", issue: "发放" };

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
  if (parts[0] === "activities" && parts[1]) return activity(parts[1]);
  if (parts[0] === "volunteers" && parts[1]) return statement(parts[1]);
  return lists(params);
});

async function lists(params) {
  const tab = params.get("tab") || "activities";
  const page = Number(params.get("page") || 1);
  const size = 20;
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `志愿服务 · ${unitName(state.org)}`)));
  root.append(h("div", { class: "tabs", role: "tablist" }, [["activities", "志愿活动"], ["volunteers", "志愿者"]].map(([k, t]) =>
    h("a", { role: "tab", "aria-selected": String(tab === k), class: tab === k ? "on" : "", href: href("/volunteer", { tab: k }) }, t))));
  const onPage = (n) => go("/volunteer", { tab, page: n });
  if (tab === "volunteers") {
    const r = await api.get("/api/v1/volunteer/volunteers", { org_unit: state.org, page, page_size: size });
    root.append(section(`志愿者（${r.total}名）`, table([
      { title: "姓名", render: (v) => h("a", { href: href(`/volunteer/volunteers/${v.id}`) }, v.name) },
      { title: "类别", render: (v) => label(KINDS, v.kind) },
      { title: "社区", render: (v) => unitName(v.org_unit_id) },
      { title: "手机", render: (v) => v.mobile || "" },
      { title: "技能", render: (v) => (v.skills || []).join("、") },
      { title: "状态", render: (v) => ({ active: "在册", paused: "暂停", left: "已退出" })[v.status] || v.status },
    ], r.items, { caption: "志愿者列表", onOpen: (v) => go(`/volunteer/volunteers/${v.id}`) }),
    pager({ page, pageSize: size, total: r.total, onPage })));
    if (can("volunteer:manage")) root.append(volunteerForm());
    return root;
  }
  const r = await api.get("/api/v1/volunteer/activities", { org_unit: state.org, page, page_size: size });
  root.append(section("志愿活动", table([
    { title: "时间", render: (a) => dateTime(a.starts_at) },
    { title: "活动", render: (a) => h("a", { href: href(`/volunteer/activities/${a.id}`) }, a.title) },
    { title: "类型", render: (a) => TEAM_TYPES[a.type] || a.type },
    { title: "社区", render: (a) => unitName(a.org_unit_id) },
    { title: "地点", render: (a) => a.place || "" },
    { title: "名额", class: "num", render: (a) => `${a.taken ?? 0}/${a.capacity ?? "—"}` },
    { title: "候补", class: "num", render: (a) => (a.waitlist || []).length },
    { title: "状态", render: (a) => badge(label(ACTIVITY_STATES, a.status)) },
  ], r.items, { caption: "志愿活动列表", onOpen: (a) => go(`/volunteer/activities/${a.id}`) }),
  pager({ page, pageSize: size, total: r.total, onPage })));
  if (can("volunteer:manage")) {
    const types = await api.get("/api/v1/volunteer/types").then((t) => t.items || []).catch(() => []);
    root.append(activityForm(types));
  }
  return root;
}

async function activity(id) {
  const a = await api.get(`/api/v1/volunteer/activities/${encodeURIComponent(id)}`);
  const manage = can("volunteer:manage", a.org_path);
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, a.title), badge(label(ACTIVITY_STATES, a.status)),
    h("a", { class: "button", href: href("/volunteer") }, "返回列表")));
  root.append(section("活动信息", dl([["社区", unitName(a.org_unit_id)], ["地点", a.place], ["开始", dateTime(a.starts_at)],
    ["结束", dateTime(a.ends_at)], ["名额", `${a.taken}/${a.capacity}`], ["每小时爱心币", a.coins_per_hour],
    manage && a.checkin_code ? ["签到码", a.checkin_code] : null])));
  const signups = (Array.isArray(a.signups) ? a.signups : Object.entries(a.signups || {}).map(([vid, s]) => ({ volunteer_id: vid, ...s })))
    .map((s) => ({ vid: s.volunteer_id, ...s }));
  const taken = new Set(signups.filter((s) => s.status !== "cancelled").map((s) => s.vid));
  const names = {};
  if (manage || can("volunteer:read", a.org_path)) {
    try {
      const vs = await api.get("/api/v1/volunteer/volunteers", { org_unit: a.org_unit_id, page_size: 100 });
      for (const v of vs.items) names[v.id] = v.name;
    } catch { /* names are a convenience */ }
  }
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
    { title: "报名", render: (s) => label(SIGNUP, s.status) },
    { title: "签到", render: (s) => dateTime((attendance[s.vid] || {}).checked_in_at) },
    { title: "签退", render: (s) => dateTime((attendance[s.vid] || {}).checked_out_at) },
    { title: "操作", render: (s) => (manage && a.status === "published" ? [
      !(attendance[s.vid] || {}).checked_in_at ? h("button", { type: "button", onclick: checkIn(s.vid, false) }, "签到") : null,
      (attendance[s.vid] || {}).checked_in_at && !(attendance[s.vid] || {}).checked_out_at ? h("button", { type: "button", onclick: checkIn(s.vid, true) }, "签退") : null,
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

async function statement(vid) {
  const path = `/api/v1/volunteer/volunteers/${encodeURIComponent(vid)}`;
  const [v, first] = await Promise.all([api.get(path), api.get(`${path}/statement`, { page_size: 100 })]);
  // the statement runs oldest first: a long one shows its latest page (each line carries its running balance)
  const last = Math.ceil(first.total / first.page_size);
  const st = last > 1 ? await api.get(`${path}/statement`, { page_size: 100, page: last }) : first;
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${v.name} · 爱心币明细`), h("a", { class: "button", href: href("/volunteer", { tab: "volunteers" }) }, "返回")));
  root.append(section("概况", dl([["社区", unitName(v.org_unit_id)], ["类别", label(KINDS, v.kind)],
    ["服务时长", v.minutes !== undefined ? `${(v.minutes / 60).toFixed(1)} 小时` : (v.totals && v.totals.minutes !== undefined ? `${(v.totals.minutes / 60).toFixed(1)} 小时` : "—")],
    ["可用爱心币", st.balance.available], ["冻结爱心币", st.balance.reserved]])));
  root.append(section("收支明细", table([
    { title: "时间", render: (e) => dateTime(e.time) }, { title: "类型", render: (e) => label(ENTRY_KINDS, e.kind) },
    { title: "事由", render: (e) => e.reason || "" },
    { title: "收支", class: "num", render: (e) => h("span", { class: e.amount > 0 ? "pos" : "neg" }, e.amount > 0 ? `+${e.amount}` : e.amount) },
    { title: "余额", class: "num", render: (e) => e.balance ?? "" },
  ], st.items, { caption: "爱心币收支明细", empty: "暂无记录" })));
  return root;
}

