// The console's shell: login, the org tree that scopes every page, the menu and the hash router.
import { api, login, logout, roleVocabulary, session, whenUnauthorized } from "./api.js";
import { LEVELS } from "./i18n.js";
import { actionForm, clear, errorText, h, openDialog } from "./ui.js";

// roleNames / dutyNames: the gateway's names of the platform's roles and duties (GET /api/v1/auth/roles), the one list
export const state = { units: new Map(), children: new Map(), roots: [], org: null, user: null, perms: {},
  roleNames: {}, dutyNames: {} };

const SHOWN_LEVELS = new Set(["city", "district", "subdistrict", "community"]);

/** Does the user hold `perm` at `path` (a grant at or above it)? */
export function can(perm, path) {
  const target = path || (state.units.get(state.org) || {}).path || "/";
  return Object.entries(state.perms).some(([p, list]) => target.startsWith(p) && list.includes(perm));
}
export function canAnywhere(perm) {
  return Object.values(state.perms).some((list) => list.includes(perm));
}
/** Does the user hold `perm` for the whole district (a grant at the top of the tree)? The district's settings
 *  (信访类别, 服务类型与爱心币) are changed only there: the services refuse anyone else. */
export function atDistrict(perm) {
  return Object.entries(state.perms).some(([p, list]) => p.split("/").filter(Boolean).length <= 1 && list.includes(perm));
}

export function unit(id = state.org) { return state.units.get(id); }
export function unitName(id) { const u = state.units.get(id); return u ? u.name : id; }
export function childrenOf(id) { return (state.children.get(id) || []).filter((u) => !u.retired); }
export function communitiesUnder(id) {
  const u = state.units.get(id);
  if (!u) return [];
  return [...state.units.values()].filter((x) => x.level === "community" && x.path.startsWith(u.path) && !x.retired);
}

// ---- routing

export function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/home";
  const [path, qs] = raw.split("?");
  return { parts: path.split("/").filter(Boolean), params: new URLSearchParams(qs || "") };
}

export function href(path, params = {}) {
  const q = new URLSearchParams();
  if (state.org) q.set("org", state.org);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  return `#${path}?${q.toString()}`;
}

export function go(path, params = {}) {
  const target = href(path, params);
  if (location.hash === target) route(); else location.hash = target;
}

const views = {};
export function register(name, fn) { views[name] = fn; }

let routeSeq = 0;
export async function route() {
  const main = document.getElementById("main");
  if (!session.get()) { showLogin(); return; }
  if (!state.user) { await boot(); return; }
  const { parts, params } = parseHash();
  const org = params.get("org");
  if (org && state.units.has(org) && org !== state.org) { state.org = org; renderTree(); }
  if (!org && state.org) { history.replaceState(null, "", href("/" + parts.join("/"), Object.fromEntries(params))); }
  const name = parts[0] || "home";
  highlightMenu(name);
  renderCrumb();
  const view = views[name] || views.home;
  const seq = ++routeSeq;
  clear(main, h("p", { class: "loading" }, "正在加载…"));
  try {
    const node = await view({ parts: parts.slice(1), params, isCurrent: () => seq === routeSeq });
    if (seq !== routeSeq) return;
    clear(main, node);
    const heading = main.querySelector("h1");
    if (heading) {
      document.title = `${heading.textContent} · 联动工作台`;
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  } catch (err) {
    if (seq !== routeSeq) return;
    clear(main, h("div", { class: "card" }, h("h1", {}, "无法显示"), h("p", { class: "form-error" }, errorText(err))));
  }
}

// ---- login

function showLogin(message) {
  document.body.classList.add("logged-out");
  const user = h("input", { id: "login-user", name: "username", autocomplete: "username", required: true });
  const pass = h("input", { id: "login-pass", name: "password", type: "password", autocomplete: "current-password", required: true });
  const err = h("p", { class: "form-error", role: "alert", id: "login-error" }, message || "");
  const button = h("button", { type: "submit", class: "primary" }, "登录");
  const form = h("form", { class: "login card", novalidate: true, "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "联动 · 社区综合服务工作台"),
    h("div", { class: "field" }, h("label", { for: "login-user" }, "用户名"), user),
    h("div", { class: "field" }, h("label", { for: "login-pass" }, "密码"), pass),
    err, button,
    h("p", { class: "hint" }, "演示账号见 README（例如 jiayuan_worker）。"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!user.value.trim() || !pass.value) { err.textContent = "请输入用户名和密码"; return; }
    button.disabled = true;
    err.textContent = "";
    try {
      await login(user.value.trim(), pass.value);
      state.user = null;
      if (!location.hash || location.hash.startsWith("#/login")) history.replaceState(null, "", "#/home");
      await route();
    } catch (ex) {
      err.textContent = errorText(ex);
      pass.select();
    } finally { button.disabled = false; }
  });
  clear(document.getElementById("app"), h("main", { class: "login-page", id: "main" }, form));
  user.focus();
}

// ---- the shell

async function boot() {
  const s = session.get();
  state.user = s.user;
  state.perms = s.permissions || {};
  const roots = [...new Set((s.user.grants || []).map((g) => g.org_unit))];
  state.units.clear(); state.children.clear(); state.roots = [];
  const [trees, names] = await Promise.all([
    Promise.all(roots.map((r) => api.get("/api/v1/org/tree", { root: r }).catch(() => ({ units: [] })))), roleVocabulary()]);
  state.roleNames = names.roles;
  state.dutyNames = names.duties;
  for (const t of trees) for (const u of t.units) state.units.set(u.id, u);
  for (const u of state.units.values()) {
    if (!state.children.has(u.parent_id)) state.children.set(u.parent_id, []);
    state.children.get(u.parent_id).push(u);
  }
  for (const list of state.children.values()) list.sort((a, b) => a.path.localeCompare(b.path));
  state.roots = roots.filter((r) => state.units.has(r) && !roots.some((o) => o !== r && state.units.get(r).path.startsWith((state.units.get(o) || {}).path || "\0")));
  const wanted = parseHash().params.get("org");
  state.org = wanted && state.units.has(wanted) ? wanted : state.roots[0] || roots[0];
  renderShell();
  await route();
}

// The menu in the groups a worker knows: a group is a heading and its list; a group with nothing the user may open
// is not shown. Each entry: [view, title, what it needs] — a permission, any of several, or a test (atDistrict).
const MENU = [
  ["工作台", [
    ["home", "工作台", null],
    ["dashboard", "数据看板", "reports:read"],
  ]],
  ["信访与服务", [
    ["petitions", "信访接待", "petition:read"],
    ["hall", "一站式服务", "petition:hall"],
    ["petition-settings", "信访设置", () => atDistrict("petition:supervise")],  // categories, departments, holidays
  ]],
  ["民政", [
    ["welfare", "民政救助", "welfare:read"],
    ["supermarket", "爱心超市", "welfare:read"],
    ["fund", "爱心基金", "welfare:read"],
    ["visits", "走访帮扶", "welfare:read"],
    ["registers", "人员台账", ["welfare:retirees", "welfare:disability", "welfare:veterans"]],
    ["employment", "就业社保", "welfare:employment"],
  ]],
  ["志愿与党建", [
    ["volunteer", "志愿服务", "volunteer:read"],
    ["volunteer-recognition", "志愿表彰", "volunteer:read"],  // volunteers and teams ranked by hours in a period
    ["volunteer-settings", "服务类型与爱心币", () => atDistrict("volunteer:manage")],
    ["party", "党建", "volunteer:party"],
  ]],
  ["平安建设", [
    ["security", "平安建设", "security:read"],
    ["patrol", "巡逻防控", "security:read"],
    ["migrants", "流动人口", "security:read"],
    ["households", "实有人口", "security:read"],
    ["corrections", "社区矫正", "security:corrections"],
  ]],
  ["报表与导入", [
    ["reports", "年度报告", "reports:read"],
    // staff (any of these): the page lists the ledgers whose own permission the user holds
    ["imports", "数据导入", ["org:admin", "users:admin", "welfare:read", "volunteer:read", "security:read"]],
  ]],
  ["系统管理", [
    ["users", "用户与角色", "users:admin"],
    ["org", "组织架构管理", "org:admin"],
    ["audit", "审计日志", "audit:read"],
    ["deadletters", "死信", "dead_letters:admin"],
    ["open311-keys", "接口密钥", () => atDistrict("users:admin")],  // Open311 apps' keys
    // 居民实名核验 (#22): the door's accounts waiting for the community office to see the ID card; the register's
    // permission held at a community or above (district / 街道 / 社区: a grid's grant reaches no account)
    ["resident-identity", "居民实名核验", () => canAnywhere("users:admin") || Object.entries(state.perms).some(
      ([p, list]) => p.split("/").filter(Boolean).length <= 3 && list.includes("security:register"))],
  ]],
];

const offered = (need) => !need || (typeof need === "function" ? need() : [].concat(need).some(canAnywhere));

/** The menu: one labelled list per group (a heading names it for a screen reader's list of headings too). */
function menuGroups() {
  return MENU.map(([title, entries], i) => [title, entries.filter(([, , need]) => offered(need)), `menu-group-${i}`])
    .filter(([, entries]) => entries.length)
    .map(([title, entries, id]) => h("section", { class: "menu-group", "aria-labelledby": id },
      h("h2", { id, class: "menu-heading" }, title),
      h("ul", {}, entries.map(([k, t]) => h("li", {}, h("a", { href: `#/${k}`, dataset: { menu: k } }, t))))));
}

function renderShell() {
  document.body.classList.remove("logged-out");
  const grants = (state.user.grants || []).map((g) => `${state.roleNames[g.role] || g.role}${(g.duties || []).length ? "（" + g.duties.map((d) => state.dutyNames[d] || d).join("、") + "）" : ""}`);
  const menuToggle = h("button", { type: "button", class: "menu-toggle", "aria-controls": "side", "aria-expanded": "false" }, "☰ 菜单");
  menuToggle.addEventListener("click", () => {
    const open = document.body.classList.toggle("side-open");
    menuToggle.setAttribute("aria-expanded", String(open));
  });
  const out = h("button", { type: "button", class: "link", id: "logout" }, "退出");
  const password = h("button", { type: "button", class: "link", id: "own-password" }, "修改密码");
  password.addEventListener("click", ownPassword);
  out.addEventListener("click", async () => { await logout(); state.user = null; location.hash = ""; showLogin(); });
  const shell = [
    h("a", { href: "#main", class: "skip" }, "跳到正文"),
    h("header", { class: "top" }, menuToggle,
      h("span", { class: "brand" }, "联动工作台"),
      h("span", { class: "crumb", id: "crumb", "aria-live": "polite" }),
      h("span", { class: "who" }, h("strong", { id: "user-name" }, state.user.name || state.user.username), " ", grants.join("；"), " ", password, " ", out)),
    h("div", { class: "body" },
      h("aside", { id: "side", class: "side", "aria-label": "导航" },
        h("nav", { class: "menu", "aria-label": "功能" }, menuGroups()),
        h("nav", { class: "tree", "aria-label": "组织架构" }, h("h2", {}, "组织架构"), h("div", { id: "tree" }))),
      h("main", { id: "main", class: "main", tabindex: "-1" })),
    h("div", { id: "toast", class: "toast", role: "status", "aria-live": "polite" }),
  ];
  clear(document.getElementById("app"), shell);
  for (const a of document.querySelectorAll("[data-menu]")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      document.body.classList.remove("side-open");
      menuToggle.setAttribute("aria-expanded", "false");  // the drawer closed: the ☰ button says so
      go("/" + a.dataset.menu);
    });
  }
  renderTree();
}

/** 修改密码: the user's own password (POST /api/v1/auth/password). The service ends every session of the account,
 *  this one too, so the user logs in again with the new password. */
function ownPassword() {
  openDialog("修改密码", (close) => actionForm({ id: "own-password-form", cls: "form", submit: "修改", fields: [
    { name: "current_password", label: "当前密码", type: "password", required: true, maxlength: 256 },
    { name: "password", label: "新密码", type: "password", required: true, maxlength: 256 },
    { name: "again", label: "再输入一次新密码", type: "password", required: true, maxlength: 256,
      check: (v, form) => (v !== form.val("password") ? "两次输入的新密码不一致" : null) }],
  send: async (v) => {
    await api.post("/api/v1/auth/password", { current_password: v.current_password, password: v.password });
    close();
    session.clear();
    state.user = null;
    showLogin("密码已修改，请用新密码重新登录");
  } }), { shell: true });
}

function renderTree() {
  const box = document.getElementById("tree");
  if (!box) return;
  const node = (u) => {
    const kids = childrenOf(u.id).filter((c) => SHOWN_LEVELS.has(c.level));
    const button = h("button", { type: "button", class: `unit lvl-${u.level}`, dataset: { org: u.id },
      "aria-current": u.id === state.org ? "true" : null, title: LEVELS[u.level] || u.level }, u.name);
    button.addEventListener("click", () => {
      state.org = u.id;
      document.body.classList.remove("side-open");
      const { parts, params } = parseHash();
      params.delete("org"); params.delete("page");
      // Another unit's record is not the same page: go back to the list.
      const keep = parts.length > 1 && parts[1] === "new" ? parts : parts.slice(0, 1);
      renderTree();
      go("/" + (keep.join("/") || "home"), Object.fromEntries(params));
    });
    return h("li", {}, button, kids.length ? h("ul", {}, kids.map(node)) : null);
  };
  clear(box, h("ul", { class: "tree-root" }, state.roots.map((r) => state.units.get(r)).filter(Boolean).map(node)));
}

function renderCrumb() {
  const el = document.getElementById("crumb");
  if (!el) return;
  const u = unit();
  if (!u) return;
  const names = u.path.split("/").filter(Boolean).map((id) => state.units.get(id)).filter(Boolean).map((x) => x.name);
  el.textContent = names.join(" › ");
}

function highlightMenu(name) {
  for (const a of document.querySelectorAll("[data-menu]")) {
    if (a.dataset.menu === name) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    a.href = href("/" + a.dataset.menu);
  }
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && document.body.classList.contains("side-open")) {
    document.body.classList.remove("side-open");
    const t = document.querySelector(".menu-toggle");
    if (t) { t.setAttribute("aria-expanded", "false"); t.focus(); }
  }
});

whenUnauthorized(() => { state.user = null; showLogin("登录已失效，请重新登录"); });
window.addEventListener("hashchange", () => route());

export async function start() {
  await import("./views/home.js");
  await import("./views/dashboard.js");
  await import("./views/petitions.js");
  await import("./views/welfare.js");
  await import("./views/volunteer.js");
  await import("./views/security.js");
  await import("./views/reports.js");
  await import("./views/imports.js");
  // 信访 / 一站式服务 / 平安建设 cases (#22)
  await import("./views/hall.js");
  await import("./views/patrol.js");
  await import("./views/migrants.js");
  await import("./views/households.js");
  await import("./views/corrections.js");
  // 民政 (#22)
  await import("./views/supermarket.js");
  await import("./views/fund.js");
  await import("./views/visits.js");
  await import("./views/registers.js");
  await import("./views/employment.js");
  await import("./views/party.js");  // 党建 (#22)
  await import("./views/admin.js");  // 系统管理 (#22)
  await import("./views/settings.js");  // 设置: 信访设置, 服务类型与爱心币, 接口密钥 (#22)
  await import("./views/recognition.js");  // 志愿表彰 (#22)
  await import("./views/identity.js");  // 居民实名核验 (#22)
  await route();
}
