// 年度报告: the annual work report (DOCX) and its statistical tables (XLSX) for the selected unit and year.
import { request } from "../api.js";
import { can, register, state, unit } from "../app.js";
import { LEVELS } from "../i18n.js";
import { busy, field, h, makeForm, saveAs, todayLocal } from "../ui.js";

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
        : h("p", { class: "form-error" }, "您没有查看该单位报告的权限。")));
});
