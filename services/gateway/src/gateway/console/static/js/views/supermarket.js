// 爱心超市: stock with its in-kind value, low-stock alerts, goods in and out, donations, hand-outs, stock-takes and
// love-coin redemptions (the volunteer pays with coins; the goods are held until the coins are reserved).
import { api, everyItem } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { badge, dateTime, dl, field, h, section, table, toast, toFen, validators, yuan } from "../ui.js";
import {
  PERIOD_FILTERS, communityChoices, filterBar, filtersOf, formCard, linkButton, listSection, pageHead, tabBar, unitField,
} from "./welfare_kit.js";

const KINDS = { donation: "捐赠入库", opening: "期初库存", handout: "发放", redemption: "爱心币兑换" };
const DONORS = { resident: "居民", co_building_unit: "共建单位", other: "其他" };
const REDEMPTION = { holding: "备货中", awaiting_coins: "等待扣减爱心币", handed_out: "已兑换", cancelled: "已取消" };
const CANCELLED = { coins_refused: "爱心币不足或被拒", out_of_stock: "库存不足", timed_out: "超时未扣减", cancelled_by_staff: "工作人员取消" };

register("supermarket", async ({ parts, params }) => {
  if (parts[0] === "donate") return donationForm();
  if (parts[0] === "handout") return handoutForm(params);
  if (parts[0] === "stocktake") return stocktakeForm();
  if (parts[0] === "redeem") return redemptionForm();
  if (parts[0] === "redemptions" && parts[1]) return redemptionDetail(parts[1]);
  return overview(params);
});

async function overview(params) {
  const tab = params.get("tab") || "stock";
  const goods = can("welfare:goods");
  const root = h("div", {}, pageHead(`爱心超市 · ${unitName(state.org)}`,
    goods ? linkButton("＋ 捐赠入库", "/supermarket/donate", {}, { id: "go-donate" }) : null,
    goods ? linkButton("发放物资", "/supermarket/handout", {}, { id: "go-handout" }) : null,
    goods ? linkButton("盘点", "/supermarket/stocktake", {}, { id: "go-stocktake" }) : null,
    goods ? linkButton("爱心币兑换", "/supermarket/redeem", {}, { id: "go-redeem" }) : null));
  root.append(tabBar("/supermarket", tab, [["stock", "库存"], ["alerts", "库存预警"], ["movements", "出入库记录"], ["redemptions", "爱心币兑换"]]));
  const page = params.get("page");
  if (tab === "movements") {
    const names = ["kind", "household", "from", "to"];
    const household = params.get("household");
    root.append(filterBar("/supermarket", params, [
      { name: "kind", label: "类别", type: "select", options: KINDS },
      { name: "household", label: "领取家庭编号", maxlength: 80 }, ...PERIOD_FILTERS], { tab }));
    root.append(await listSection({ title: "出入库记录", id: "movements", path: "/api/v1/welfare/goods/movements",
      query: { org_unit: state.org, ...filtersOf(params, ["kind", "from", "to"]), recipient: household ? `household:${household}` : undefined, page }, route: "/supermarket", keep: { tab, ...filtersOf(params, names) },
      oldestFirst: true, exportPath: "welfare/goods/movements", exportName: `爱心超市出入库-${unitName(state.org)}`, columns: [
        { title: "时间", render: (m) => dateTime(m.at) },
        { title: "社区", render: (m) => unitName(m.org_unit_id) },
        { title: "类别", render: (m) => KINDS[m.kind] || m.kind },
        { title: "物品", render: (m) => m.name },
        { title: "数量", class: "num", render: (m) => `${m.quantity} ${m.unit || ""}` },
        { title: "折价(元)", class: "num", render: (m) => yuan(m.value_fen) },
        { title: "捐赠人 / 领取人", render: (m) => m.donor || [m.recipient_name, (m.recipient || "").replace(/^household:/, "家庭 ")].filter(Boolean).join("，") },
      ] }));
    return root;
  }
  if (tab === "redemptions") {
    const names = ["status", "volunteer_id", "from", "to"];
    root.append(filterBar("/supermarket", params, [
      { name: "status", label: "状态", type: "select", options: REDEMPTION },
      { name: "volunteer_id", label: "志愿者编号", maxlength: 80 }, ...PERIOD_FILTERS], { tab }));
    root.append(await listSection({ title: "爱心币兑换", id: "redemptions", path: "/api/v1/welfare/goods/redemptions",
      query: { org_unit: state.org, ...filtersOf(params, names), page }, route: "/supermarket", keep: { tab, ...filtersOf(params, names) },
      exportPath: "welfare/goods/redemptions", exportName: `爱心币兑换-${unitName(state.org)}`, empty: "没有符合条件的兑换",
      columns: [
        { title: "提交时间", render: (r) => dateTime(r.created_at) },
        { title: "社区", render: (r) => unitName(r.org_unit_id) },
        { title: "兑换单号", render: (r) => h("a", { href: href(`/supermarket/redemptions/${encodeURIComponent(r.id)}`) }, r.id) },
        { title: "志愿者编号", render: (r) => r.volunteer_id },
        { title: "物品", render: (r) => (r.lines || []).map((l) => `${l.name || l.item_id}×${l.quantity}`).join("，") },
        { title: "爱心币", class: "num", render: (r) => r.coins },
        { title: "状态", render: (r) => badge(REDEMPTION[r.status] || r.status, r.status === "handed_out" ? "ok" : "") },
      ] }));
    root.append(formCard({ id: "find-redemption", title: "按兑换单号查询", button: "查询", kind: "",
      fields: [{ name: "id", label: "兑换单号", required: true, maxlength: 120 }],
      submit: async (form) => form.val("id"), done: (id) => go(`/supermarket/redemptions/${encodeURIComponent(id)}`) }).el);
    return root;
  }
  const alerts = tab === "alerts";
  if (!alerts) root.append(filterBar("/supermarket", params, [{ name: "low_only", label: "只看库存不足", type: "select", options: { true: "是" } }], { tab }));
  const lowOnly = params.get("low_only") || undefined;
  root.append(await listSection({ title: alerts ? "库存预警" : "库存", id: alerts ? "alerts" : "stock",
    path: alerts ? "/api/v1/welfare/goods/alerts" : "/api/v1/welfare/goods/stock",
    query: { org_unit: state.org, low_only: alerts ? undefined : lowOnly, page }, route: "/supermarket", keep: { tab, low_only: lowOnly },
    exportPath: alerts ? "welfare/goods/alerts" : "welfare/goods/stock", exportName: `爱心超市库存-${unitName(state.org)}`,
    empty: alerts ? "没有库存不足的物品" : "暂无库存", columns: stockColumns(goods) }));
  return root;
}

function stockColumns(goods) {
  return [
    { title: "社区", render: (s) => unitName(s.org_unit_id) },
    { title: "物品", render: (s) => s.name },
    { title: "库存", class: "num", render: (s) => `${s.quantity} ${s.unit}` },
    { title: "预留", class: "num", render: (s) => s.held || 0 },
    { title: "预警线", class: "num", render: (s) => s.low_stock_at ?? "—" },
    { title: "单价(元)", class: "num", render: (s) => yuan(s.unit_value_fen) },
    { title: "库存折价(元)", class: "num", render: (s) => yuan(s.stock_value_fen) },
    { title: "兑换爱心币", class: "num", render: (s) => s.coin_price ?? "—" },
    { title: "状态", render: (s) => (s.low_stock ? badge("库存不足", "danger") : badge("正常", "ok")) },
    goods ? { title: "操作", render: (s) => h("a", { href: href("/supermarket/handout", { item: s.item_id }) }, "发放") } : null,
  ].filter(Boolean);
}

/** The stock items of the communities the user may move goods in, as {item_id: "name（社区，库存 n）"}. */
async function items(forCoins = false) {
  const communities = communityChoices("welfare:goods");
  const stock = await everyItem("/api/v1/welfare/goods/stock", { org_unit: state.org });
  return Object.fromEntries(stock.filter((s) => communities[s.org_unit_id] && (!forCoins || s.coin_price))
    .map((s) => [s.item_id, `${s.name}（${unitName(s.org_unit_id)}，库存 ${s.quantity} ${s.unit}${forCoins ? `，${s.coin_price} 爱心币` : ""}）`]));
}

function donationForm() {
  return formCard({ id: "donation-form", title: "捐赠入库", heading: "h1", button: "入库",
    note: "同一物品编码再次入库时累加库存。",
    fields: (form) => [
      unitField(form, "welfare:goods"),
      field(form, { name: "name", label: "物品名称", required: true, maxlength: 50 }),
      field(form, { name: "sku", label: "物品编码", required: true, maxlength: 40, hint: "小写字母、数字和-，如 rice-5kg",
        check: (v) => (/^[a-z0-9][a-z0-9-]{0,39}$/.test(v) ? null : "小写字母、数字和-，如 rice-5kg") }),
      field(form, { name: "unit", label: "单位", required: true, maxlength: 10, value: "件" }),
      field(form, { name: "quantity", label: "数量", type: "number", min: 1, max: 100000, required: true }),
      field(form, { name: "unit_value", label: "单价(元)", check: validators.yuan }),
      field(form, { name: "donor", label: "捐赠人", required: true, maxlength: 100 }),
      field(form, { name: "donor_kind", label: "捐赠人类别", type: "select", options: DONORS, required: true, value: "resident" }),
      field(form, { name: "coin_price", label: "兑换所需爱心币", type: "number", min: 0, max: 100000 }),
      field(form, { name: "low_stock_at", label: "预警线（库存不高于时提醒）", type: "number", min: 0, max: 100000 }),
    ],
    aliases: { unit_value_fen: "unit_value" },
    submit: (form) => api.post("/api/v1/welfare/goods/donations", {
      org_unit_id: form.val("org_unit_id"), name: form.val("name"), sku: form.val("sku"), unit: form.val("unit"),
      quantity: form.val("quantity"), donor: form.val("donor"), donor_kind: form.val("donor_kind"),
      unit_value_fen: form.val("unit_value") ? toFen(form.val("unit_value")) : undefined,
      coin_price: form.val("coin_price") ?? undefined, low_stock_at: form.val("low_stock_at") ?? undefined,
    }, { idempotent: true }),
    done: (m) => { toast(`已入库 ${m.name} ${m.quantity} ${m.unit || ""}`); go("/supermarket", { tab: "stock" }); },
  }).el;
}

async function handoutForm(params) {
  const choices = await items();
  return formCard({ id: "handout-form", title: "发放物资", heading: "h1", button: "发放",
    note: "库存不足时不发放，库存不变。",
    fields: (form) => [
      field(form, { name: "item_id", label: "物品", type: "select", options: choices, required: true, value: params.get("item") }),
      field(form, { name: "quantity", label: "数量", type: "number", min: 1, max: 100000, required: true, value: 1 }),
      field(form, { name: "household_id", label: "家庭编号", required: true, maxlength: 80 }),
      field(form, { name: "recipient_name", label: "领取人", maxlength: 50 }),
      field(form, { name: "grant_id", label: "救助编号（可不填）", maxlength: 120 }),
    ],
    submit: (form) => api.post("/api/v1/welfare/goods/handouts", {
      item_id: form.val("item_id"), quantity: form.val("quantity"), household_id: form.val("household_id"),
      recipient_name: form.val("recipient_name"), grant_id: form.val("grant_id") || undefined }, { idempotent: true }),
    done: (m) => { toast(`已发放 ${m.name} ${m.quantity} ${m.unit || ""}`); go("/supermarket", { tab: "movements", kind: "handout" }); },
  }).el;
}

async function stocktakeForm() {
  const communities = communityChoices("welfare:goods");
  const here = communities[state.org] ? state.org : Object.keys(communities)[0];
  if (!here) return h("div", { class: "card" }, h("h1", {}, "盘点"), h("p", {}, "请先在左侧选择一个社区。"));
  const found = { items: await everyItem("/api/v1/welfare/goods/stock", { org_unit: here }) };
  return formCard({ id: "stocktake-form", title: `盘点 · ${unitName(here)}`, heading: "h1", button: "提交盘点",
    note: "填写实盘数量；与账面不同的须说明原因。未填写的物品不变。",
    fields: (form) => found.items.map((s, i) => h("fieldset", { class: "row-fields", dataset: { item: s.item_id } },
      h("legend", {}, `${s.name}（账面 ${s.quantity} ${s.unit}）`),
      field(form, { name: `l${i}.counted`, label: `${s.name} 实盘数量`, type: "number", min: 0, max: 1000000 }),
      field(form, { name: `l${i}.reason`, label: `${s.name} 差异原因`, maxlength: 500,
        check: (v, f) => { const c = f.val(`l${i}.counted`); return c !== null && c !== s.quantity && !v ? "与账面不同，请说明原因" : null; } }))),
    aliases: Object.fromEntries(found.items.flatMap((s, i) => [[`lines.${i}.counted`, `l${i}.counted`], [`lines.${i}.reason`, `l${i}.reason`]])),
    submit: (form) => api.post("/api/v1/welfare/goods/stocktakes", { org_unit_id: here,
      lines: found.items.map((s, i) => ({ item_id: s.item_id, counted: form.val(`l${i}.counted`), reason: form.val(`l${i}.reason`) }))
        .filter((l) => l.counted !== null) }),
    done: () => { toast("盘点已保存"); go("/supermarket", { tab: "stock" }); },
  }).el;
}

async function redemptionForm() {
  const choices = await items(true);
  return formCard({ id: "redemption-form", title: "爱心币兑换", heading: "h1", button: "兑换",
    note: "物品先预留，志愿者的爱心币扣减后发放；爱心币不足时自动取消。",
    fields: (form) => [
      unitField(form, "welfare:goods"),
      field(form, { name: "volunteer_id", label: "志愿者编号", required: true, maxlength: 80 }),
      field(form, { name: "item_id", label: "物品", type: "select", options: choices, required: true }),
      field(form, { name: "quantity", label: "数量", type: "number", min: 1, max: 1000, required: true, value: 1 }),
    ],
    aliases: { items: "item_id", "items.0.item_id": "item_id", "items.0.quantity": "quantity" },
    submit: (form) => api.post("/api/v1/welfare/goods/redemptions", { org_unit_id: form.val("org_unit_id"),
      volunteer_id: form.val("volunteer_id"), items: [{ item_id: form.val("item_id"), quantity: form.val("quantity") }] }, { idempotent: true }),
    done: (r) => { toast("兑换已提交"); go(`/supermarket/redemptions/${r.id}`); },
  }).el;
}

async function redemptionDetail(id) {
  const r = await api.get(`/api/v1/welfare/goods/redemptions/${encodeURIComponent(id)}`);
  const root = h("div", { class: "redemption", dataset: { status: r.status } }, pageHead(`爱心币兑换 · ${r.id}`,
    badge(REDEMPTION[r.status] || r.status), h("a", { class: "button", href: href("/supermarket", { tab: "redemptions" }) }, "返回")));
  root.append(section("兑换信息", dl([["社区", unitName(r.org_unit_id)], ["志愿者编号", r.volunteer_id], ["爱心币", r.coins],
    ["提交时间", dateTime(r.created_at)], r.finished_at ? ["完成时间", dateTime(r.finished_at)] : null,
    r.cancel_reason ? ["取消原因", CANCELLED[r.cancel_reason] || r.cancel_reason] : null])));
  root.append(section("物品", table([{ title: "物品", render: (l) => l.name || l.item_id }, { title: "数量", class: "num", render: (l) => l.quantity },
    { title: "爱心币", class: "num", render: (l) => l.coins ?? "—" }], r.lines || [], { caption: "兑换物品" })));
  if (["holding", "awaiting_coins"].includes(r.status) && can("welfare:goods")) {
    root.append(formCard({ id: "cancel-redemption", title: "取消兑换", button: "取消兑换", kind: "danger", fields: [],
      note: "预留的物品放回库存，爱心币不扣减。",
      submit: () => api.post(`/api/v1/welfare/goods/redemptions/${r.id}/cancel`, {}),
      done: () => { toast("兑换已取消"); go(`/supermarket/redemptions/${r.id}`); } }).el);
  }
  return root;
}

