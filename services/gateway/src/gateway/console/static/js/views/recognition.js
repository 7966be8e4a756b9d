// 志愿表彰 (#22): volunteers ranked by their hours of service in a period, and every team's totals, for the unit chosen in
// the tree (GET /api/v1/volunteer/recognition): what a community or sub-district looks at before it names its
// 优秀志愿者 and 优秀服务队. Figures, not a list: the ranking names the first `top` (20, 50, 100 or 500), said in its title.
import { api } from "../api.js";
import { can, go, href, register, state, unitName } from "../app.js";
import { filterBar, h, num, section, table, todayLocal } from "../ui.js";

const TOPS = { 20: "前 20 名", 50: "前 50 名", 100: "前 100 名", 500: "前 500 名" };

register("volunteer-recognition", async ({ params }) => {
  if (!can("volunteer:read")) {
    return h("div", { class: "card" }, h("h1", {}, "没有权限"), h("p", {}, "当前账号在所选单位不能查看志愿服务。"));
  }
  const year = todayLocal().slice(0, 4);
  const chosen = { from: params.get("from") || `${year}-01-01`, to: params.get("to") || todayLocal(),
    top: TOPS[params.get("top")] ? params.get("top") : "20" };
  const r = await api.get("/api/v1/volunteer/recognition", { org_unit: state.org, ...chosen });
  const root = h("div", { id: "volunteer-recognition" });
  root.append(h("div", { class: "page-head" }, h("h1", {}, `志愿表彰 · ${unitName(state.org)}`)),
    h("p", { class: "muted" }, "按期间内的服务时长排名（时长相同按爱心币）；只计签退了的服务。"));
  root.append(filterBar([
    { name: "from", label: "期间自", type: "date", required: true },
    { name: "to", label: "至", type: "date", required: true, check: (v, f) => (v < f.val("from") ? "不能早于开始日期" : null) },
    { name: "top", label: "排名显示", type: "select", options: TOPS, required: true }],
  new URLSearchParams(chosen), (v) => go("/volunteer-recognition", v), () => go("/volunteer-recognition")).el);
  const hoursOf = (x) => (x.minutes / 60).toFixed(1);
  root.append(h("section", { class: "card", id: "recognition-volunteers" },
    h("h2", {}, `志愿者排名（${TOPS[chosen.top]}，本期 ${r.volunteers.length} 人上榜）`),
    table([
      { title: "名次", class: "num", render: (v) => v.rank },
      { title: "志愿者", render: (v) => h("a", { href: href(`/volunteer/volunteers/${v.volunteer_id}`) }, v.name || v.volunteer_id) },
      { title: "活动次数", class: "num", render: (v) => num(v.activities) },
      { title: "服务时长（小时）", class: "num", render: (v) => hoursOf(v) },
      { title: "爱心币", class: "num", render: (v) => num(v.coins) }],
    r.volunteers, { caption: "志愿者按服务时长排名", empty: "这一期间没有签退的服务" })));
  root.append(section(`服务队（共 ${r.teams.length} 支）`, table([
    { title: "服务队", render: (t) => h("a", { href: href(`/volunteer/teams/${t.team_id}`) }, t.name) },
    { title: "队员", class: "num", render: (t) => num(t.members) },
    { title: "活动人次", class: "num", render: (t) => num(t.activities) },
    { title: "服务时长（小时）", class: "num", render: (t) => hoursOf(t) },
    { title: "爱心币", class: "num", render: (t) => num(t.coins) }],
  r.teams, { caption: "服务队按服务时长排列", empty: "所选单位没有服务队" })));
  return root;
});
