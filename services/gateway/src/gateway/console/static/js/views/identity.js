// 居民实名核验 (#22): the residents' door accounts of the chosen unit waiting for the community office to see the
// ID card (GET /api/v1/residents?confirmed=false); 核验通过 confirms one (POST …/identity-confirmation, audited), and
// from that resident's next sign-in the records staff registered for their ID number reach their door.
import { api } from "../api.js";
import { can, register, route, state, unitName } from "../app.js";
import { busy, errorText, h, table, toast } from "../ui.js";

register("resident-identity", async () => {
  if (!can("security:register") && !can("users:admin")) {
    return h("div", { class: "card" }, h("h1", {}, "没有权限"), h("p", {}, "当前账号在所选单位不能核验居民账号。"));
  }
  const page = await api.get("/api/v1/residents", { confirmed: "false", org_unit: state.org, page_size: 100 });
  const confirm = (a) => async (e) => {
    try {
      await busy(e.currentTarget, api.post(`/api/v1/residents/${a.id}/identity-confirmation`));
      toast(`${a.name} 已核验`);
      route();
    } catch (err) { toast(errorText(err), "bad"); }
  };
  return h("div", { id: "resident-identity" },
    h("div", { class: "page-head" }, h("h1", {}, `居民实名核验 · ${unitName(state.org)}`)),
    h("p", { class: "muted" }, "居民在居民端自行注册后，请其带身份证到社区，核对姓名、手机号与证件一致后点“核验通过”。"
      + "核验前，工作人员为其登记的诉求、志愿者记录和救助申请不会在其居民端显示。"),
    h("section", { class: "card" }, h("h2", {}, `待核验（${page.total} 人）`), table([
      { title: "姓名", render: (a) => a.name },
      { title: "手机号", render: (a) => a.mobile },
      { title: "社区", render: (a) => unitName(a.community) },
      { title: "操作", render: (a) => h("button", { type: "button", class: "primary", "aria-label": `核验通过：${a.name}`,
        onclick: confirm(a) }, "核验通过") }],
    page.items, { caption: "待实名核验的居民账号", empty: "没有待核验的居民账号" })));
});
