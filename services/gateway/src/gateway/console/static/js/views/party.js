// 党建: party branches (党支部: found, rename, change the secretary, dissolve), members (党员: 正式/预备, 流动, 困难,
// 《党员告知书》, transfer out) and in-service members reporting to their community (党员报到). Only for volunteer:party.
import { api, request } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { actionForm, badge, busy, day, dl, errorText, exportButtons, filterBar, h, listQuery, listSection, openDialog,
  section, toast, todayLocal, validators } from "../ui.js";

const PERM = "volunteer:party";
const BRANCH_STATES = { active: "在册", dissolved: "已撤销" };
const MEMBER_KINDS = { full: "正式党员", probationary: "预备党员" };
const MEMBER_STATES = { active: "在册", transferred_out: "已转出", deceased: "已去世" };
const END_REASONS = { transferred_out: "组织关系转出", deceased: "去世" };
const YES_NO = { true: "是", false: "否" };
const TABS = [["branches", "党支部"], ["members", "党员"], ["reports", "党员报到"]];

const notFuture = (v) => (v && v > todayLocal() ? "不能晚于今天" : null);

/** The units in the page's subtree where the user keeps party registers (a community or a sub-district). */
function partyUnits() {
  const here = state.units.get(state.org);
  if (!here) return {};
  return Object.fromEntries([...state.units.values()]
    .filter((u) => !u.retired && u.path.startsWith(here.path) && ["subdistrict", "community"].includes(u.level) && can(PERM, u.path))
    .map((u) => [u.id, u.name]));
}

async function branchNames() {
  const r = await api.get("/api/v1/volunteer/party/branches", { org_unit: state.org, status: "active", page_size: 100 });
  return Object.fromEntries(r.items.map((b) => [b.id, b.name]));
}

const exporter = (path, query, name) => (can("reports:export") ? exportButtons(request, path, query, `${name}-${unitName(state.org)}`) : null);

register("party", async ({ parts, params }) => {
  if (parts[0] === "branches" && parts[1]) return branch(parts[1]);
  if (parts[0] === "members" && parts[1]) return member(parts[1]);
  return lists(params);
});

async function lists(params) {
  const tab = params.get("tab") || "branches";
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `党建 · ${unitName(state.org)}`)),
    h("div", { class: "tabs", role: "tablist" }, TABS.map(([k, t]) =>
      h("a", { role: "tab", "aria-selected": String(tab === k), class: tab === k ? "on" : "", href: href("/party", { tab: k }) }, t))));
  const reroute = (extra) => go("/party", { tab, ...extra });
  const onPage = (n) => go("/party", { ...Object.fromEntries(params), page: n });
  const period = (what) => [
    { name: "from", label: `${what}自`, type: "date" },
    { name: "to", label: "至", type: "date", check: (v, f) => (v && f.val("from") && v < f.val("from") ? "不能早于开始日期" : null) }];
  const units = partyUnits();
  if (tab === "members") {
    const branches = await branchNames();
    root.append(filterBar([
      { name: "branch_id", label: "党支部", type: "select", options: branches },
      { name: "kind", label: "类别", type: "select", options: MEMBER_KINDS },
      { name: "status", label: "状态", type: "select", options: MEMBER_STATES },
      { name: "floating", label: "流动党员", type: "select", options: YES_NO },
      { name: "hardship", label: "困难党员", type: "select", options: YES_NO },
      ...period("入党"),
    ], params, reroute, () => reroute({})).el);
    const query = listQuery(params, ["branch_id", "kind", "status", "floating", "hardship", "from", "to"], { org_unit: state.org });
    const r = await api.get("/api/v1/volunteer/party/members", query);
    root.append(listSection({ title: "党员", id: "members", found: r, query, onPage, caption: "党员名册",
      exporter: exporter("volunteer/party/members", query, "党员名册"), onOpen: (m) => go(`/party/members/${m.id}`), columns: [
        { title: "姓名", render: (m) => h("a", { href: href(`/party/members/${m.id}`) }, m.name) },
        { title: "党支部", render: (m) => branches[m.branch_id] || m.branch_id },
        { title: "类别", render: (m) => MEMBER_KINDS[m.kind] || m.kind },
        { title: "入党日期", render: (m) => day(m.joined_on) },
        { title: "标记", render: (m) => [m.floating ? badge("流动", "warn") : null, m.hardship ? badge("困难", "danger") : null] },
        { title: "告知书", render: (m) => (m.notice_signed_on ? `已签 ${day(m.notice_signed_on)}` : "未签") },
        { title: "状态", render: (m) => MEMBER_STATES[m.status] || m.status },
      ] }));
    if (Object.keys(branches).length) {
      root.append(actionForm({ id: "member-form", title: "登记党员", submit: "登记", fields: [
        { name: "branch_id", label: "党支部", type: "select", options: branches, required: true },
        { name: "name", label: "姓名", required: true, maxlength: 50 },
        { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber },
        { name: "mobile", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile },
        { name: "kind", label: "类别", type: "select", options: MEMBER_KINDS, required: true, value: "full" },
        { name: "joined_on", label: "入党日期", type: "date", required: true, check: notFuture },
        { name: "floating", label: "流动党员", type: "checkbox" },
        { name: "hardship", label: "困难党员", type: "checkbox" },
      ], send: async (v) => {
        const m = await api.post("/api/v1/volunteer/party/members", { ...v, id_number: v.id_number.toUpperCase(), mobile: v.mobile || null },
          { idempotent: true });
        toast("党员已登记");
        go(`/party/members/${m.id}`);
      } }));
    }
    return root;
  }
  if (tab === "reports") {
    root.append(filterBar(period("报到"), params, reroute, () => reroute({})).el);
    const query = listQuery(params, ["from", "to"], { org_unit: state.org });
    const r = await api.get("/api/v1/volunteer/party/reports", query);
    root.append(listSection({ title: "党员报到", id: "reports", found: r, query, onPage, caption: "党员报到名册",
      exporter: exporter("volunteer/party/reports", query, "党员报到"), columns: [
        { title: "姓名", render: (x) => h("a", { href: href(`/volunteer/volunteers/${x.volunteer_id}`) }, x.name) },
        { title: "社区", render: (x) => unitName(x.org_unit_id) },
        { title: "工作单位党组织", render: (x) => x.workplace },
        { title: "报到日期", render: (x) => day(x.reported_on) },
        { title: "今年服务", class: "num", render: (x) => `${x.hours_this_year ?? 0} 小时` },
        { title: "志愿者", render: (x) => (x.linked ? "原已登记" : "报到时登记") },
      ] }));
    const communities = Object.fromEntries(Object.entries(units).filter(([id]) => state.units.get(id).level === "community"));
    if (Object.keys(communities).length) {
      root.append(actionForm({ id: "report-form", title: "登记党员报到", submit: "报到", fields: [
        { name: "org_unit_id", label: "居住社区", type: "select", options: communities, required: true,
          value: communities[state.org] ? state.org : undefined },
        { name: "name", label: "姓名", required: true, maxlength: 50 },
        { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber },
        { name: "mobile", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile },
        { name: "workplace", label: "工作单位党组织", required: true, maxlength: 100 },
        { name: "reported_on", label: "报到日期", type: "date", required: true, value: todayLocal(), check: notFuture },
        { name: "skills", label: "特长（用逗号分隔）", maxlength: 200 },
        { name: "consent", label: "本人同意登记为社区志愿者", type: "checkbox", check: (v) => (v ? null : "须经本人同意") },
      ], send: async (v) => {
        await api.post("/api/v1/volunteer/party/reports", { ...v, id_number: v.id_number.toUpperCase(), mobile: v.mobile || null,
          skills: v.skills.split(/[,，、]/).map((x) => x.trim()).filter(Boolean) }, { idempotent: true });
        toast("党员报到已登记");
        go("/party", { tab: "reports" });
      } }));
    }
    return root;
  }
  root.append(filterBar([{ name: "status", label: "状态", type: "select", options: BRANCH_STATES }, ...period("成立")],
    params, reroute, () => reroute({})).el);
  const query = listQuery(params, ["status", "from", "to"], { org_unit: state.org });
  const r = await api.get("/api/v1/volunteer/party/branches", query);
  root.append(listSection({ title: "党支部", id: "branches", found: r, query, onPage, caption: "党支部列表",
    exporter: exporter("volunteer/party/branches", query, "党支部"), onOpen: (b) => go(`/party/branches/${b.id}`), columns: [
      { title: "名称", render: (b) => h("a", { href: href(`/party/branches/${b.id}`) }, b.name) },
      { title: "单位", render: (b) => unitName(b.org_unit_id) },
      { title: "书记", render: (b) => b.secretary },
      { title: "成立日期", render: (b) => day(b.founded_on) },
      { title: "状态", render: (b) => [BRANCH_STATES[b.status] || b.status, b.dissolved_on ? ` ${day(b.dissolved_on)}` : ""] },
    ] }));
  if (Object.keys(units).length) {
    root.append(actionForm({ id: "branch-form", title: "成立党支部", submit: "登记", fields: [
      { name: "name", label: "支部名称", required: true, maxlength: 60 },
      { name: "org_unit_id", label: "所在单位", type: "select", options: units, required: true, value: units[state.org] ? state.org : undefined },
      { name: "secretary", label: "支部书记", required: true, maxlength: 50 },
      { name: "founded_on", label: "成立日期", type: "date", required: true, check: notFuture },
    ], send: async (v) => {
      const b = await api.post("/api/v1/volunteer/party/branches", v, { idempotent: true });
      toast("党支部已登记");
      go(`/party/branches/${b.id}`);
    } }));
  }
  return root;
}

async function branch(id) {
  const path = `/api/v1/volunteer/party/branches/${encodeURIComponent(id)}`;
  const b = await api.get(path);
  const reload = () => go(`/party/branches/${b.id}`);
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `党支部 · ${b.name}`), badge(BRANCH_STATES[b.status] || b.status),
    h("a", { class: "button", href: href("/party", { branch_id: b.id, tab: "members" }) }, "本支部党员"),
    h("a", { class: "button", href: href("/party") }, "返回列表")));
  root.append(section("基本情况", dl([["所在单位", unitName(b.org_unit_id)], ["支部书记", b.secretary], ["成立日期", day(b.founded_on)],
    b.dissolved_on ? ["撤销日期", day(b.dissolved_on)] : null])));
  if (b.status !== "active") return root;
  root.append(actionForm({ id: "branch-edit", title: "更名或更换书记", fields: [
    { name: "name", label: "支部名称", required: true, maxlength: 60, value: b.name },
    { name: "secretary", label: "支部书记（填新书记姓名）", maxlength: 50 },
  ], send: async (v) => {
    const changes = { name: v.name };
    if (v.secretary) changes.secretary = v.secretary;
    await request("PATCH", path, { body: changes });
    toast("已保存");
    reload();
  } }));
  root.append(h("div", { class: "card" }, h("button", { type: "button", class: "danger", id: "dissolve-branch", onclick: () =>
    openDialog(`撤销党支部「${b.name}」`, (close) => actionForm({ id: "dissolve-branch-form", cls: "form", submit: "确认撤销", fields: [
      { name: "dissolved_on", label: "撤销日期（支部须已无党员）", type: "date", required: true, value: todayLocal(), check: notFuture }],
    send: async (v) => { await api.post(`${path}/dissolve`, v); close(); toast("党支部已撤销"); reload(); } })) }, "撤销党支部")));
  return root;
}

async function member(id) {
  const path = `/api/v1/volunteer/party/members/${encodeURIComponent(id)}`;
  const m = await api.get(path);
  const b = await api.get(`/api/v1/volunteer/party/branches/${encodeURIComponent(m.branch_id)}`).catch(() => null);
  const reload = () => go(`/party/members/${m.id}`);
  const root = h("div", {}, h("div", { class: "page-head" }, h("h1", {}, `党员 · ${m.name}`), badge(MEMBER_STATES[m.status] || m.status),
    h("a", { class: "button", href: href("/party", { tab: "members" }) }, "返回列表")));
  root.append(section("党员信息", dl([["党支部", b ? b.name : m.branch_id], ["身份证号", m.id_number], ["手机号", m.mobile || "—"],
    ["类别", MEMBER_KINDS[m.kind] || m.kind], ["入党日期", day(m.joined_on)],
    ["流动党员", m.floating ? "是" : "否"], ["困难党员", m.hardship ? "是" : "否"],
    ["《党员告知书》", h("span", { id: "notice-state" }, m.notice_signed_on ? `${day(m.notice_signed_on)} 已签` : "未签")],
    m.ended_on ? ["结束日期", day(m.ended_on)] : null])));
  if (m.status !== "active") return root;
  const patch = (body, done) => async (e) => {
    try { await busy(e.currentTarget, request("PATCH", path, { body })); toast(done); reload(); } catch (err) { toast(errorText(err), "bad"); }
  };
  root.append(h("section", { class: "card", id: "member-marks" }, h("h2", {}, "变更"), h("div", { class: "actions" },
    m.kind === "probationary" ? h("button", { type: "button", class: "primary", onclick: patch({ kind: "full" }, "已转为正式党员") }, "预备转正") : null,
    h("button", { type: "button", onclick: patch({ floating: !m.floating }, "已更新") }, m.floating ? "取消流动党员标记" : "标记为流动党员"),
    h("button", { type: "button", onclick: patch({ hardship: !m.hardship }, "已更新") }, m.hardship ? "取消困难党员标记" : "标记为困难党员"))));
  root.append(h("div", { class: "action-forms" },
    m.notice_signed_on ? null : actionForm({ id: "notice-form", title: "签订《党员告知书》", submit: "登记签订", fields: [
      { name: "signed_on", label: "签订日期", type: "date", required: true, value: todayLocal(), check: notFuture }],
    send: async (v) => { await api.post(`${path}/notice`, v); toast("已登记签订"); reload(); } }),
    actionForm({ id: "mobile-form", title: "更新手机号", fields: [
      { name: "mobile", label: "手机号", type: "tel", maxlength: 11, required: true, check: validators.mobile }],
    send: async (v) => { await request("PATCH", path, { body: v }); toast("已保存"); reload(); } })));
  root.append(h("div", { class: "card" }, h("button", { type: "button", class: "danger", id: "end-member", onclick: () =>
    openDialog(`${m.name} 组织关系转出或去世`, (close) => actionForm({ id: "end-form", cls: "form", submit: "确认", fields: [
      { name: "reason", label: "原因", type: "select", options: END_REASONS, required: true, value: "transferred_out" },
      { name: "ended_on", label: "日期", type: "date", required: true, value: todayLocal(), check: notFuture }],
    send: async (v) => { await api.post(`${path}/end`, v); close(); toast("已登记"); reload(); } })) }, "转出 / 去世")));
  return root;
}
