// 就业社保 (#20): the 保障员's work — 失业登记 and placement (就业安置), 再就业优惠证, 零就业家庭 followed until cleared,
// 城镇居民医保参保, and the 4050 / 4555 subsidies (welfare programmes, applied for like any other). Only for
// welfare:employment; the codes' names come from welfare (`/employment/vocabulary`).
import { api } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { badge, day, dl, field, h, section, table, toast, todayLocal, validators } from "../ui.js";
import {
  PERIOD_FILTERS, filterBar, filtersOf, formCard, linkButton, listSection, loaded, pageHead, shown, tabBar, unitField,
} from "./welfare_kit.js";

const BASE = "/api/v1/welfare/employment";
const SEEKER_STATUS = { registered: "登记中", placed: "已安置", ended: "已注销" };
const HOUSEHOLD_STATUS = { open: "未清零", cleared: "已清零" };
const SUBSIDIES = { flexible_employment_insurance_4050: "4050人员灵活就业社会保险补贴", public_welfare_post_4555: "4555人员公益性岗位补贴" };

let vocabularyCache = null;
function vocabulary() {
  if (!vocabularyCache) vocabularyCache = api.get(`${BASE}/vocabulary`).catch((e) => { vocabularyCache = null; throw e; });
  return vocabularyCache;
}

register("employment", async ({ parts, params }) => {
  if (!can("welfare:employment")) {
    return h("div", { class: "card" }, h("h1", {}, "就业社保"), h("p", {}, "就业社保由保障员和街道社保所办理，请在左侧选择您负责的单位。"));
  }
  const v = await vocabulary();
  if (parts[0] === "jobseekers" && parts[1] === "new") return jobseekerForm(v);
  if (parts[0] === "jobseekers" && parts[1]) return jobseekerDetail(parts[1], v);
  if (parts[0] === "households" && parts[1] === "new") return householdForm(v);
  if (parts[0] === "households" && parts[1]) return householdDetail(parts[1], v);
  if (parts[0] === "enrolments" && parts[1] === "new") return enrolmentForm(v);
  return overview(params, v);
});

const TABS = [["jobseekers", "失业登记"], ["certificates", "再就业优惠证"], ["households", "零就业家庭"], ["enrolments", "医保参保"], ["subsidies", "4050/4555补贴"]];

async function overview(params, v) {
  const tab = params.get("tab") || "jobseekers";
  const root = h("div", {}, pageHead(`就业社保 · ${unitName(state.org)}`,
    linkButton("＋ 失业登记", "/employment/jobseekers/new", {}, { id: "go-jobseeker" }),
    linkButton("＋ 零就业家庭", "/employment/households/new", {}, { id: "go-household" }),
    linkButton("＋ 医保参保", "/employment/enrolments/new", {}, { id: "go-enrolment" })));
  root.append(await loaded("当前情况", () => api.get(`${BASE}/figures`, { org_unit: state.org }), (f) => h("div", { id: "employment-figures" }, dl([
    ["登记失业人员", h("span", { dataset: { figure: "jobseekers_registered" } }, `${f.jobseekers_registered} 人`)],
    ["未清零的零就业家庭", h("span", { dataset: { figure: "zero_employment_households_open" } }, `${f.zero_employment_households_open} 户`)],
    ...Object.entries(f.medical_insurance_enrolled || {}).map(([y, n]) => [`${y}年医保参保`, `${n} 人`]),
  ]))));
  root.append(tabBar("/employment", tab, TABS));
  const page = params.get("page");
  const list = (spec) => listSection({ route: "/employment", ...spec,
    query: { org_unit: state.org, ...filtersOf(params, spec.filters), page }, keep: { tab, ...filtersOf(params, spec.filters) } });
  if (tab === "subsidies") {
    root.append(section("4050 / 4555 补贴", h("p", {}, "按救助申请办理：受理 → 社区审核 → 公示 → 街道审批 → 按月发放。"),
      h("ul", {}, Object.entries(SUBSIDIES).map(([code, name]) => h("li", {}, name, "：",
        h("a", { href: href("/welfare", { programme: code }) }, "申请"), "　",
        h("a", { href: href("/welfare", { tab: "grants", programme: code }) }, "在保对象")))),
      can("welfare:apply") ? linkButton("＋ 受理补贴申请", "/welfare/new") : null));
    return root;
  }
  if (tab === "certificates") {
    root.append(filterBar("/employment", params, PERIOD_FILTERS, { tab }));
    root.append(await list({ title: "再就业优惠证", id: "certificates", path: `${BASE}/certificates`, filters: ["from", "to"],
      exportPath: "welfare/employment/certificates", exportName: "再就业优惠证", columns: [
        { title: "证号", render: (c) => c.number },
        { title: "发证日期", render: (c) => day(c.issued_on) },
        { title: "社区", render: (c) => unitName(c.org_unit_id) },
        { title: "登记", render: (c) => h("a", { href: href(`/employment/jobseekers/${c.jobseeker_id}`) }, "查看") },
      ] }));
    return root;
  }
  if (tab === "households") {
    root.append(filterBar("/employment", params, [{ name: "status", label: "状态", type: "select", options: HOUSEHOLD_STATUS }, ...PERIOD_FILTERS], { tab }));
    root.append(await list({ title: "零就业家庭", id: "households", path: `${BASE}/zero-employment-households`, filters: ["status", "from", "to"],
      exportPath: "welfare/employment/zero-employment-households", exportName: "零就业家庭",
      onOpen: (x) => go(`/employment/households/${x.id}`), columns: [
        { title: "户号", render: (x) => h("a", { href: href(`/employment/households/${x.id}`) }, x.household_key) },
        { title: "社区", render: (x) => unitName(x.org_unit_id) },
        { title: "劳动年龄人数", class: "num", render: (x) => x.working_age_members },
        { title: "认定日期", render: (x) => day(x.identified_on) },
        { title: "天数", class: "num", render: (x) => x.days_open },
        { title: "走访", class: "num", render: (x) => (x.visits || []).length },
        { title: "状态", render: (x) => badge(HOUSEHOLD_STATUS[x.status] || x.status, x.status === "cleared" ? "ok" : "warn") },
      ] }));
    return root;
  }
  if (tab === "enrolments") {
    root.append(filterBar("/employment", params, [{ name: "year", label: "年度", type: "number", min: 2000, max: 2100 },
      { name: "category", label: "类别", type: "select", options: v.insurance_categories }, ...PERIOD_FILTERS], { tab }));
    root.append(await list({ title: "城镇居民医保参保", id: "enrolments", path: `${BASE}/medical-insurance-enrolments`, filters: ["year", "category", "from", "to"],
      exportPath: "welfare/employment/medical-insurance-enrolments", exportName: "医保参保", columns: [
        { title: "姓名", render: (x) => shown(x.name) }, { title: "身份证号", render: (x) => shown(x.id_number) },
        { title: "年度", render: (x) => x.year }, { title: "类别", render: (x) => v.insurance_categories[x.category] || x.category },
        { title: "参保日期", render: (x) => day(x.enrolled_on) }, { title: "社区", render: (x) => unitName(x.org_unit_id) },
      ] }));
    return root;
  }
  root.append(filterBar("/employment", params, [{ name: "status", label: "状态", type: "select", options: SEEKER_STATUS },
    { name: "category", label: "类别", type: "select", options: v.categories }, { name: "household_key", label: "户号", maxlength: 64 },
    ...PERIOD_FILTERS], { tab }));
  root.append(await list({ title: "失业登记", id: "jobseekers", path: `${BASE}/jobseekers`, filters: ["status", "category", "household_key", "from", "to"],
    exportPath: "welfare/employment/jobseekers", exportName: "失业登记", onOpen: (x) => go(`/employment/jobseekers/${x.id}`), columns: [
      { title: "姓名", render: (x) => h("a", { href: href(`/employment/jobseekers/${x.id}`) }, shown(x.name)) },
      { title: "身份证号", render: (x) => shown(x.id_number) },
      { title: "类别", render: (x) => v.categories[x.category] || x.category },
      { title: "登记日期", render: (x) => day(x.registered_on) },
      { title: "社区", render: (x) => unitName(x.org_unit_id) },
      { title: "状态", render: (x) => badge(SEEKER_STATUS[x.status] || x.status, x.status === "placed" ? "ok" : "") },
    ] }));
  return root;
}

/** The person a registration or an enrolment is about, in the unit it is filed under. */
function personFields(form) {
  return [unitField(form, "welfare:employment"),
    field(form, { name: "name", label: "姓名", required: true, maxlength: 50 }),
    field(form, { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber }),
    field(form, { name: "phone", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile })];
}

function personBody(form) {
  return { org_unit_id: form.val("org_unit_id"), name: form.val("name"), id_number: form.val("id_number").toUpperCase(),
    phone: form.val("phone") || undefined };  // an empty phone is none, not a wrong one
}

const notAhead = (v) => (v && v > todayLocal() ? "不能晚于今天" : null);

function jobseekerForm(v) {
  return formCard({ id: "jobseeker-form", title: "失业登记", heading: "h1", button: "登记", thumb: true,
    fields: (form) => [
      ...personFields(form),
      field(form, { name: "category", label: "类别", type: "select", options: v.categories, required: true }),
      field(form, { name: "household_key", label: "户号", maxlength: 64 }),
      field(form, { name: "skills", label: "技能（用顿号分隔）", maxlength: 500 }),
      field(form, { name: "wished_work", label: "求职意向", maxlength: 500 }),
      field(form, { name: "registered_on", label: "登记日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead }),
    ],
    submit: (form) => api.post(`${BASE}/jobseekers`, { ...personBody(form), category: form.val("category"),
      household_key: form.val("household_key"), skills: form.val("skills").split(/[、,，]/).map((x) => x.trim()).filter(Boolean),
      wished_work: form.val("wished_work"), registered_on: form.val("registered_on") || undefined }, { idempotent: true }),
    done: (x) => { toast("已登记"); go(`/employment/jobseekers/${x.id}`); },
  }).el;
}

async function jobseekerDetail(id, v) {
  const x = await api.get(`${BASE}/jobseekers/${encodeURIComponent(id)}`);
  const open = x.status === "registered";
  const root = h("div", { class: "jobseeker", dataset: { status: x.status } }, pageHead(`失业登记 · ${shown(x.name)}`,
    badge(SEEKER_STATUS[x.status] || x.status), h("a", { class: "button", href: href("/employment") }, "返回列表")));
  root.append(section("登记信息", dl([
    ["姓名", shown(x.name)], ["身份证号", shown(x.id_number)], ["手机号", shown(x.phone)], ["社区", unitName(x.org_unit_id)],
    ["类别", v.categories[x.category] || x.category], ["户号", shown(x.household_key)], ["技能", (x.skills || []).join("、") || "—"],
    ["求职意向", shown(x.wished_work)], ["登记日期", day(x.registered_on)],
    x.placement ? ["安置", `${day(x.placement.placed_on)} ${v.placement_kinds[x.placement.kind] || x.placement.kind}${x.placement.employer ? `，${x.placement.employer}` : ""}${x.placement.on_site ? "（现场安置）" : ""}`] : null,
    x.ended ? ["注销", `${day(x.ended.ended_on)} ${v.end_reasons[x.ended.reason] || x.ended.reason}`] : null,
    ["再就业优惠证", x.certificate ? `${x.certificate.number}（${day(x.certificate.issued_on)}）` : "未发放"],
  ])));
  if (!open) return root;
  const forms = h("div", { class: "action-forms" });
  forms.append(formCard({ id: "placement-form", title: "就业安置", button: "登记安置",
    fields: [
      { name: "kind", label: "安置方式", type: "select", options: v.placement_kinds, required: true },
      { name: "employer", label: "用人单位", maxlength: 200 },
      { name: "placed_on", label: "安置日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead },
      { name: "on_site", label: "现场安置（招聘会）", type: "checkbox" }],
    submit: (form) => api.post(`${BASE}/jobseekers/${x.id}/placement`, { kind: form.val("kind"), employer: form.val("employer"),
      placed_on: form.val("placed_on") || undefined, on_site: form.val("on_site") }),
    done: (r) => { toast(`已安置${(r.cleared_households || []).length ? `，${r.cleared_households.length} 户零就业家庭清零` : ""}`); go(`/employment/jobseekers/${x.id}`); } }).el);
  if (!x.certificate) {
    forms.append(formCard({ id: "certificate-form", title: "发放再就业优惠证", button: "发证",
      fields: [{ name: "number", label: "证号", required: true, maxlength: 64 },
        { name: "issued_on", label: "发证日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead }],
      submit: (form) => api.post(`${BASE}/jobseekers/${x.id}/certificate`, { number: form.val("number"), issued_on: form.val("issued_on") || undefined }, { idempotent: true }),
      done: () => { toast("再就业优惠证已发放"); go(`/employment/jobseekers/${x.id}`); } }).el);
  }
  forms.append(formCard({ id: "jobseeker-end-form", title: "注销登记", button: "注销", kind: "danger",
    fields: [{ name: "reason", label: "原因", type: "select", options: v.end_reasons, required: true },
      { name: "ended_on", label: "日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead },
      { name: "note", label: "说明", maxlength: 2000 }],
    submit: (form) => api.post(`${BASE}/jobseekers/${x.id}/end`, { reason: form.val("reason"), ended_on: form.val("ended_on") || undefined, note: form.val("note") }),
    done: () => { toast("登记已注销"); go(`/employment/jobseekers/${x.id}`); } }).el);
  root.append(forms);
  return root;
}

function householdForm(v) {
  const rows = [];
  let seq = 0;
  return formCard({ id: "household-form", title: "认定零就业家庭", heading: "h1", button: "认定", thumb: true,
    note: "家庭中劳动年龄成员（男16–59岁、女16–54岁）均未就业的，可认定为零就业家庭。",
    fields: (form) => {
      const box = h("div", { class: "rows field wide" });
      const add = () => {
        const key = `m${seq++}`;
        rows.push(key);
        box.append(h("fieldset", { class: "row-fields" }, h("legend", {}, `家庭成员 ${rows.length}`),
          field(form, { name: `${key}.name`, label: "姓名", required: true, maxlength: 50 }),
          field(form, { name: `${key}.id_number`, label: "身份证号", required: true, maxlength: 18, check: validators.idNumber }),
          field(form, { name: `${key}.status`, label: "就业状况", type: "select", options: v.member_statuses, required: true })));
      };
      add();
      return [unitField(form, "welfare:employment"),
        field(form, { name: "household_key", label: "户号", required: true, maxlength: 64 }),
        field(form, { name: "identified_on", label: "认定日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead }),
        box, h("div", { class: "field wide" }, h("button", { type: "button", id: "add-household-member", onclick: add }, "＋ 添加家庭成员"))];
    },
    submit: (form) => api.post(`${BASE}/zero-employment-households`, { org_unit_id: form.val("org_unit_id"), household_key: form.val("household_key"),
      identified_on: form.val("identified_on") || undefined,
      members: rows.map((k) => ({ name: form.val(`${k}.name`), id_number: form.val(`${k}.id_number`).toUpperCase(), status: form.val(`${k}.status`) })) }, { idempotent: true }),
    done: (x) => { toast("已认定为零就业家庭"); go(`/employment/households/${x.id}`); },
  }).el;
}

async function householdDetail(id, v) {
  const x = await api.get(`${BASE}/zero-employment-households/${encodeURIComponent(id)}`);
  const root = h("div", { class: "zero-household", dataset: { status: x.status } }, pageHead(`零就业家庭 · ${x.household_key}`,
    badge(HOUSEHOLD_STATUS[x.status] || x.status, x.status === "cleared" ? "ok" : "warn"), h("a", { class: "button", href: href("/employment", { tab: "households" }) }, "返回列表")));
  root.append(section("家庭信息", dl([["户号", x.household_key], ["社区", unitName(x.org_unit_id)], ["认定日期", day(x.identified_on)],
    ["已持续", `${x.days_open} 天`], ["劳动年龄人数", x.working_age_members],
    x.cleared ? ["清零", `${day(x.cleared.cleared_on || x.cleared.on)}`] : null])));
  root.append(section("家庭成员", table([{ title: "姓名", render: (m) => shown(m.name) }, { title: "身份证号", render: (m) => shown(m.id_number) },
    { title: "就业状况", render: (m) => v.member_statuses[m.status] || m.status }], x.members || [], { caption: "家庭成员" })));
  root.append(section("走访记录", table([{ title: "日期", render: (w) => day(w.visited_on) }, { title: "情况", render: (w) => w.note }],
    x.visits || [], { caption: "走访记录", empty: "尚无走访" })));
  if (x.status === "open") {
    root.append(formCard({ id: "household-visit-form", title: "记录走访", button: "保存走访", thumb: true,
      fields: [{ name: "note", label: "走访情况", type: "textarea", required: true, maxlength: 2000, rows: 4 },
        { name: "visited_on", label: "走访日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead }],
      submit: (form) => api.post(`${BASE}/zero-employment-households/${x.id}/visits`, { note: form.val("note"), visited_on: form.val("visited_on") || undefined }),
      done: () => { toast("走访已保存"); go(`/employment/households/${x.id}`); } }).el);
  }
  return root;
}

function enrolmentForm(v) {
  const year = Number(todayLocal().slice(0, 4));
  return formCard({ id: "enrolment-form", title: "城镇居民医保参保登记", heading: "h1", button: "登记参保", thumb: true,
    fields: (form) => [
      ...personFields(form),
      field(form, { name: "year", label: "参保年度", type: "select", options: { [year - 1]: `${year - 1}`, [year]: `${year}`, [year + 1]: `${year + 1}` }, required: true, value: String(year) }),
      field(form, { name: "category", label: "类别", type: "select", options: v.insurance_categories, required: true, value: "adult" }),
      field(form, { name: "enrolled_on", label: "参保日期", type: "date", value: todayLocal(), max: todayLocal(), check: notAhead }),
    ],
    submit: (form) => api.post(`${BASE}/medical-insurance-enrolments`, { ...personBody(form), year: Number(form.val("year")), category: form.val("category"),
      enrolled_on: form.val("enrolled_on") || undefined }, { idempotent: true }),
    done: () => { toast("已登记参保"); go("/employment", { tab: "enrolments" }); },
  }).el;
}

