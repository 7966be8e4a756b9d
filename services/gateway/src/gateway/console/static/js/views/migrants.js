// 流动人口: registration (made for a phone at the door), the register with its filters, permits expiring,
// registrations due for 核查, one person's check (still here / moved out) and a renewed permit.
import { api } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { label } from "../i18n.js";
import { badge, dateTime, day, dl, h, section, todayLocal, validators } from "../ui.js";
import { actionForm, filterBar, listCard, preferred, queryFrom, scanButton, tabLinks, unitsWhere } from "./casework.js";

const STATUSES = { active: "在住", moved_out: "已迁出" };
const RESULTS = { present: "仍在住", moved_out: "已迁出" };

register("migrants", async ({ parts, params }) => {
  if (parts[0] === "new") return registration();
  if (parts[0]) return person(parts[0]);
  return lists(params);
});

function expiryCell(m) {
  if (!m.permit_expires_on) return "无居住证";
  const left = m.days_to_expiry;
  const tag = left === null || left === undefined ? null : left < 0 ? badge("已过期", "danger") : left <= 30 ? badge(`剩${left}天`, "warn") : null;
  return [day(m.permit_expires_on), tag ? [" ", tag] : null];
}

const COLUMNS = [
  { title: "姓名", render: (m) => h("a", { href: href(`/migrants/${m.id}`) }, m.name) },
  { title: "身份证号", render: (m) => m.id_number || "" },
  { title: "社区", render: (m) => unitName(m.community_id || m.org_unit_id) },
  { title: "户籍地", render: (m) => m.origin || "" },
  { title: "居住证到期", render: expiryCell },
  { title: "上次核查", render: (m) => day(m.last_verified_at) },
  { title: "状态", render: (m) => badge(label(STATUSES, m.status), m.status === "active" ? "ok" : "") },
];

async function lists(params) {
  const tab = params.get("tab") || "all";
  const keep = { tab };
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `流动人口 · ${unitName(state.org)}`),
    Object.keys(unitsWhere("security:migrants", { communitiesOnly: true })).length ? h("a", { class: "button primary", href: href("/migrants/new"), id: "new-migrant" }, "＋ 登记流动人口") : null));
  root.append(tabLinks("/migrants", tab, [["all", "登记台账"], ["expiring", "居住证将到期"], ["due", "待核查"]], "流动人口"));
  const common = { org_unit: state.org };
  const open = (m) => go(`/migrants/${m.id}`);
  if (tab === "expiring") {
    root.append(filterBar("/migrants", params, [{ name: "within_days", label: "多少天内到期", type: "number", min: 0, max: 366, value: "30" }], keep));
    if (can("security:migrants")) root.append(scanButton("/api/v1/security/migrants/expiry-scan", "立即检查居住证到期", (r) => `已发出 ${r.announced} 条到期提醒`));
    root.append(await listCard({ title: "居住证将到期（含已过期未续）", path: "security/migrants/expiring", id: "expiring-list", params, route: "/migrants", keep,
      query: { ...common, within_days: params.get("within_days") || 30 }, columns: COLUMNS, onOpen: open, exportName: `居住证到期-${unitName(state.org)}` }));
    return root;
  }
  if (tab === "due") {
    root.append(filterBar("/migrants", params, [{ name: "days", label: "多少天未核查", type: "number", min: 1, max: 3660, value: "90" }], keep));
    root.append(await listCard({ title: "待核查（超过期限未核查）", path: "security/migrants/verification-due", id: "due-list", params, route: "/migrants", keep,
      query: { ...common, days: params.get("days") || 90 }, columns: COLUMNS, onOpen: open, exportName: `流动人口待核查-${unitName(state.org)}` }));
    return root;
  }
  root.append(filterBar("/migrants", params, [{ name: "status", label: "状态", type: "select", options: STATUSES },
    { name: "from", label: "登记自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
  root.append(await listCard({ title: "流动人口登记台账", path: "security/migrants", id: "migrant-list", params, route: "/migrants", keep,
    query: queryFrom(params, ["status", "from", "to"], common), columns: COLUMNS, onOpen: open, exportName: `流动人口-${unitName(state.org)}` }));
  return root;
}

/** 登记: one column, the button under the thumb; the ID number and mobile are checked as they are typed. */
async function registration() {
  const targets = unitsWhere("security:migrants", { communitiesOnly: true });
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, "登记流动人口"), h("a", { class: "button", href: href("/migrants") }, "返回")));
  if (!Object.keys(targets).length) { root.append(h("p", { class: "card" }, "请在左侧选择您负责的社区：流动人口按社区登记。")); return root; }
  root.append(actionForm({ id: "migrant-form", title: "登记信息", button: "登记", phone: true, specs: [
    { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: preferred(targets) },
    { name: "name", label: "姓名", required: true, maxlength: 50 },
    { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber },
    { name: "origin", label: "户籍地", required: true, maxlength: 100 },
    { name: "address", label: "现住址", required: true, maxlength: 200 },
    { name: "building", label: "楼栋", maxlength: 100 },
    { name: "landlord_name", label: "房东姓名", maxlength: 50 },
    { name: "landlord_mobile", label: "房东电话", type: "tel", maxlength: 11, check: validators.mobile },
    { name: "permit_number", label: "居住证号", maxlength: 50, check: (v, f) => (!v && f.val("permit_expires_on") ? "填写有效期时请填写居住证号" : null) },
    { name: "permit_expires_on", label: "居住证有效期至", type: "date", check: (v, f) => (!v && f.val("permit_number") ? "请填写有效期" : null) }],
  submit: (body) => api.post("/api/v1/security/migrants", body, { idempotent: true }),
  done: (m) => go(`/migrants/${m.id}`) }));
  return root;
}

async function person(id) {
  const m = await api.get(`/api/v1/security/migrants/${encodeURIComponent(id)}`);
  const root = h("div", { class: "migrant-detail", dataset: { status: m.status } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${m.name} · 流动人口`), badge(label(STATUSES, m.status), m.status === "active" ? "ok" : ""),
    h("a", { class: "button", href: href("/migrants") }, "返回台账")));
  root.append(section("登记信息", dl([["身份证号", m.id_number], ["社区", unitName(m.community_id || m.org_unit_id)], ["户籍地", m.origin],
    ["现住址", m.address], ["楼栋", m.building], ["房东", [m.landlord_name, m.landlord_mobile].filter(Boolean).join(" ")],
    ["居住证", m.permit_number ? [m.permit_number, "，有效期至 ", expiryCell(m)] : "无"], ["登记时间", dateTime(m.registered_at)],
    ["上次核查", dateTime(m.last_verified_at)], m.moved_out_at ? ["迁出", dateTime(m.moved_out_at)] : null])));
  if ((m.verifications || []).length) {
    root.append(section("核查记录", h("ol", { class: "timeline" }, m.verifications.slice().reverse().map((v) =>
      h("li", {}, h("time", {}, dateTime(v.at)), " ", label(RESULTS, v.result), v.note ? ` — ${v.note}` : "")))));
  }
  if (m.status !== "active" || !can("security:migrants", m.org_path)) return root;
  const again = () => go(`/migrants/${m.id}`);
  root.append(h("div", { class: "action-forms" },
    actionForm({ id: "verify-form", title: "核查", button: "记录核查", phone: true, specs: [
      { name: "result", label: "核查结果", type: "select", options: RESULTS, required: true, value: "present" },
      { name: "note", label: "说明", type: "textarea", maxlength: 1000 }],
    intro: h("p", { class: "hint" }, "选“已迁出”即注销登记。"),
    submit: (body) => api.post(`/api/v1/security/migrants/${m.id}/verify`, body), done: again }),
    actionForm({ id: "permit-form", title: "居住证续期", button: "保存", specs: [
      { name: "permit_number", label: "居住证号", required: true, maxlength: 50, value: m.permit_number },
      { name: "permit_expires_on", label: "有效期至", type: "date", required: true, min: todayLocal() }],
    submit: (body) => api.post(`/api/v1/security/migrants/${m.id}/permit`, body), done: again })));
  return root;
}
