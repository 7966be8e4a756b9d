// 工作台: a community's work queue; a sub-district's communities side by side; a district's sub-districts.
import { api, session, vocabulary } from "../api.js";
import { can, canAnywhere, go, href, register, state, unit } from "../app.js";
import { APP_STATUS, LEVELS, PETITION_STATES, label } from "../i18n.js";
import { badge, dateTime, h, num, section, table, yuan } from "../ui.js";
import { periodOf } from "./dashboard.js";
import { deadlineCell, petitionConfig } from "./petitions.js";

const OPEN = "registered,assigned,in_handling,escalated";

register("home", async () => {
  const u = unit();
  const root = h("div", { class: "home" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `工作台 · ${u.name}`), h("span", { class: "muted" }, LEVELS[u.level] || "")));
  const quick = h("div", { class: "quick" },
    can("petition:file") ? h("a", { class: "button primary", href: href("/petitions/new") }, "＋ 登记信访") : null,
    can("welfare:apply") && u.level === "community" ? h("a", { class: "button", href: href("/welfare/new") }, "＋ 受理救助申请") : null,
    can("security:report") ? h("a", { class: "button", href: href("/security") }, "＋ 上报事件") : null,
    can("reports:read") ? h("a", { class: "button", href: href("/dashboard") }, "数据看板") : null);
  root.append(quick);
  // Each part has its place fixed up front, so the page does not reorder as answers arrive.
  const slot = () => root.appendChild(h("div", {}));
  const tasks = [];
  if (["subdistrict", "district", "city"].includes(u.level) && can("reports:read")) tasks.push([slot(), (s) => sideBySide(s, u)]);
  if (can("petition:read")) tasks.push([slot(), (s) => petitionQueue(s, u)]);
  if (can("welfare:approve") && u.level !== "community") tasks.push([slot(), (s) => applications(s, "in_notice", "待审批的救助申请（公示中）")]);
  if (can("welfare:review")) tasks.push([slot(), (s) => applications(s, "submitted", "待社区审核的救助申请")]);
  await Promise.all(tasks.map(([s, run]) => run(s).catch((err) => s.append(h("p", { class: "card form-error" }, err.message)))));
  return root;
});

async function sideBySide(root, u) {
  const slot = h("section", { class: "card" }, h("h2", {}, `${u.level === "subdistrict" ? "各社区" : "各街道"}本月情况`));
  root.append(slot);
  const period = periodOf(new URLSearchParams());
  const o = await api.get("/api/v1/reports/overview", { org_unit: u.id, from: period.from, to: period.to });
  const keys = [["petition.batches", "接访批次"], ["petition.person_times", "接访人次"], ["petition.overdue", "超期"],
    ["welfare.households", "在保户数"], ["welfare.disbursed_fen", "发放(元)"], ["volunteer.participant_times", "志愿参与人次"],
    ["security.incidents", "事件"]];
  slot.append(h("div", { class: "unit-cards" }, (o.children || []).map((c) =>
    h("button", { type: "button", class: "unit-card", dataset: { unit: c.org_unit.id }, onclick: () => { state.org = c.org_unit.id; go("/home"); } },
      h("strong", {}, c.org_unit.name),
      h("dl", {}, keys.map(([k, t]) => [h("dt", {}, t), h("dd", { dataset: { metric: k } },
        k.endsWith("_fen") ? yuan((c.metrics[k] || {}).value) : num((c.metrics[k] || {}).value))]))))));
}

async function petitionQueue(root, u) {
  const cfg = await petitionConfig();
  const cats = Object.fromEntries(Object.entries(cfg.categories || {}).map(([k, v]) => [k, v.name]));
  const [open, overdue] = await Promise.all([
    api.get("/api/v1/petition/petitions", { org_unit: u.id, status: OPEN, page_size: 10 }),
    api.get("/api/v1/petition/petitions", { org_unit: u.id, overdue: "true", status: OPEN, page_size: 1 }),
  ]);
  const items = [...open.items].sort((a, b) => (a.deadline || "9").localeCompare(b.deadline || "9"));
  root.append(section(`待办信访（在办 ${open.total} 件，超期 ${overdue.total} 件）`,
    h("p", {}, h("a", { href: href("/petitions", { status: OPEN }) }, "查看全部在办案件"), "　",
      overdue.total ? h("a", { href: href("/petitions", { overdue: "true" }), class: "danger" }, `查看超期案件（${overdue.total}）`) : null),
    table([
      { title: "事由", render: (p) => h("a", { href: href(`/petitions/${p.id}`) }, p.title || (p.content || "").slice(0, 30)) },
      { title: "类别", render: (p) => cats[p.category] || p.category },
      { title: "状态", render: (p) => badge(label(PETITION_STATES, p.state), `st-${p.state}`) },
      { title: "期限", render: deadlineCell },
      { title: "群体", render: (p) => (p.is_group ? badge(`${p.headcount || ""}人`, "warn") : "") },
    ], items, { caption: "待办信访", onOpen: (p) => go(`/petitions/${p.id}`), empty: "没有在办的信访件",
      rowClass: (p) => (p.overdue ? "row-overdue" : "") })));
}

async function applications(root, status, title) {
  const [r, programmes] = await Promise.all([
    api.get("/api/v1/welfare/applications", { org_unit: state.org, status, page_size: 10 }),
    vocabulary("/api/v1/welfare/programmes?page_size=100", (d) => d.items, "code"),
  ]);
  const items = r.items;
  const total = r.total;
  root.append(section(`${title}（${total}）`, table([
    { title: "受理时间", render: (a) => dateTime(a.submitted_at) },
    { title: "申请人", render: (a) => h("a", { href: href(`/welfare/${a.id}`) }, ((a.household.members || []).find((m) => m.relation === "applicant") || {}).name || a.id) },
    { title: "项目", render: (a) => programmes[a.programme] || a.programme },
    { title: "状态", render: (a) => label(APP_STATUS, a.status) },
    { title: "公示期至", render: (a) => dateTime(a.notice_ends_at) },
  ], items, { caption: title, onOpen: (a) => go(`/welfare/${a.id}`), empty: "暂无" })));
}

// ---- 演示历史数据 (#22, demo history) -----------------------------------------------------------------------
// On a demo platform's first start, deploy/local/demo_history.py fills last year and this year to date in the
// background; until it is done the home page says how far it is (GET /api/v1/demo/history), so a user knows why
// 去年同期 and the annual report are not complete yet. Nothing is shown when there is no history to make.
const HISTORY_CARD = "demo-history-card";
let historyFinished = false;

async function demoHistoryCard() {
  const home = document.querySelector(".home");
  if (historyFinished || !home || !session.get() || !canAnywhere("reports:read")) return;
  let p;
  try { p = await api.get("/api/v1/demo/history"); } catch { return; }
  const card = document.getElementById(HISTORY_CARD);
  if (p.state !== "running" && p.state !== "failed") {
    historyFinished = p.state === "done" || p.state === "off";
    if (card) card.remove();
    return;
  }
  const text = p.state === "failed"
    ? `演示历史数据生成暂停，稍后自动继续（已完成 ${p.percent || 0}%）`
    : `正在生成演示历史数据 ${p.percent || 0}%（${p.from || ""} 至 ${p.to || ""}），完成后「去年同期」和年度报告显示完整数据`;
  const shown = card || h("p", { id: HISTORY_CARD, class: "card", role: "status" });
  shown.textContent = text;
  if (!card) home.insertBefore(shown, home.children[1] || null);
}
setInterval(demoHistoryCard, 3000);
// ---- end 演示历史数据 ------------------------------------------------------------------------------------------
