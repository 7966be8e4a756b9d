// 爱心基金: an org unit's charity fund — balance and totals, its ledger, donations in, grants asked for and decided.
import { api } from "../api.js";
import { can, go, register, state, unit, unitName } from "../app.js";
import { badge, dateTime, dl, field, h, toast, toFen, validators, yuan } from "../ui.js";
import { PERIOD_FILTERS, filterBar, filtersOf, formCard, listSection, loaded, pageHead, shown, tabBar } from "./welfare_kit.js";

const DONORS = { resident: "居民", co_building_unit: "共建单位", other: "其他" };
const ENTRY = { donation: "捐款", grant: "资助" };
const GRANT = { requested: "待审批", paying: "支付中", paid: "已支付", rejected: "未批准" };
const OPEN = "requested,paying";  // what waits for a decision (a payment a crash interrupted is finished by approving)

register("fund", async ({ params }) => {
  const org = state.org;
  const path = (unit(org) || {}).path;
  const root = h("div", {}, pageHead(`爱心基金 · ${unitName(org)}`));
  root.append(await loaded("基金账户", () => api.get(`/api/v1/welfare/fund/${encodeURIComponent(org)}`), (a) =>
    h("div", { id: "fund-account", dataset: { balanceFen: String(a.balance_fen) } }, dl([
      ["余额", `${yuan(a.balance_fen)} 元`], ["累计收入", `${yuan(a.total_in_fen)} 元`], ["累计支出", `${yuan(a.total_out_fen)} 元`],
      ["账目合计", `${yuan(a.ledger_sum_fen)} 元${a.ledger_sum_fen === a.balance_fen ? "（与余额一致）" : "（与余额不一致，请联系管理员）"}`]]))));
  const forms = h("div", { class: "action-forms" });
  if (can("welfare:fund", path)) forms.append(donationForm(org));
  if (can("welfare:review", path) || can("welfare:fund", path)) forms.append(grantRequestForm(org, path));
  if (can("welfare:fund", path)) forms.append(decisionForm());
  if (forms.childElementCount) root.append(forms);
  const tab = params.get("tab") || "entries";
  root.append(tabBar("/fund", tab, [["entries", "收支明细"], ["grants", "资助申请"]]));
  if (tab === "grants") return grantList(root, params, path);
  const names = ["from", "to"];
  root.append(filterBar("/fund", params, PERIOD_FILTERS));
  root.append(await listSection({ title: "基金收支明细", id: "fund-entries", path: `/api/v1/welfare/fund/${encodeURIComponent(org)}/entries`,
    query: { ...filtersOf(params, names), page: params.get("page") }, route: "/fund", keep: filtersOf(params, names),
    oldestFirst: true, exportPath: `welfare/fund/${org}/entries`, exportName: `爱心基金收支-${unitName(org)}`, columns: [
      { title: "时间", render: (e) => dateTime(e.at) },
      { title: "类别", render: (e) => ENTRY[e.kind] || e.kind },
      { title: "捐款人 / 受助人", render: (e) => e.party || "" },
      { title: "金额(元)", class: "num", render: (e) => h("span", { class: e.amount_fen < 0 ? "neg" : "pos" }, yuan(e.amount_fen)) },
      { title: "余额(元)", class: "num", render: (e) => yuan(e.balance_after_fen) },
    ] }));
  return root;
});

/** 资助申请: the grants asked of the funds here and below, the open ones first shown; 审批 fills the decision form. */
async function grantList(root, params, path) {
  const tab = "grants";
  const names = ["recipient", "from", "to"];
  const status = params.get("status") || OPEN;  // "all": every state
  root.append(filterBar("/fund", params, [
    { name: "status", label: "状态", type: "select", value: OPEN, required: true,
      options: { [OPEN]: "待审批（含支付中）", all: "全部", paid: GRANT.paid, rejected: GRANT.rejected } },
    { name: "recipient", label: "受助人（与申请时填写的一致）", maxlength: 100 }, ...PERIOD_FILTERS], { tab }));
  const filters = { ...filtersOf(params, names), status: status === "all" ? undefined : status };
  const decide = can("welfare:fund", path);
  root.append(await listSection({ title: "资助申请", id: "fund-grants", path: "/api/v1/welfare/fund/grants",
    query: { org_unit: state.org, ...filters, page: params.get("page") }, route: "/fund",
    keep: { tab, ...filtersOf(params, names), status }, exportPath: "welfare/fund/grants", exportName: `爱心基金资助申请-${unitName(state.org)}`,
    empty: "没有符合条件的资助申请", columns: [
      { title: "申请时间", render: (g) => dateTime(g.requested_at) },
      { title: "社区", render: (g) => unitName(g.org_unit_id) },
      { title: "编号", render: (g) => g._id },
      { title: "受助人", render: (g) => shown(g.recipient) },
      { title: "事由", render: (g) => shown(g.reason) },
      { title: "金额(元)", class: "num", render: (g) => yuan(g.amount_fen) },
      { title: "状态", render: (g) => badge(GRANT[g.status] || g.status, g.status === "paid" ? "ok" : "") },
      decide ? { title: "操作", render: (g) => (["requested", "paying"].includes(g.status) ? h("button", { type: "button", class: "decide",
        "aria-label": `审批 ${g._id}`, onclick: () => {
          const input = document.querySelector("#fund-decision-form [name=grant_id]");
          input.value = g._id;
          input.dispatchEvent(new Event("input", { bubbles: true }));
          input.focus();
        } }, "审批") : "—") } : null,
    ].filter(Boolean) }));
  return root;
}

function donationForm(org) {
  return formCard({ id: "fund-donation-form", title: "接收捐款", button: "入账",
    fields: (form) => [
      field(form, { name: "donor", label: "捐款人", required: true, maxlength: 100 }),
      field(form, { name: "donor_kind", label: "捐款人类别", type: "select", options: DONORS, required: true, value: "resident" }),
      field(form, { name: "amount", label: "金额(元)", required: true, check: validators.yuan }),
    ],
    aliases: { amount_fen: "amount" },
    submit: (form) => api.post("/api/v1/welfare/fund/donations", { org_unit_id: org, donor: form.val("donor"),
      donor_kind: form.val("donor_kind"), amount_fen: toFen(form.val("amount")) }, { idempotent: true }),
    done: (e) => { toast(`已入账 ${yuan(e.amount_fen)} 元`); go("/fund"); },
  }).el;
}

/** A grant asked for; who holds welfare:fund decides it below, or from the 资助申请 list. */
function grantRequestForm(org, path) {
  const result = h("div", { id: "fund-grant-result", "aria-live": "polite" });
  const { el } = formCard({ id: "fund-grant-form", title: "申请资助", button: "提交申请",
    fields: (form) => [
      field(form, { name: "recipient", label: "受助人", required: true, maxlength: 100 }),
      field(form, { name: "amount", label: "金额(元)", required: true, check: validators.yuan }),
      field(form, { name: "reason", label: "事由", type: "textarea", required: true, maxlength: 1000, wide: true }),
    ],
    aliases: { amount_fen: "amount" },
    submit: (form) => api.post("/api/v1/welfare/fund/grants", { org_unit_id: org, recipient: form.val("recipient"),
      reason: form.val("reason"), amount_fen: toFen(form.val("amount")) }, { idempotent: true }),
    done: (g, form) => {
      const id = g._id || g.id;
      toast("资助申请已提交");
      for (const f of form.fields) f.input.value = "";
      result.replaceChildren(h("p", { class: "notice", dataset: { grant: id } },
        `资助申请 ${id}：${g.recipient}，${yuan(g.amount_fen)} 元，${GRANT[g.status] || g.status}。`,
        can("welfare:fund", path) ? "可在右侧“审批资助”中填写此编号审批，或在“资助申请”中查看。" : "街道审批人员可在“资助申请”中看到此申请。"));
    },
  });
  el.append(result);
  return el;
}

function decisionForm() {
  return formCard({ id: "fund-decision-form", title: "审批资助", button: "提交审批",
    note: "批准即从基金支付；超过余额时不支付。",
    fields: (form) => [
      field(form, { name: "grant_id", label: "资助申请编号", required: true, maxlength: 120 }),
      field(form, { name: "decision", label: "审批意见", type: "select", options: { approval: "批准并支付", rejection: "不予批准" }, required: true, value: "approval" }),
      field(form, { name: "note", label: "说明", maxlength: 1000 }),
    ],
    submit: (form) => api.post(`/api/v1/welfare/fund/grants/${encodeURIComponent(form.val("grant_id"))}/${form.val("decision")}`, { note: form.val("note") }),
    done: (g) => { toast(`资助申请 ${g._id || g.id}：${GRANT[g.status] || g.status}`); go("/fund"); },
  }).el;
}
