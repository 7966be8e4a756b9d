// 设置 (#22): the district's settings the services keep and the console did not reach.
// - `petition-settings` 信访设置: categories with their deadlines per level (working days), the linked departments
//   (联动部门) and the public holidays that are not working days (PUT /api/v1/petition/config/…); offered only to
//   petition:supervise held at the district, the one grant the service lets change them.
// - `volunteer-settings` 服务类型与爱心币: the team and activity types and the love coins an hour of each earns, and
//   the rate of security's patrols (GET /api/v1/volunteer/types, POST …/types, PUT …/rates/<type>); changed only by
//   volunteer:manage at the district.
// - `open311-keys` 接口密钥: the keys apps (the 12345 hotline's system, a WeChat mini-program) file Open311 requests with,
//   each tied to an org unit; issued (shown once) and revoked by users:admin at the district.
import { api } from "../api.js";
import { atDistrict, go, register, state, unitName } from "../app.js";
import { LEVELS } from "../i18n.js";
import { actionForm, badge, busy, clear, day, errorText, filterBar, h, listQuery, listSection, openDialog, section, table, toast,
  todayLocal } from "../ui.js";

const DEADLINE_LEVELS = ["community", "subdistrict", "district"];  // petition's rules.LEVELS, in the order a case rises
const CODE = /^[a-z][a-z0-9_]{1,39}$/;
const codeCheck = (v) => (CODE.test(v) ? null : "以小写字母开头，只用小写字母、数字和下划线（至少 2 个字符）");

function denied(text) {
  return h("div", { class: "card" }, h("h1", {}, "没有权限"), h("p", {}, text));
}


// ---- 信访设置

const categoryFields = (c = {}) => [
  { name: "name", label: "类别名称", required: true, maxlength: 50, value: c.name },
  { name: "group", label: "分组（统计用，如 environment）", maxlength: 50, value: c.group || "other" },
  ...DEADLINE_LEVELS.map((lv) => ({ name: `days_${lv}`, label: `${LEVELS[lv]}级办理时限（工作日）`, type: "number", min: 1,
    max: 365, required: true, value: (c.deadline_days || {})[lv] })),
];
const categoryBody = (v) => ({ name: v.name, group: v.group || "other",
  deadline_days: Object.fromEntries(DEADLINE_LEVELS.map((lv) => [lv, v[`days_${lv}`]])) });
const reloadPetition = (params = {}) => go("/petition-settings", params);

register("petition-settings", async ({ params }) => {
  if (!atDistrict("petition:supervise")) return denied("信访类别、联动部门和节假日由区级信访督办人员设置。");
  const cfg = await api.get("/api/v1/petition/config");
  const root = h("div", { id: "petition-settings" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, "信访设置")),
    h("p", { class: "muted" }, "信访类别的办理时限按工作日计算，法定节假日不计入；改动对此后交办的信访件生效。"));

  const cats = Object.entries(cfg.categories || {}).map(([code, c]) => ({ code, ...c }))
    .sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
  const editCategory = (c) => openDialog(`修改类别：${c.name}`, (close) => actionForm({ id: "category-edit-form", cls: "form",
    submit: "保存", fields: categoryFields(c),
    send: async (v) => {
      await api.put(`/api/v1/petition/config/categories/${encodeURIComponent(c.code)}`, categoryBody(v));
      close(); toast("类别已保存"); reloadPetition();
    } }));
  root.append(h("section", { class: "card", id: "petition-categories" },
    h("h2", {}, `信访类别（共 ${cats.length} 类）`),
    table([
      { title: "类别", render: (c) => c.name }, { title: "代码", render: (c) => h("code", {}, c.code) },
      { title: "分组", render: (c) => c.group || "" },
      ...DEADLINE_LEVELS.map((lv) => ({ title: `${LEVELS[lv]}级时限`, class: "num",
        render: (c) => `${(c.deadline_days || {})[lv] ?? "—"} 个工作日` })),
      { title: "操作", render: (c) => h("button", { type: "button", "aria-label": `修改 ${c.name}`,
        onclick: () => editCategory(c) }, "修改") },
    ], cats, { caption: "信访类别及各级办理时限", empty: "暂无类别" })));
  root.append(actionForm({ id: "category-form", title: "新增信访类别", submit: "新增", fields: [
    { name: "code", label: "代码（英文，如 parking）", required: true, maxlength: 40,
      check: (v) => codeCheck(v) || ((cfg.categories || {})[v] ? "已有此代码，请在上表中修改" : null) },
    ...categoryFields()],
  send: async (v) => {
    await api.put(`/api/v1/petition/config/categories/${encodeURIComponent(v.code)}`, categoryBody(v));
    toast(`已新增类别：${v.name}`); reloadPetition();
  } }));

  const depts = Object.entries(cfg.departments || {}).map(([code, name]) => ({ code, name }));
  const renameDept = (d) => openDialog(`更名：${d.name}`, (close) => actionForm({ id: "department-edit-form", cls: "form",
    submit: "保存", fields: [{ name: "name", label: "部门名称", required: true, maxlength: 50, value: d.name }],
    send: async (v) => {
      await api.put(`/api/v1/petition/config/departments/${encodeURIComponent(d.code)}`, v);
      close(); toast("部门已更名"); reloadPetition();
    } }));
  root.append(h("section", { class: "card", id: "petition-departments" },
    h("h2", {}, `联动部门（共 ${depts.length} 个）`),
    table([
      { title: "部门", render: (d) => d.name }, { title: "代码", render: (d) => h("code", {}, d.code) },
      { title: "操作", render: (d) => h("button", { type: "button", "aria-label": `更名 ${d.name}`,
        onclick: () => renameDept(d) }, "更名") },
    ], depts, { caption: "信访联动部门", empty: "暂无联动部门" })));
  root.append(actionForm({ id: "department-form", title: "新增联动部门", submit: "新增", fields: [
    { name: "code", label: "代码（英文，如 water_supply）", required: true, maxlength: 40,
      check: (v) => codeCheck(v) || ((cfg.departments || {})[v] ? "已有此代码，请在上表中更名" : null) },
    { name: "name", label: "部门名称", required: true, maxlength: 50 }],
  send: async (v) => {
    await api.put(`/api/v1/petition/config/departments/${encodeURIComponent(v.code)}`, { name: v.name });
    toast(`已新增联动部门：${v.name}`); reloadPetition();
  } }));
  root.append(holidays(cfg.holidays || [], params));
  return root;
});

/** 法定节假日 of one year (the year filter in the address); the service keeps the whole list, sent back whole. */
function holidays(all, params) {
  const thisYear = todayLocal().slice(0, 4);
  const years = [...new Set([thisYear, String(Number(thisYear) + 1), ...all.map((d) => d.slice(0, 4))])].sort();
  const year = years.includes(params.get("year")) ? params.get("year") : thisYear;
  const shown = all.filter((d) => d.startsWith(year));
  const save = async (days, done) => {
    await api.put("/api/v1/petition/config/holidays", { holidays: [...new Set(days)].sort() });
    toast(done); reloadPetition({ year });
  };
  const filter = filterBar([{ name: "year", label: "年份", type: "select", required: true,
    options: Object.fromEntries(years.map((y) => [y, `${y} 年`])) }], new URLSearchParams({ year }),
  (v) => reloadPetition(v), () => reloadPetition());
  const remove = (d) => async (e) => {
    try { await busy(e.currentTarget, save(all.filter((x) => x !== d), `已删除 ${d}`)); } catch (err) { toast(errorText(err), "bad"); }
  };
  const box = h("section", { class: "card", id: "petition-holidays" },
    h("h2", {}, `法定节假日（${year} 年，共 ${shown.length} 天）`),
    h("p", { class: "hint" }, "这些日子不算工作日；调休上班的周末不在此列，按工作日计算。"), filter.el,
    table([
      { title: "日期", render: (d) => day(d) },
      { title: "星期", render: (d) => "日一二三四五六"[new Date(`${d}T12:00:00+08:00`).getUTCDay()] },
      { title: "操作", render: (d) => h("button", { type: "button", class: "danger", "aria-label": `删除 ${d}`,
        onclick: remove(d) }, "删除") },
    ], shown, { caption: `${year} 年法定节假日`, empty: "这一年还没有登记节假日" }));
  box.append(actionForm({ id: "holiday-form", title: "添加节假日", submit: "添加", cls: "form", fields: [
    { name: "from", label: "第一天", type: "date", required: true },
    { name: "to", label: "最后一天（只放一天可不填）", type: "date",
      check: (v, form) => (v && v < form.val("from") ? "不能早于第一天" : null) }],
  send: async (v) => {
    const days = [];
    for (let d = new Date(`${v.from}T12:00:00Z`); d <= new Date(`${v.to || v.from}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
      days.push(d.toISOString().slice(0, 10));
    }
    if (days.length > 31) throw Object.assign(new Error("一次最多添加 31 天"), { fields: {} });
    await save([...all, ...days], `已添加 ${days.length} 天节假日`);
  } }));
  return box;
}

// ---- 服务类型与爱心币

const reloadVolunteer = (params = {}) => go("/volunteer-settings", params);

function rateDialog(type, name, current) {
  openDialog(`${name} · 每小时爱心币`, (close) => actionForm({ id: "rate-form", cls: "form", submit: "保存", fields: [
    { name: "coins_per_hour", label: "每服务 1 小时记爱心币", type: "number", min: 0, max: 1000, required: true, value: current }],
  send: async (v) => {
    await api.put(`/api/v1/volunteer/rates/${encodeURIComponent(type)}`, v);
    close(); toast(`${name}：每小时 ${v.coins_per_hour} 爱心币`); reloadVolunteer();
  } }));
}

register("volunteer-settings", async ({ params }) => {
  if (!atDistrict("volunteer:manage")) return denied("服务类型和爱心币比例由区级志愿服务管理人员设置。");
  const query = listQuery(params, []);
  const found = await api.get("/api/v1/volunteer/types", query);
  const root = h("div", { id: "volunteer-settings" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, "服务类型与爱心币")),
    h("p", { class: "muted" }, "志愿者每服务 1 小时，按活动类型记入爱心币（爱心银行积分），可在爱心超市兑换。改动对此后结束的活动生效。"));
  root.append(listSection({ id: "volunteer-types", title: "服务类型", found, query, caption: "服务类型及每小时爱心币",
    onPage: (n) => reloadVolunteer({ page: n }), columns: [
      { title: "类型", render: (t) => t.name }, { title: "代码", render: (t) => h("code", {}, t.type) },
      { title: "来源", render: (t) => (t.builtin ? badge("内置") : badge("自定义", "ok")) },
      { title: "每小时爱心币", class: "num", render: (t) => h("span", { dataset: { rate: t.type } }, t.coins_per_hour) },
      { title: "操作", render: (t) => h("button", { type: "button", "aria-label": `修改比例：${t.name}`,
        onclick: () => rateDialog(t.type, t.name, t.coins_per_hour) }, "修改比例") },
    ] }));
  root.append(section("巡逻防控", h("p", {}, "平安建设的巡逻每小时记爱心币：",
    h("strong", { id: "patrol-rate" }, found.patrol_coins_per_hour ?? "—")),
  h("div", { class: "actions" }, h("button", { type: "button", id: "patrol-rate-change",
    onclick: () => rateDialog("patrol", "巡逻", found.patrol_coins_per_hour) }, "修改巡逻比例"))));
  root.append(actionForm({ id: "type-form", title: "新增服务类型", submit: "新增", fields: [
    { name: "type", label: "代码（英文，如 elder_care）", required: true, maxlength: 40, check: codeCheck },
    { name: "name", label: "类型名称", required: true, maxlength: 50 },
    { name: "coins_per_hour", label: "每小时爱心币（不填按默认）", type: "number", min: 0, max: 1000 }],
  send: async (v) => {
    await api.post("/api/v1/volunteer/types", { type: v.type, name: v.name }, { idempotent: true });
    if (v.coins_per_hour !== null) await api.put(`/api/v1/volunteer/rates/${encodeURIComponent(v.type)}`, { coins_per_hour: v.coins_per_hour });
    toast(`已新增服务类型：${v.name}`); reloadVolunteer();
  } }));
  return root;
});

// ---- 接口密钥 (Open311)

const reloadKeys = (params = {}) => go("/open311-keys", params);

register("open311-keys", async ({ params }) => {
  if (!atDistrict("users:admin")) return denied("接口密钥由区级系统管理员签发和吊销。");
  const query = listQuery(params, ["org_unit", "from", "to"]);
  const found = await api.get("/api/v1/petition/open311/keys", query);
  const units = Object.fromEntries([...state.units.values()].filter((u) => !u.retired && ["district", "subdistrict", "community"]
    .includes(u.level)).sort((a, b) => a.path.localeCompare(b.path)).map((u) => [u.id, u.name]));
  const root = h("div", { id: "open311-keys" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, "接口密钥")),
    h("p", { class: "muted" }, "外部应用（如 12345 热线系统、微信小程序）凭密钥按 Open311 标准提交诉求，诉求只落在密钥所属单位内。密钥只在签发时显示一次，请当场交给对方。"));
  root.append(filterBar([
    { name: "org_unit", label: "所属单位", type: "select", options: units },
    { name: "from", label: "签发自", type: "date" }, { name: "to", label: "签发至", type: "date" }],
  params, (v) => reloadKeys(v), () => reloadKeys()).el);
  const revoke = (k) => openDialog(`吊销「${k.app}」的密钥`, (close) => h("div", {},
    h("p", {}, "吊销后，该应用不能再提交诉求；已提交的不受影响。"),
    h("div", { class: "actions" }, h("button", { type: "button", class: "danger", id: "confirm-revoke", onclick: async (e) => {
      try {
        await busy(e.currentTarget, api.post(`/api/v1/petition/open311/keys/${encodeURIComponent(k.id)}/revoke`));
        close(); toast("密钥已吊销"); reloadKeys(Object.fromEntries(params));
      } catch (err) { toast(errorText(err), "bad"); }
    } }, "确认吊销"))));
  root.append(listSection({ id: "open311-key-list", title: "密钥", found, query, caption: "Open311 接口密钥",
    onPage: (n) => reloadKeys({ ...Object.fromEntries(params), page: n }), columns: [
      { title: "应用", render: (k) => k.app }, { title: "所属单位", render: (k) => unitName(k.org_unit_id) },
      { title: "签发", render: (k) => day(k.issued_at) },
      { title: "状态", render: (k) => (k.active ? badge("有效", "ok") : badge(`已吊销 ${day(k.revoked_at)}`)) },
      { title: "操作", render: (k) => (k.active ? h("button", { type: "button", class: "danger", "aria-label": `吊销 ${k.app}`,
        onclick: () => revoke(k) }, "吊销") : "") }] }));
  const shown = h("div", { id: "issued-key", "aria-live": "polite" });
  root.append(actionForm({ id: "open311-key-form", title: "签发密钥", submit: "签发", fields: [
    { name: "app", label: "应用名称", required: true, maxlength: 100 },
    { name: "org_unit_id", label: "所属单位", type: "select", options: units, required: true }],
  send: async (v) => {
    const k = await api.post("/api/v1/petition/open311/keys", v, { idempotent: true });
    clear(shown, h("section", { class: "card", role: "status" }, h("h2", {}, `「${k.app}」的密钥（只显示这一次）`),
      h("p", {}, h("code", { id: "issued-key-value" }, k.api_key)),
      h("p", { class: "hint" }, "离开本页后无法再查看；遗失请吊销后重新签发。"),
      h("div", { class: "actions" }, h("button", { type: "button", id: "issued-key-done", onclick: () => reloadKeys() }, "已交给对方，返回列表"))));
    toast("密钥已签发");
  } }), shown);
  return root;
});
