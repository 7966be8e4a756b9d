// 社区矫正 / 安置帮教: only the roles that work them see this (security:corrections: the community police, a
// community worker with the corrections duty); every read and every refusal is written to the audit trail.
import { api } from "../api.js";
import { can, canAnywhere, go, href, register, state, unitName } from "../app.js";
import { label } from "../i18n.js";
import { badge, dateTime, day, dl, h, section } from "../ui.js";
import { actionForm, filterBar, isoFromLocal, listCard, localNow, preferred, queryFrom, scanButton, unitsWhere } from "./casework.js";

const CATEGORIES = { community_correction: "社区矫正", released_support: "安置帮教" };
const AUDITED = () => h("p", { class: "notice", role: "note" }, "矫正对象信息仅限承担此项工作的人员查看；每次查看都记入审计。");

register("corrections", async ({ parts, params }) => {
  if (!canAnywhere("security:corrections")) {
    return h("div", {}, h("h1", {}, "社区矫正"), h("p", { class: "card" }, "您没有查看矫正对象的权限。"));
  }
  if (parts[0]) return person(parts[0]);
  return list(params);
});

function dueCell(p) {
  return [day(p.next_visit_due), p.overdue ? [" ", badge("走访超期", "danger")] : null];
}

async function list(params) {
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `社区矫正与安置帮教 · ${unitName(state.org)}`)), AUDITED());
  root.append(filterBar("/corrections", params, [
    { name: "overdue", label: "只看走访超期", type: "checkbox" },
    { name: "from", label: "纳入自", type: "date" }, { name: "to", label: "至", type: "date" }]));
  const query = queryFrom(params, ["from", "to"], { org_unit: state.org });
  if (params.get("overdue") === "true") query.overdue = "true";
  root.append(scanButton("/api/v1/security/corrections/overdue-scan", "立即检查走访超期", (r) => `新发现 ${r.flagged} 人走访超期`));
  root.append(await listCard({ title: "在册对象", path: "security/corrections/people", id: "corrections-list", query, params, route: "/corrections",
    onOpen: (p) => go(`/corrections/${p.id}`),
    columns: [
      { title: "姓名", render: (p) => h("a", { href: href(`/corrections/${p.id}`) }, p.name) },
      { title: "类别", render: (p) => label(CATEGORIES, p.category) }, { title: "社区", render: (p) => unitName(p.org_unit_id) },
      { title: "期限", render: (p) => [day(p.supervision_starts_on), " — ", day(p.supervision_ends_on)] },
      { title: "责任人", render: (p) => p.responsible_worker_name || "" },
      { title: "下次走访", render: dueCell }, { title: "走访次数", class: "num", render: (p) => String((p.visits || []).length) }] }));
  const targets = unitsWhere("security:corrections", { communitiesOnly: true });
  if (Object.keys(targets).length) {
    root.append(actionForm({ id: "enrol-form", title: "纳入管理", button: "登记", specs: [
      { name: "org_unit_id", label: "社区", type: "select", options: targets, required: true, value: preferred(targets) },
      { name: "name", label: "姓名", required: true, maxlength: 50 },
      { name: "id_number", label: "身份证号", required: true, maxlength: 18 },
      { name: "category", label: "类别", type: "select", options: CATEGORIES, required: true },
      { name: "visit_interval_days", label: "走访周期（天）", type: "number", min: 1, max: 366, required: true, value: 30 },
      { name: "responsible_worker_name", label: "责任人", required: true, maxlength: 50, value: state.user.name || "" },
      { name: "supervision_starts_on", label: "起始日期", type: "date" },
      { name: "supervision_ends_on", label: "期满日期", type: "date", check: (v, f) => (v && f.val("supervision_starts_on") && v < f.val("supervision_starts_on") ? "不能早于起始日期" : null) }],
    submit: (body) => api.post("/api/v1/security/corrections/people", { ...body, responsible_worker_id: state.user.id }, { idempotent: true }),
    done: (p) => go(`/corrections/${p.id}`) }));
  }
  return root;
}

async function person(id) {
  const p = await api.get(`/api/v1/security/corrections/people/${encodeURIComponent(id)}`);
  const root = h("div", { class: "corrections-detail" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${p.name} · ${label(CATEGORIES, p.category)}`),
    p.overdue ? badge("走访超期", "danger") : badge("按期走访", "ok"), h("a", { class: "button", href: href("/corrections") }, "返回名单")), AUDITED());
  root.append(section("基本情况", dl([["身份证号", p.id_number], ["社区", unitName(p.org_unit_id)], ["期限", [day(p.supervision_starts_on), " — ", day(p.supervision_ends_on)]],
    ["走访周期", `${p.visit_interval_days} 天`], ["责任人", p.responsible_worker_name], ["下次走访", dueCell(p)], ["纳入时间", dateTime(p.enrolled_at)]])));
  root.append(section("走访记录", (p.visits || []).length
    ? h("ol", { class: "timeline", id: "visit-log" }, p.visits.slice().reverse().map((v) => h("li", {}, h("time", {}, dateTime(v.visited_at || v.at)), " ", v.by_name || "", " — ", v.note)))
    : h("p", { class: "muted" }, "还没有走访记录。")));
  if (can("security:corrections", p.org_path)) {
    root.append(actionForm({ id: "corrections-visit-form", title: "记录走访", button: "保存走访", phone: true, specs: [
      { name: "visited_at", label: "走访时间", type: "datetime-local", required: true, value: localNow(), max: localNow() },
      { name: "note", label: "走访情况", type: "textarea", required: true, maxlength: 2000 }],
    submit: (body) => api.post(`/api/v1/security/corrections/people/${p.id}/visits`, { ...body, visited_at: isoFromLocal(body.visited_at) }),
    done: () => go(`/corrections/${p.id}`) }));
  }
  return root;
}
