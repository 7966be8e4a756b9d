// 数据看板: the overview of the selected unit and period, with charts; every figure opens the list behind it.
import { api, request } from "../api.js";
import { can, go, register, state, unit } from "../app.js";
import { LEVELS, PETITION_STATES } from "../i18n.js";
import { busy, errorText, h, num, pct, saveAs, table, todayLocal, yuan } from "../ui.js";

let charts = [];
function disposeCharts() {
  generation += 1;
  for (const c of charts) { try { c.dispose(); } catch { /* gone */ } }
  charts = [];
}
window.addEventListener("hashchange", () => { if (!location.hash.startsWith("#/dashboard")) disposeCharts(); });

export function periodOf(params) {
  const today = todayLocal();
  const [y, m] = today.split("-").map(Number);
  const pad = (n) => String(n).padStart(2, "0");
  const kind = params.get("period") || "month";
  if (kind === "year") return { kind, from: `${y}-01-01`, to: today, title: `${y}年以来` };
  if (kind === "last_month") {
    const ly = m === 1 ? y - 1 : y, lm = m === 1 ? 12 : m - 1;
    const last = new Date(Date.UTC(ly, lm, 0)).getUTCDate();
    return { kind, from: `${ly}-${pad(lm)}-01`, to: `${ly}-${pad(lm)}-${pad(last)}`, title: `${ly}年${lm}月` };
  }
  if (kind === "custom" && params.get("from") && params.get("to")) {
    return { kind, from: params.get("from"), to: params.get("to"), title: `${params.get("from")} 至 ${params.get("to")}` };
  }
  return { kind: "month", from: `${y}-${pad(m)}-01`, to: today, title: `${y}年${m}月` };
}

let generation = 0;

/** Draw once the element is in the page (ECharts measures it); skipped when the user has moved on. */
function chart(el, option, onClick) {
  const mine = generation;
  const draw = (tries) => {
    if (mine !== generation) return;
    if (!el.isConnected || el.clientWidth === 0) {
      if (tries < 200) requestAnimationFrame(() => draw(tries + 1));
      return;
    }
    const c = window.echarts.init(el, null, { renderer: "canvas" });
    c.setOption({ textStyle: { fontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif" }, ...option });
    if (onClick) c.on("click", onClick);
    new ResizeObserver(() => c.resize()).observe(el);
    charts.push(c);
  };
  draw(0);
}

function change(value, previous) {
  if (previous === undefined || previous === null) return null;
  if (!previous) return value ? h("span", { class: "delta up" }, "去年同期 0") : h("span", { class: "delta" }, "去年同期 0");
  const d = (value - previous) / previous;
  return h("span", { class: `delta ${d > 0 ? "up" : d < 0 ? "down" : ""}` }, `同比 ${d > 0 ? "+" : ""}${(d * 100).toFixed(1)}%`);
}

function showValue(m, key) {
  if (m.unit === "fen") return `${yuan(m.value)} 元`;
  if (key === "volunteer.minutes") return `${num(Math.round(m.value / 6) / 10)} 小时`;
  return `${num(m.value)} ${m.unit || ""}`;
}

async function countPetitions(query) {
  const r = await api.get("/api/v1/petition/petitions", { ...query, page_size: 1 });
  return r.total || 0;
}

register("dashboard", async ({ params }) => dashboard(params));

export async function dashboard(params) {
  disposeCharts();
  const u = unit();
  const period = periodOf(params);
  const q = { org_unit: state.org, from: period.from, to: period.to };
  const root = h("div", { class: "dashboard" });
  const controls = h("div", { class: "toolbar", role: "group", "aria-label": "统计期间" },
    [["month", "本月"], ["last_month", "上月"], ["year", "本年"]].map(([k, t]) =>
      h("button", { type: "button", class: period.kind === k ? "on" : "", "aria-pressed": String(period.kind === k),
        onclick: () => go("/dashboard", { period: k }) }, t)),
    customPeriod(period));
  root.append(h("div", { class: "page-head" }, h("h1", {}, `数据看板 · ${u.name}`),
    h("span", { class: "muted" }, `${LEVELS[u.level] || ""} · ${period.title}（${period.from} 至 ${period.to}）`), controls));

  if (!can("reports:read")) {
    root.append(h("p", { class: "card" }, "您没有查看该单位统计数据的权限。"));
    return root;
  }
  let overview;
  try {
    overview = await api.get("/api/v1/reports/overview", q);
  } catch (err) {
    root.append(h("p", { class: "card form-error" }, `统计数据暂不可用：${errorText(err)}`));
    return root;
  }
  const M = overview.metrics, R = overview.rates;
  // the figures as a table (the unit and each child unit, every figure and rate) for the office's own sheets
  const saved = h("span", { role: "status", "aria-live": "polite", class: "muted", id: "overview-saved" });
  const save = (fmt) => async (e) => {
    try {
      const resp = await busy(e.currentTarget, request("GET", `/api/v1/reports/overview.${fmt}`, { query: q, raw: true }));
      const name = `${u.name}数据（${period.from}至${period.to}）.${fmt}`;
      await saveAs(resp, name);
      saved.textContent = `已下载：${name}`;
    } catch (err) { saved.textContent = `下载失败：${errorText(err)}`; }
  };
  root.append(h("div", { class: "actions", id: "overview-export" },
    h("button", { type: "button", id: "overview-xlsx", onclick: save("xlsx") }, "导出 Excel"),
    h("button", { type: "button", id: "overview-csv", onclick: save("csv") }, "导出 CSV"), saved));
  if (overview.stale) root.append(h("p", { class: "notice", role: "status" }, "提示：部分数据仍在汇总中，数字可能稍有滞后。"));

  const petitionList = (extra = {}) => () => go("/petitions", { from: period.from, to: period.to, ...extra });
  const cards = [
    ["petition.batches", petitionList()],
    ["petition.person_times", petitionList()],
    ["petition.group_batches", petitionList({ group: "true" })],
    ["petition.overdue", () => go("/petitions", { overdue: "true" })],
    ["petition.risk_flagged", () => go("/petitions", { risk: "true" })],
    ["welfare.households", () => go("/welfare", { tab: "grants" })],
    ["welfare.people", () => go("/welfare", { tab: "grants" })],
    ["welfare.disbursed_fen", () => go("/welfare", { tab: "grants" })],
    ["volunteer.minutes", () => go("/volunteer")],
    ["volunteer.participant_times", () => go("/volunteer")],
    ["security.incidents", () => go("/security")],
    ["security.mediations", () => go("/security", { tab: "disputes" })],
  ];
  root.append(h("section", { class: "kpis", "aria-label": "主要指标" }, cards.map(([key, open]) => {
    const m = M[key];
    if (!m) return null;
    // the button's name is what it shows (a speech-input user says what they see), with the action after it
    return h("button", { type: "button", class: "kpi", dataset: { metric: key, value: String(m.value) }, onclick: open },
    h("span", { class: "kpi-label" }, m.label), h("span", { class: "kpi-value" }, showValue(m, key)),
    change(m.value, m.previous_year), h("span", { class: "sr-only" }, "，查看明细"));
  }), [["petition.on_time_rate", () => go("/petitions", { status: "answered,closed" })],
    ["petition.satisfaction_rate", () => go("/petitions", { status: "closed" })],
    ["security.mediation_success_rate", () => go("/security", { tab: "disputes" })]].map(([key, open]) => {
    const r = R[key];
    if (!r) return null;
    return h("button", { type: "button", class: "kpi rate", dataset: { metric: key }, onclick: open },
      h("span", { class: "kpi-label" }, r.label), h("span", { class: "kpi-value" }, pct(r.value)),
      h("span", { class: "delta" }, `${num(r.numerator)} / ${num(r.denominator)}`));
  })));

  const grid = h("div", { class: "charts" });
  root.append(grid);
  const box = (title, id, extra) => {
    const el = h("div", { class: "chart", id, role: "img", "aria-label": title });
    grid.append(h("section", { class: "card chart-card" }, h("h2", {}, title), el, extra || null));
    return el;
  };

  // Petitions this period by status and by category: counts from the case list, so a click shows the same cases.
  if (can("petition:read")) {
    const statusEl = box("本期信访件 · 按状态", "chart-status");
    const catEl = box("本期信访件 · 按类别", "chart-category");
    const base = { org_unit: state.org, from: period.from, to: period.to };
    Promise.all([
      Promise.all(Object.keys(PETITION_STATES).map((s) => countPetitions({ ...base, status: s }).then((n) => [s, n]))),
      api.get("/api/v1/petition/config").then((cfg) => Promise.all(Object.entries(cfg.categories || {})
        .map(([code, c]) => countPetitions({ ...base, category: code }).then((n) => [code, c.name, n])))),
    ]).then(([byStatus, byCat]) => {
      const data = byStatus.filter(([, n]) => n > 0).map(([s, n]) => ({ name: PETITION_STATES[s], value: n, code: s }));
      chart(statusEl, {
        tooltip: { trigger: "item" }, legend: { bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: data.length ? data : [{ name: "暂无", value: 0 }],
          label: { formatter: "{b} {c}" } }],
      }, (p) => p.data && p.data.code && go("/petitions", { status: p.data.code, from: period.from, to: period.to }));
      const cats = byCat.filter(([, , n]) => n > 0);
      chart(catEl, {
        tooltip: {}, grid: { left: 90, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: cats.map((c) => c[1]) },
        series: [{ type: "bar", data: cats.map((c) => ({ value: c[2], code: c[0] })), itemStyle: { color: "#c0392b" } }],
      }, (p) => go("/petitions", { category: p.data.code, from: period.from, to: period.to }));
    }).catch(() => { statusEl.textContent = "信访数据暂不可用"; });
  }

  // By child unit: side by side, a click goes down the tree.
  const children = overview.children || [];
  if (children.length) {
    const keys = ["petition.batches", "welfare.households", "volunteer.participant_times", "security.incidents"].filter((k) => M[k]);
    const el = box(`下级单位对比（${children.length}个）`, "chart-children");
    chart(el, {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 50 },
      xAxis: { type: "category", data: children.map((c) => c.org_unit.name), axisLabel: { interval: 0, rotate: children.length > 5 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map((k) => ({ name: M[k].label, type: "bar", data: children.map((c) => c.metrics[k].value) })),
    }, (p) => { const c = children[p.dataIndex]; if (c) { state.org = c.org_unit.id; go("/dashboard", { period: period.kind }); } });
    grid.append(h("section", { class: "card wide" }, h("h2", {}, "下级单位明细"), table([
      { title: "单位", render: (c) => h("a", { href: "#", dataset: { child: c.org_unit.id }, onclick: (e) => { e.preventDefault(); state.org = c.org_unit.id; go("/dashboard", { period: period.kind }); } }, c.org_unit.name) },
      ...["petition.batches", "petition.person_times", "petition.overdue", "welfare.households", "welfare.disbursed_fen",
        "volunteer.participant_times", "security.incidents", "security.mediations_succeeded"].filter((k) => M[k]).map((k) => ({
        title: M[k].label, class: "num", render: (c) => h("span", { dataset: { metric: k } }, M[k].unit === "fen" ? yuan(c.metrics[k].value) : num(c.metrics[k].value)),
      })),
    ], children, { caption: "下级单位明细", rowClass: () => "child-row" })));
  }

  // Year on year.
  const yoyKeys = ["petition.batches", "petition.person_times", "welfare.applications", "volunteer.activities",
    "volunteer.participant_times", "security.incidents", "security.mediations"].filter((k) => M[k]);
  const yoy = box("同比（本期与去年同期）", "chart-yoy");
  chart(yoy, {
    tooltip: { trigger: "axis" }, legend: { top: 0, data: ["本期", "去年同期"] },
    grid: { left: 40, right: 10, top: 40, bottom: 60 },
    xAxis: { type: "category", data: yoyKeys.map((k) => M[k].label), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "本期", type: "bar", data: yoyKeys.map((k) => M[k].value) },
      { name: "去年同期", type: "bar", data: yoyKeys.map((k) => M[k].previous_year) }],
  });

  // Welfare coverage by programme, and money: every programme welfare lists or the figures hold, in
  // welfare's own words (the overview carries each breakdown's code and name; no copy here).
  const progs = Object.keys(M).filter((k) => M[k].of === "welfare.households").map((k) => M[k].code);
  const progName = Object.fromEntries(progs.map((p) => [p, M[`welfare.households.${p}`].name]));
  const figure = (k) => (M[k] ? M[k].value : 0);
  const wEl = box(`民政救助覆盖 · 在保 ${num(figure("welfare.households"))} 户 ${num(figure("welfare.people"))} 人，发放 ${yuan(figure("welfare.disbursed_fen"))} 元`, "chart-welfare");
  chart(wEl, {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 50, top: 40, bottom: 60 },
    xAxis: { type: "category", data: progs.map((p) => progName[p]), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: [{ type: "value", name: "户/人", minInterval: 1 }, { type: "value", name: "元" }],
    series: [
      { name: "在保户数", type: "bar", data: progs.map((p) => M[`welfare.households.${p}`].value) },
      { name: "在保人数", type: "bar", data: progs.map((p) => (M[`welfare.people.${p}`] || { value: 0 }).value) },
      { name: "发放金额(元)", type: "line", yAxisIndex: 1, data: progs.map((p) => (M[`welfare.disbursed_fen.${p}`] || { value: 0 }).value / 100) },
    ],
  }, (p) => go("/welfare", { tab: "grants", programme: progs[p.dataIndex] }));

  // Incidents and mediation.
  const sEl = box(`平安建设 · 事件类型，调解成功率 ${pct((R["security.mediation_success_rate"] || {}).value)}`, "chart-security");
  const incidentTypes = Object.keys(M).filter((k) => k.startsWith("security.incidents.") && M[k].value > 0);
  chart(sEl, {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: "60%", center: ["50%", "50%"],
      // security publishes no names of its incident types yet: where the overview has only the code, the
      // console's own word for it (the one the incident pages use)
      data: incidentTypes.length ? incidentTypes.map((k) => ({ name: M[k].label, value: M[k].value, code: M[k].code }))
        : [{ name: "本期无事件", value: 0 }] }],
  }, (p) => p.data && p.data.code && go("/security", { type: p.data.code }));

  // Monthly trend of the year.
  const y = period.to.slice(0, 4);
  const tEl = box(`${y}年逐月趋势`, "chart-trend");
  api.get("/api/v1/reports/timeseries", { org_unit: state.org, from: `${y}-01-01`, to: period.to,
    metrics: "petition.person_times,volunteer.participant_times,security.incidents,welfare.applications" }).then((ts) => {
    const keys = Object.keys(ts.series);
    chart(tEl, {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: (ts.series[keys[0]] || []).map((p) => p.month) }, yAxis: { type: "value", minInterval: 1 },
      series: keys.map((k) => ({ name: ts.labels[k], type: "line", data: ts.series[k].map((p) => p.value) })),
    });
  }).catch(() => { tEl.textContent = "趋势数据暂不可用"; });

  root.append(h("p", { class: "muted small" }, `数据生成于 ${new Date(overview.generated_at).toLocaleString("zh-CN", { hour12: false })}`));
  return root;
}

function customPeriod(period) {
  const from = h("input", { type: "date", "aria-label": "开始日期", value: period.from });
  const to = h("input", { type: "date", "aria-label": "结束日期", value: period.to });
  const err = h("span", { class: "err", role: "alert" });
  const apply = h("button", { type: "button" }, "查询");
  apply.addEventListener("click", () => {
    if (!from.value || !to.value) { err.textContent = "请选择日期"; return; }
    if (to.value < from.value) { err.textContent = "结束日期不能早于开始日期"; return; }
    go("/dashboard", { period: "custom", from: from.value, to: to.value });
  });
  return h("span", { class: "custom-period" }, from, "至", to, apply, err);
}

