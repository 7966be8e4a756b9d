// 人员台账 (#20): the registers of 退管 / 老龄 (retirees, the elderly), 残联 (the disabled) and 优抚 (veterans). Each is
// its office's: a register is offered only to who holds its permission (welfare:retirees / disability / veterans).
// What each records and the services delivered come from welfare (`/register-kinds`); nothing is copied here.
import { api, request } from "../api.js";
import { can, go, href, register, state, unit, unitName } from "../app.js";
import { badge, dateTime, day, dl, field, h, section, table, toast, toFen, todayLocal, validators, yuan } from "../ui.js";
import {
  PERIOD_FILTERS, communityChoices, filterBar, filtersOf, formCard, fromLocalTime, linkButton, listSection, loaded,
  nowLocalTime, pageHead, shown, tabBar, unitField,
} from "./welfare_kit.js";

const STATUS = { active: "在册", ended: "已注销" };
const PERSON = [["name", "姓名"], ["id_number", "身份证号"], ["phone", "电话"], ["address", "住址"], ["household_head_id_number", "户主身份证号"]];

let kindsCache = null;
/** The registers the user holds here, from welfare's catalogue: [{code, name, permission, details, services, end_reasons}]. */
async function kinds() {
  if (!kindsCache) kindsCache = api.get("/api/v1/welfare/register-kinds", { page_size: 100 }).then((r) => r.items).catch((e) => { kindsCache = null; throw e; });
  return (await kindsCache).filter((k) => can(k.permission));
}

const names = (list) => Object.fromEntries(list.map((x) => [x.code, x.name]));
const serviceNames = (all) => Object.assign({}, ...all.map((k) => names(k.services)));

register("registers", async ({ parts, params }) => {
  const held = await kinds();
  if (!held.length) return h("div", { class: "card" }, h("h1", {}, "人员台账"), h("p", {}, "您在当前单位没有台账的查看权限，请在左侧选择您负责的社区。"));
  if (parts[0] === "new") return entryForm(held, params);
  if (parts[0]) return entryDetail(parts[0], held, params);
  return overview(held, params);
});

async function overview(held, params) {
  const tab = params.get("tab") || "entries";
  const root = h("div", {}, pageHead(`人员台账 · ${unitName(state.org)}`,
    held.filter((k) => Object.keys(communityChoices(k.permission)).length)
      .map((k) => linkButton(`＋ 登记${k.name}`, "/registers/new", { register: k.code }, { dataset: { newRegister: k.code } }))));
  root.append(tabBar("/registers", tab, [["entries", "在册人员"], ["services", "服务记录"], ["counts", "服务统计"]]));
  const registers = names(held);
  const page = params.get("page");
  if (tab === "counts") return counts(root, held, params);
  if (tab === "services") {
    const filters = ["register", "kind", "from", "to"];
    const kindsShown = serviceNames(params.get("register") ? held.filter((k) => k.code === params.get("register")) : held);
    root.append(filterBar("/registers", params, [
      { name: "register", label: "台账", type: "select", options: registers },
      { name: "kind", label: "服务类别", type: "select", options: kindsShown }, ...PERIOD_FILTERS], { tab }));
    root.append(await listSection({ title: "服务记录", id: "register-services", path: "/api/v1/welfare/register-services",
      query: { org_unit: state.org, register: params.get("register") || held.map((k) => k.code).join(","), ...filtersOf(params, ["kind", "from", "to"]), page },
      route: "/registers", keep: { tab, ...filtersOf(params, filters) }, exportPath: "welfare/register-services",
      exportName: `台账服务记录-${unitName(state.org)}`, columns: serviceColumns(held, true) }));
    return root;
  }
  const filters = ["register", "status", "from", "to"];
  root.append(filterBar("/registers", params, [
    { name: "register", label: "台账", type: "select", options: registers },
    { name: "status", label: "状态", type: "select", options: STATUS }, ...PERIOD_FILTERS]));
  root.append(await listSection({ title: "在册人员", id: "register-entries", path: "/api/v1/welfare/register-entries",
    query: { org_unit: state.org, register: params.get("register") || held.map((k) => k.code).join(","), ...filtersOf(params, ["status", "from", "to"]), page },
    route: "/registers", keep: filtersOf(params, filters), exportPath: "welfare/register-entries",
    exportName: `人员台账-${unitName(state.org)}`, onOpen: (e) => go(`/registers/${e.id}`), columns: [
      { title: "台账", render: (e) => e.register_name || registers[e.register] || e.register },
      { title: "姓名", render: (e) => h("a", { href: href(`/registers/${e.id}`) }, shown(e.person.name)) },
      { title: "身份证号", render: (e) => shown(e.person.id_number) },
      { title: "社区", render: (e) => unitName(e.org_unit_id) },
      { title: "登记日期", render: (e) => day(e.registered_on) },
      { title: "状态", render: (e) => badge(STATUS[e.status] || e.status, e.status === "active" ? "ok" : "") },
    ] }));
  return root;
}

function serviceColumns(held, withLink) {
  const kindsNamed = serviceNames(held);
  return [
    { title: "服务时间", render: (s) => dateTime(s.delivered_at) },
    { title: "台账", render: (s) => names(held)[s.register] || s.register },
    { title: "服务", render: (s) => kindsNamed[s.kind] || s.kind },
    { title: "服务人", render: (s) => s.worker_name || s.worker_id },
    { title: "金额(元)", class: "num", render: (s) => yuan(s.money_fen) },
    { title: "物品", render: (s) => s.goods },
    { title: "本年首次", render: (s) => (s.first_for_person ? "是" : "") },
    withLink ? { title: "人员", render: (s) => h("a", { href: href(`/registers/${s.entry_id}`) }, "查看") } : null,
  ].filter(Boolean);
}

async function counts(root, held, params) {
  const from = params.get("from") || `${todayLocal().slice(0, 4)}-01-01`;
  const to = params.get("to") || todayLocal();
  const kindsNamed = serviceNames(held);
  root.append(filterBar("/registers", params, [
    { name: "from", label: "开始日期", type: "date", value: from }, { name: "to", label: "结束日期", type: "date", value: to }], { tab: "counts" }));
  root.append(await loaded(`按服务人统计（${from} 至 ${to}）`, () => api.get("/api/v1/welfare/register-services/counts", { org_unit: state.org, from, to }),
    (c) => h("div", { id: "register-counts", dataset: { services: String(c.services) } },
      h("p", {}, `共服务 ${c.services} 次，金额 ${yuan(c.money_fen)} 元；`,
        Object.entries(c.by_kind || {}).map(([k, n]) => `${kindsNamed[k] || k} ${n} 次`).join("，")),
      table([
        { title: "服务人", render: ([id, w]) => w.worker_name || id },
        { title: "服务次数", class: "num", render: ([, w]) => w.services },
        { title: "其中", render: ([, w]) => Object.entries(w.by_kind || {}).map(([k, n]) => `${kindsNamed[k] || k} ${n}`).join("，") },
      ], Object.entries(c.per_worker || {}).sort((a, b) => b[1].services - a[1].services), { caption: "按服务人统计", empty: "该期间没有服务记录" }))));
  return root;
}

/** A register's details as form fields (text, date, flag, choice), from welfare's catalogue. */
function detailFields(form, kind, values = {}) {
  return kind.details.map((d) => field(form, {
    name: `details.${d.code}`, label: d.label, required: d.required && d.type !== "flag", value: values[d.code],
    type: d.type === "flag" ? "checkbox" : d.type === "choice" ? "select" : d.type === "date" ? "date" : "text",
    options: d.choices, maxlength: d.type === "text" ? 200 : undefined,
  }));
}

function detailValues(form, kind) {
  return Object.fromEntries(kind.details.map((d) => [d.code, form.val(`details.${d.code}`)])
    .filter(([, v]) => v !== "" && v !== null && v !== undefined));
}

function entryForm(held, params) {
  const kind = held.find((k) => k.code === params.get("register")) || held[0];
  const aliases = Object.fromEntries(PERSON.map(([k]) => [`person.${k}`, k]));
  return formCard({ id: "register-entry-form", title: `登记${kind.name}`, heading: "h1", button: "登记", thumb: true, aliases,
    fields: (form) => [
      unitField(form, kind.permission),
      field(form, { name: "name", label: "姓名", required: true, maxlength: 50 }),
      field(form, { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber }),
      field(form, { name: "phone", label: "电话", type: "tel", check: validators.mobile, maxlength: 11 }),
      field(form, { name: "address", label: "住址", maxlength: 200 }),
      field(form, { name: "household_head_id_number", label: "户主身份证号（本人是户主可不填）", maxlength: 18, check: validators.idNumber }),
      ...detailFields(form, kind),
      field(form, { name: "registered_on", label: "登记日期", type: "date", value: todayLocal(), max: todayLocal() }),
    ],
    submit: (form) => api.post("/api/v1/welfare/register-entries", {
      register: kind.code, org_unit_id: form.val("org_unit_id"), details: detailValues(form, kind),
      person: Object.fromEntries(PERSON.map(([k]) => [k, k === "id_number" || k === "household_head_id_number" ? form.val(k).toUpperCase() : form.val(k)])
        .filter(([k, v]) => v || k === "name" || k === "id_number")),
      registered_on: form.val("registered_on") || undefined }, { idempotent: true }),
    done: (e) => { toast(`已登记：${e.person.name}`); go(`/registers/${e.id}`); },
  }).el;
}

async function entryDetail(id, held, params) {
  const e = await api.get(`/api/v1/welfare/register-entries/${encodeURIComponent(id)}`);
  const kind = held.find((k) => k.code === e.register) || { name: e.register_name, details: [], services: [], end_reasons: [] };
  const path = (unit(e.org_unit_id) || {}).path;
  const active = e.status === "active";
  const mayChange = can(kind.permission, path);
  const root = h("div", { class: "register-entry", dataset: { status: e.status } }, pageHead(`${kind.name} · ${shown(e.person.name)}`,
    badge(STATUS[e.status] || e.status, active ? "ok" : ""), h("a", { class: "button", href: href("/registers", { register: e.register }) }, "返回台账")));
  if (e.masked) root.append(h("p", { class: "notice" }, "个人信息已按权限隐去部分内容。"));
  root.append(section("人员信息", dl([
    ...PERSON.map(([k, t]) => [t, shown(e.person[k])]), ["社区", unitName(e.org_unit_id)], ["登记日期", day(e.registered_on)],
    ...kind.details.map((d) => [d.label, d.type === "flag" ? (e.details[d.code] ? "是" : "否") : shown((d.choices || {})[e.details[d.code]] || e.details[d.code])]),
    e.ended_on ? ["注销", `${day(e.ended_on)} ${names(kind.end_reasons)[e.end_reason] || e.end_reason}${e.end_note ? `：${e.end_note}` : ""}`] : null,
  ])));
  const forms = h("div", { class: "action-forms" });
  if (active && mayChange) forms.append(serviceForm(e, kind), changeForm(e, kind), endForm(e, kind));
  if (forms.childElementCount) root.append(forms);
  root.append(await listSection({ title: "服务记录", id: "entry-services", path: "/api/v1/welfare/register-services",
    query: { register: e.register, entry_id: e.id, page: params.get("page") }, route: `/registers/${e.id}`,
    columns: serviceColumns(held, false), empty: "尚无服务记录" }));
  const labelOf = (c) => {
    const [where, code] = c.split(".");
    if (where === "person") return Object.fromEntries(PERSON)[code] || code;
    if (where === "details") return (kind.details.find((d) => d.code === code) || {}).label || code;
    return c === "status" ? "状态（注销）" : c;
  };
  root.append(section("变更记录", h("ol", { class: "timeline" },
    h("li", {}, h("time", {}, dateTime(e.registered_at)), " 登记"),
    (e.history || []).map((x) => h("li", {}, h("time", {}, dateTime(x.at)), ` 变更：${(x.changed || []).map(labelOf).join("、")}`)))));
  return root;
}

function serviceForm(e, kind) {
  return formCard({ id: "register-service-form", title: "登记服务", button: "保存服务", thumb: true,
    fields: (form) => [
      field(form, { name: "kind", label: "服务类别", type: "select", options: names(kind.services), required: true }),
      field(form, { name: "delivered_at", label: "服务时间", type: "datetime-local", required: true, value: nowLocalTime() }),
      field(form, { name: "money", label: "金额(元)", check: validators.yuan, value: "0" }),
      field(form, { name: "goods", label: "物品", maxlength: 500 }),
      field(form, { name: "notes", label: "情况记录", type: "textarea", maxlength: 2000 }),
    ],
    aliases: { money_fen: "money" },
    submit: (form) => api.post(`/api/v1/welfare/register-entries/${e.id}/services`, { kind: form.val("kind"),
      delivered_at: fromLocalTime(form.val("delivered_at")), money_fen: toFen(form.val("money")), goods: form.val("goods"),
      notes: form.val("notes") }, { idempotent: true }),
    done: (s) => { toast(`服务已登记${s.first_for_person ? "（本年首次）" : ""}`); go(`/registers/${e.id}`); },
  }).el;
}

/** A changed phone, address, 户主 or detail (the ID number never changes: end the entry, enter the person). Masked
 * values are not offered for change: what the user cannot see they cannot correct. */
function changeForm(e, kind) {
  const editable = PERSON.filter(([k]) => k !== "id_number" && !(e.masked && /\*/.test(e.person[k] || "")));
  return formCard({ id: "register-change-form", title: "修改信息", button: "保存修改",
    fields: (form) => [
      ...editable.map(([k, t]) => field(form, { name: k, label: t, value: e.person[k], maxlength: k === "address" ? 200 : 18,
        type: k === "phone" ? "tel" : "text", check: k === "phone" ? validators.mobile : k === "household_head_id_number" ? validators.idNumber : undefined })),
      ...detailFields(form, kind, e.details)],
    aliases: Object.fromEntries(PERSON.map(([k]) => [`person.${k}`, k])),
    submit: (form) => {
      const person = Object.fromEntries(editable.map(([k]) => [k, form.val(k)]).filter(([k, v]) => v !== (e.person[k] || "") && (v || k === "address")));
      const details = Object.fromEntries(Object.entries(detailValues(form, kind)).filter(([k, v]) => v !== (e.details[k] ?? false)));
      return request("PATCH", `/api/v1/welfare/register-entries/${e.id}`, { body: { person, details } });
    },
    done: () => { toast("已保存"); go(`/registers/${e.id}`); },
  }).el;
}

function endForm(e, kind) {
  return formCard({ id: "register-end-form", title: "注销", button: "注销", kind: "danger",
    fields: [
      { name: "reason", label: "注销原因", type: "select", options: names(kind.end_reasons), required: true },
      { name: "ended_on", label: "注销日期", type: "date", value: todayLocal(), max: todayLocal() },
      { name: "note", label: "说明", maxlength: 1000 }],
    submit: (form) => api.post(`/api/v1/welfare/register-entries/${e.id}/end`, { reason: form.val("reason"),
      ended_on: form.val("ended_on") || undefined, note: form.val("note") }),
    done: () => { toast("已注销"); go(`/registers/${e.id}`); },
  }).el;
}
