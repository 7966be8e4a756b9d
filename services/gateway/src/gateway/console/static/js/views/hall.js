// 一站式服务大厅: the catalogue (服务事项), taking a resident's matter with 一次性告知 of what is missing,
// 补齐材料 / 办理中 / 转办 / 办结 / 退件, the window services tallied at the counter, and the figures per worker.
import { api, everyItem } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { badge, dateTime, day, dl, field, h, section, todayLocal, validators } from "../ui.js";
import { actionForm, filterBar, listCard, preferred, queryFrom, tabLinks, unitsWhere, yesNo } from "./casework.js";

const STATES = { pending_materials: "补齐材料", accepted: "受理", in_progress: "办理中", referred: "转办", completed: "办结", returned: "退件" };
const WINDOW_KINDS = { consultation: "咨询", policy_explanation: "政策解答", form_filling: "代填表格", certificate: "开具证明", referral: "引导分流", other: "其他" };
const TAB_NAMES = [["matters", "办件"], ["items", "服务事项"], ["window", "窗口服务"], ["stats", "工作量"]];

register("hall", async ({ parts, params }) => {
  if (parts[0] === "new") return receive(params);
  if (parts[0]) return matter(parts[0]);
  return lists(params);
});

/** The catalogue, every page of it (it is short: tens of items), asked once per page load. */
let catalogue = null;
async function items() {
  if (!catalogue) {
    catalogue = everyItem("/api/v1/petition/hall/items").catch((e) => { catalogue = null; throw e; });
  }
  return catalogue;
}
function offices(list) {
  return Object.fromEntries(list.map((i) => [i.office, i.office_name || i.office]));
}

async function lists(params) {
  const tab = params.get("tab") || "matters";
  const list = await items();
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, `一站式服务大厅 · ${unitName(state.org)}`),
    can("petition:hall") ? h("a", { class: "button primary", href: href("/hall/new"), id: "new-matter" }, "＋ 受理办件") : null));
  root.append(tabLinks("/hall", tab, TAB_NAMES, "大厅"));
  const keep = { tab };
  const itemNames = Object.fromEntries(list.map((i) => [i.code, i.name]));
  if (tab === "items") {
    root.append(filterBar("/hall", params, [{ name: "office", label: "业务口", type: "select", options: offices(list) }], keep));
    root.append(await listCard({ title: "服务事项", path: "petition/hall/items", query: queryFrom(params, ["office"]), params, route: "/hall", keep, id: "hall-items",
      columns: [
        { title: "事项", render: (i) => i.name }, { title: "业务口", render: (i) => i.office_name || i.office },
        { title: "材料清单", render: (i) => (i.materials || []).join("、") },
        { title: "承诺时限", class: "num", render: (i) => `${i.time_limit_days} 个工作日` },
        { title: "全程代办", render: (i) => yesNo(i.on_behalf, "可代办", "—") },
        { title: "", render: (i) => h("a", { href: href("/hall/new", { item: i.code }) }, "受理此事项") }] }));
    return root;
  }
  if (tab === "window") {
    root.append(filterBar("/hall", params, [
      { name: "office", label: "业务口", type: "select", options: offices(list) },
      { name: "kind", label: "服务类型", type: "select", options: WINDOW_KINDS },
      { name: "from", label: "自", type: "date" }, { name: "to", label: "至", type: "date" }], keep));
    root.append(await listCard({ title: "窗口服务记录", path: "petition/hall/window-services", id: "window-list",
      query: queryFrom(params, ["office", "kind", "from", "to"], { org_unit: state.org }), params, route: "/hall", keep,
      exportName: `窗口服务-${unitName(state.org)}`,
      columns: [
        { title: "时间", render: (w) => dateTime(w.served_at) }, { title: "社区", render: (w) => unitName(w.org_unit_id) },
        { title: "业务口", render: (w) => offices(list)[w.office] || w.office }, { title: "类型", render: (w) => WINDOW_KINDS[w.kind] || w.kind },
        { title: "工作人员", render: (w) => (w.worker || {}).name || "" }, { title: "说明", render: (w) => w.note || "" }] }));
    const targets = unitsWhere("petition:hall");
    if (Object.keys(targets).length) {
      root.append(actionForm({ id: "window-form", title: "登记窗口服务", button: "登记", specs: [
        { name: "org_unit_id", label: "大厅所在单位", type: "select", options: targets, required: true, value: preferred(targets) },
        { name: "office", label: "业务口", type: "select", options: offices(list), required: true },
        { name: "kind", label: "服务类型", type: "select", options: WINDOW_KINDS, required: true, value: "consultation" },
        { name: "note", label: "说明", type: "textarea", maxlength: 500, keepEmpty: true }],
      submit: (body) => api.post("/api/v1/petition/hall/window-services", body, { idempotent: true }),
      done: () => go("/hall", { tab: "window" }) }));
    }
    return root;
  }
  if (tab === "stats") {
    const from = params.get("from") || `${todayLocal().slice(0, 7)}-01`;
    const to = params.get("to") || todayLocal();
    root.append(filterBar("/hall", params, [{ name: "from", label: "自", type: "date", value: from }, { name: "to", label: "至", type: "date", value: to }], keep));
    const card = section("各工作人员工作量");
    card.id = "hall-stats";
    try {
      const s = await api.get("/api/v1/petition/hall/stats", { org_unit: state.org, from, to });
      const kinds = Object.keys(WINDOW_KINDS);
      card.append(dl([["窗口服务", `${s.window_services} 次`], ["受理办件", `${s.matters_accepted} 件`]]),
        h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "sr-only" }, "各工作人员工作量"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "工作人员"), h("th", { scope: "col", class: "num" }, "受理办件"),
            h("th", { scope: "col", class: "num" }, "窗口服务"), kinds.map((k) => h("th", { scope: "col", class: "num" }, WINDOW_KINDS[k])))),
          h("tbody", {}, (s.workers || []).length ? s.workers.map((w) => h("tr", { dataset: { worker: w.user_id } }, h("td", {}, w.name || w.user_id),
            h("td", { class: "num" }, String(w.matters_accepted)), h("td", { class: "num" }, String(w.window_services)),
            kinds.map((k) => h("td", { class: "num" }, String((w.by_kind || {})[k] || 0)))))
            : h("tr", {}, h("td", { colspan: 3 + kinds.length, class: "empty" }, "这段时间没有记录"))))));
    } catch (err) { card.append(h("p", { class: "form-error", role: "alert" }, `无法读取：${err.message}`)); }
    root.append(card);
    return root;
  }
  root.append(filterBar("/hall", params, [
    { name: "status", label: "状态", type: "select", options: STATES },
    { name: "item", label: "事项", type: "select", options: itemNames },
    { name: "office", label: "业务口", type: "select", options: offices(list) },
    { name: "from", label: "收件自", type: "date" }, { name: "to", label: "至", type: "date" },
    { name: "overdue", label: "只看超时", type: "checkbox" }, { name: "on_behalf", label: "只看代办", type: "checkbox" }], keep));
  root.append(await listCard({ title: "办件", path: "petition/hall/matters", id: "matter-list",
    query: queryFrom(params, ["status", "item", "office", "from", "to", "overdue", "on_behalf"], { org_unit: state.org }),
    params, route: "/hall", keep, exportName: `一站式办件-${unitName(state.org)}`, onOpen: (m) => go(`/hall/${m.id}`),
    columns: [
      { title: "收件", render: (m) => dateTime(m.received_at) }, { title: "事项", render: (m) => h("a", { href: href(`/hall/${m.id}`) }, m.item_name || m.item) },
      { title: "居民", render: (m) => (m.resident || {}).name || "" }, { title: "业务口", render: (m) => m.office_name || m.office },
      { title: "状态", render: (m) => badge(STATES[m.state] || m.status || m.state, m.state === "completed" ? "ok" : m.state === "returned" ? "danger" : "") },
      { title: "办结期限", render: (m) => (m.due_date ? [day(m.due_date), m.overdue ? [" ", badge("超时", "danger")] : null] : "") },
      { title: "缺少材料", render: (m) => (m.materials_missing || []).join("、") }] }));
  return root;
}

// ---- 受理: the materials brought are ticked; what is missing is told once, all of it (一次性告知)

async function receive(params) {
  const list = await items();
  const targets = unitsWhere("petition:hall");
  const byCode = Object.fromEntries(list.map((i) => [i.code, i]));
  const root = h("div", {});
  root.append(h("div", { class: "page-head" }, h("h1", {}, "受理办件"), h("a", { class: "button", href: href("/hall") }, "返回大厅")));
  if (!Object.keys(targets).length) { root.append(h("p", { class: "card" }, "您在这里没有受理办件的权限。")); return root; }
  const materialsBox = h("fieldset", { class: "materials", id: "materials" }, h("legend", {}, "收到的材料"));
  const renderMaterials = (form) => {
    const it = byCode[form.val("item")];
    form.remove("m:");
    materialsBox.replaceChildren(h("legend", {}, it ? `收到的材料（${it.name}：${it.time_limit_days} 个工作日办结${it.on_behalf ? "，可全程代办" : ""}）` : "收到的材料（先选事项）"));
    if (it) for (const [i, m] of (it.materials || []).entries()) materialsBox.append(field(form, { name: `m:${i}`, label: m, type: "checkbox" }));
    const behalf = form.get("on_behalf");
    if (behalf) { behalf.wrap.hidden = !(it && it.on_behalf); if (behalf.wrap.hidden) behalf.input.checked = false; }
  };
  const el = actionForm({ id: "matter-form", title: "居民办件", button: "受理", specs: [
    { name: "org_unit_id", label: "大厅所在单位", type: "select", options: targets, required: true, value: preferred(targets) },
    { name: "item", label: "服务事项", type: "select", options: Object.fromEntries(list.map((i) => [i.code, `${i.name}（${i.office_name || i.office}）`])), required: true, value: params.get("item") },
    { name: "name", label: "居民姓名", required: true, maxlength: 50 },
    { name: "id_number", label: "身份证号", required: true, maxlength: 18, check: validators.idNumber },
    { name: "mobile", label: "手机号", type: "tel", maxlength: 11, check: validators.mobile },
    { name: "on_behalf", label: "全程代办", type: "checkbox" },
    { name: "note", label: "备注", type: "textarea", maxlength: 1000, keepEmpty: true }],
  extra: () => materialsBox,
  aliases: { "resident.name": "name", "resident.id_number": "id_number", "resident.mobile": "mobile" },
  submit: (body, form) => {
    const it = byCode[body.item];
    const materials = (it ? it.materials : []).filter((_, i) => form.val(`m:${i}`));
    return api.post("/api/v1/petition/hall/matters", { org_unit_id: body.org_unit_id, item: body.item, on_behalf: body.on_behalf,
      note: body.note || "", materials, resident: { name: body.name, id_number: body.id_number, mobile: body.mobile } }, { idempotent: true });
  },
  done: (m) => go(`/hall/${m.id}`) });
  el.form.get("item").input.addEventListener("change", () => renderMaterials(el.form));
  renderMaterials(el.form);
  root.append(el);
  return root;
}

async function matter(id) {
  const m = await api.get(`/api/v1/petition/hall/matters/${encodeURIComponent(id)}`);
  const root = h("div", { class: "matter-detail", dataset: { state: m.state } });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `${m.item_name || m.item} · ${(m.resident || {}).name || ""}`),
    badge(STATES[m.state] || m.state, m.state === "completed" ? "ok" : m.state === "returned" ? "danger" : ""),
    h("a", { class: "button", href: href("/hall") }, "返回大厅")));
  if ((m.materials_missing || []).length && m.state === "pending_materials") {
    root.append(h("section", { class: "card notice", id: "tell-once", role: "note" }, h("h2", {}, "一次性告知：还需补齐以下材料"),
      h("ol", {}, m.materials_missing.map((x) => h("li", {}, x))), h("p", { class: "hint" }, "材料补齐后即予受理，并开始计算办结时限。")));
  }
  root.append(section("办件情况", dl([
    ["编号", m.id], ["大厅", unitName(m.org_unit_id)], ["业务口", m.office_name || m.office],
    ["居民", `${(m.resident || {}).name || ""} ${(m.resident || {}).id_number || ""} ${(m.resident || {}).mobile || ""}`],
    ["全程代办", m.on_behalf ? "是" : "否"], ["收件", dateTime(m.received_at)], ["受理", dateTime(m.accepted_at)],
    ["办结期限", m.due_date ? [day(m.due_date), `（${m.time_limit_days} 个工作日）`, m.overdue ? [" ", badge("超时", "danger")] : null] : "材料补齐后计算"],
    ["已收材料", (m.materials_received || []).join("、") || "—"],
    m.completed_at ? ["办结", [dateTime(m.completed_at), " ", m.on_time === false ? badge("超时办结", "danger") : badge("按时", "ok")]] : null,
    m.returned_at ? ["退件", `${dateTime(m.returned_at)} ${m.return_reason || ""}`] : null,
  ])));
  if (!can("petition:hall")) return root;
  const act = (action, title, specs, intro) => actionForm({ id: `${action}-form`, title, specs, intro,
    submit: (body) => api.post(`/api/v1/petition/hall/matters/${m.id}/${action}`, body), done: () => go(`/hall/${m.id}`) });
  const forms = h("div", { class: "action-forms" });
  const note = [{ name: "note", label: "说明", type: "textarea", maxlength: 1000, keepEmpty: true }];
  if (m.state === "pending_materials") {
    const el = actionForm({ id: "materials-form", title: "补齐材料", button: "收下材料",
      specs: (m.materials_missing || []).map((x, i) => ({ name: `m:${i}`, label: x, type: "checkbox", local: true })),
      submit: (_, form) => api.post(`/api/v1/petition/hall/matters/${m.id}/materials`,
        { materials: m.materials_missing.filter((_x, i) => form.val(`m:${i}`)) }),
      done: () => go(`/hall/${m.id}`) });
    forms.append(el);
  }
  if (["accepted", "referred"].includes(m.state)) forms.append(act("progress", "开始办理", note));
  if (["accepted", "in_progress"].includes(m.state)) forms.append(act("refer", "转办", note, h("p", { class: "hint" }, `转交${m.office_name || "业务口"}办理。`)));
  if (["accepted", "in_progress", "referred"].includes(m.state)) forms.append(act("complete", "办结", note));
  if (["pending_materials", "accepted", "in_progress", "referred"].includes(m.state)) {
    forms.append(act("return", "退件", [{ name: "reason", label: "退件理由", type: "textarea", required: true, maxlength: 1000 }]));
  }
  if (forms.childElementCount) root.append(forms);
  return root;
}
