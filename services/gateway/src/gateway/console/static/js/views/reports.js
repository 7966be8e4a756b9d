// 年度报告: the annual work report (DOCX) and its statistical tables (XLSX) for the selected unit and year.
import { request } from "../api.js";
import { can, register, state, unit } from "../app.js";
import { LEVELS } from "../i18n.js";
import { busy, clear, field, h, makeForm, pager, saveAs, table, todayLocal } from "../ui.js";

register("reports", async () => {
  const u = unit();
  const year = Number(todayLocal().slice(0, 4));
  const form = makeForm();
  const status = h("p", { role: "status", "aria-live": "polite", id: "download-status" });
  const download = (kind) => async (e) => {
    if (!form.validate()) return;
    const y = form.val("year");
    status.textContent = "正在生成…";
    try {
      const resp = await busy(e.currentTarget, request("GET", `/api/v1/reports/annual.${kind}`, { query: { org_unit: state.org, year: y }, raw: true }));
      await saveAs(resp, `${u.name}${y}年工作汇报.${kind}`);
      status.textContent = `已下载：${u.name}${y}年工作汇报.${kind}`;
    } catch (err) {
      form.showApiError(err);
      status.textContent = "";
    }
  };
  const allowed = can("reports:read");
  return h("div", {},
    h("div", { class: "page-head" }, h("h1", {}, `年度工作报告 · ${u.name}`), h("span", { class: "muted" }, LEVELS[u.level] || "")),
    h("section", { class: "card form" },
      h("p", {}, "按所选单位及其下属单位的全部数据生成年度工作汇报。左侧组织架构可切换单位。"),
      field(form, { name: "year", label: "年度", type: "number", min: 2000, max: year, value: year, required: true }),
      form.error, status,
      allowed ? h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", id: "download-docx", onclick: download("docx") }, "下载工作汇报（Word）"),
        h("button", { type: "button", id: "download-xlsx", onclick: download("xlsx") }, "下载统计表（Excel）"))
        : h("p", { class: "form-error" }, "您没有查看该单位报告的权限。")),
    allowed && ["community", "subdistrict"].includes(u.level) ? signOff(u) : null,
    allowed && ["community", "subdistrict", "district"].includes(u.level) ? narratives(u, year) : null,
    allowed && u.level !== "community" ? approvals(u) : null,
    allowed ? monthly(u) : null);
});

// 月报: the monthly reports the gateway made and kept on each month's first working day (docs/reports.md),
// downloaded exactly as they were made; the list fills in after the page shows.
function monthly(u) {
  const rows = h("tbody", {});
  const shown = h("p", { role: "status", "aria-live": "polite", id: "monthly-status" }, "正在读取…");
  const get = (r) => async (e) => {
    try {
      const resp = await busy(e.currentTarget, request("GET", `/api/v1/reports/monthly-reports/${r.id}/download`, { raw: true }));
      await saveAs(resp, `${r.org_unit_name}${r.period}月报.${r.format}`);
      shown.textContent = `已下载：${r.org_unit_name}${r.period}月报.${r.format}`;
    } catch (err) { shown.textContent = err.message || "下载失败"; }
  };
  request("GET", "/api/v1/reports/monthly-reports", { query: { org_unit: u.id, page_size: 24 } }).then((page) => {
    shown.textContent = page.items.length ? "" : "暂无月报（每月第一个工作日自动生成上月月报）。";
    for (const r of page.items) {
      rows.append(h("tr", {}, h("td", {}, r.org_unit_name), h("td", {}, r.period), h("td", {}, r.format.toUpperCase()),
        h("td", {}, r.generated_at.slice(0, 10)), h("td", { class: "muted", title: r.sha256 }, r.sha256.slice(0, 12)),
        h("td", {}, h("button", { type: "button", onclick: get(r) }, "下载"))));
    }
  }).catch((err) => { shown.textContent = err.message || "月报读取失败"; });
  return h("section", { class: "card", id: "monthly-reports" },
    h("h2", {}, "月报"), shown,
    h("table", {}, h("thead", {}, h("tr", {}, ...["单位", "月份", "格式", "生成日期", "SHA-256", ""].map((t) => h("th", {}, t)))), rows));
}

// 签报: the unit's month or year — submitted by the unit, approved (its figures filed) by the level above,
// accepted by the district; unlocked by the level above with a reason (docs/reports.md). The API refuses what
// the user may not do; the buttons are only shortcuts to its answers.
function signOff(u) {
  const form = makeForm();
  const shown = h("p", { role: "status", "aria-live": "polite", id: "sign-off-state" });
  const lastMonth = (() => { const d = new Date(`${todayLocal().slice(0, 7)}-01T00:00:00`); d.setDate(0);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`; })();
  const path = () => `/api/v1/reports/approvals/${u.id}/${form.val("period")}`;
  const show = (a) => {
    const last = (a.history || []).slice(-1)[0];
    shown.textContent = `${a.period}：${a.state_name}` + (last ? `（${last.name} ${last.at.slice(0, 10)}）` : "")
      + (a.unlock_reason && a.state === "open" ? `，解锁原因：${a.unlock_reason}` : "");
  };
  const run = (action) => async (e) => {
    if (!form.validate()) return;
    let body;
    if (action === "unlock") {
      const reason = window.prompt("解锁原因（将记入审计日志）");
      if (!reason) return;
      body = { reason };
    }
    try {
      show(await busy(e.currentTarget, request(action ? "POST" : "GET", action ? `${path()}/${action}` : path(),
        { body, idempotent: !!action })));
    } catch (err) { form.showApiError(err); }
  };
  return h("section", { class: "card form", id: "sign-off" },
    h("h2", {}, "签报"),
    h("p", {}, "期间结束后由本单位报送，上级审核后数据锁定；之后补录的数据单列为“签报后调整”。"),
    field(form, { name: "period", label: "期间（月 YYYY-MM 或年 YYYY）", value: lastMonth, required: true, maxlength: 7 }),
    form.error, shown,
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: run(null) }, "查看状态"),
      can("reports:submit") ? h("button", { type: "button", onclick: run("submit") }, "报送") : null,
      can("reports:approve") ? h("button", { type: "button", onclick: run("approve") }, "审核") : null,
      can("reports:accept") ? h("button", { type: "button", onclick: run("accept") }, "确认") : null,
      can("reports:approve") ? h("button", { type: "button", onclick: run("unlock") }, "解锁") : null));
}

// 典型案例 / 下一步打算 / 其他工作: the written parts of the unit's annual report (or of one month's 月报), kept
// with the report and audited (docs/reports.md). Read for reports:read; written for reports:export, with the
// version read so that a colleague's later change is not overwritten (409: read again).
function narratives(u, year) {
  const form = makeForm();
  const editable = can("reports:export");
  const shown = h("p", { role: "status", "aria-live": "polite", id: "narrative-status" });
  let version = null;
  const path = () => `/api/v1/reports/narratives/${u.id}/${form.val("n_year")}` + (form.val("n_month") ? `/${Number(form.val("n_month"))}` : "");
  const show = (n) => {
    version = n.version;
    for (const k of ["cases", "plans", "text"]) form.get(k).input.value = n[k] || "";
    shown.textContent = n.updated ? `最近修改：${n.updated.name} ${n.updated.at.slice(0, 16).replace("T", " ")}` : "尚未填写";
  };
  const read = async (button) => {
    if (!form.validate()) return;
    try { show(await busy(button, request("GET", path()))); form.error.textContent = ""; } catch (err) { form.showApiError(err); }
  };
  const save = async (e) => {
    if (!form.validate()) return;
    const body = { cases: form.val("cases"), plans: form.val("plans"), text: form.val("text"), version };
    try {
      show(await busy(e.currentTarget, request("PUT", path(), { body })));
      shown.textContent = `已保存。${shown.textContent}`;
    } catch (err) {
      form.showApiError(err);
      if (err.status === 409) form.error.textContent = "他人已修改过这些内容：请先“读取”最新内容再修改。";
    }
  };
  const months = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [String(i + 1), `${i + 1}月（月报）`]));
  const readButton = h("button", { type: "button", id: "narrative-read", onclick: (e) => read(e.currentTarget) }, "读取");
  const card = h("section", { class: "card form", id: "narratives" },
    h("h2", {}, "报告文字部分"),
    h("p", {}, "典型案例、下一步打算和其他工作写入所选年度的工作汇报（选月份则写入该月月报）；修改记入审计日志。"),
    field(form, { name: "n_year", label: "年度", type: "number", min: 2000, max: year + 1, value: year, required: true }),
    field(form, { name: "n_month", label: "月份", type: "select", options: months }),
    field(form, { name: "cases", label: "典型案例", type: "textarea", rows: 5, maxlength: 20000, wide: true }),
    field(form, { name: "plans", label: "下一步打算", type: "textarea", rows: 5, maxlength: 20000, wide: true }),
    field(form, { name: "text", label: "其他工作（每段另起一行）", type: "textarea", rows: 4, maxlength: 20000, wide: true }),
    form.error, shown,
    h("div", { class: "actions" }, readButton,
      editable ? h("button", { type: "button", class: "primary", id: "narrative-save", onclick: save }, "保存") : null));
  for (const k of ["cases", "plans", "text"]) form.get(k).input.readOnly = !editable;
  read(readButton);
  return card;
}

// 签报一览: every unit's sign-off under the selected one, filtered by period and state, paged with the total —
// a sub-district sees which communities have submitted, the district what waits for it.
function approvals(u) {
  const form = makeForm();
  const states = { open: "未报送", submitted: "已报送", approved: "已审核", accepted: "已确认" };
  const body = h("div", { id: "approvals-list", "aria-live": "polite" });
  const show = async (page) => {
    if (!form.validate()) return;
    const query = { org_unit: u.id, page, page_size: 20 };
    if (form.val("a_period")) query.period = form.val("a_period");
    if (form.val("a_state")) query.state = form.val("a_state");
    try {
      const found = await request("GET", "/api/v1/reports/approvals", { query });
      clear(body,
        table([
          { title: "单位", render: (a) => a.org_unit_name || a.org_unit_id },
          { title: "期间", render: (a) => a.period },
          { title: "状态", render: (a) => a.state_name || states[a.state] || a.state },
          { title: "最近办理", render: (a) => { const l = (a.history || []).slice(-1)[0]; return l ? `${l.name} ${l.at.slice(0, 10)}` : ""; } },
        ], found.items, { caption: "签报一览", empty: "没有符合条件的签报记录" }),
        pager({ page, pageSize: 20, total: found.total, onPage: show }));
      form.error.textContent = "";
    } catch (err) { form.showApiError(err, { period: "a_period", state: "a_state" }); }
  };
  const card = h("section", { class: "card form", id: "approvals" },
    h("h2", {}, "签报一览"),
    field(form, { name: "a_period", label: "期间（月 YYYY-MM 或年 YYYY，可空）", maxlength: 7 }),
    field(form, { name: "a_state", label: "状态", type: "select", options: states }),
    form.error,
    h("div", { class: "actions" }, h("button", { type: "button", id: "approvals-filter", onclick: () => show(1) }, "查询")),
    body);
  show(1);
  return card;
}
