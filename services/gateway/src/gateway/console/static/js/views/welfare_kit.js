// The pieces every 民政 screen is made of (救助, 爱心超市, 爱心基金, 走访帮扶, 人员台账, 就业社保): a list page with its
// filters, paging and export; a form that posts and shows the API's field errors; the communities a user may act in.
import { api, request } from "../api.js";
import { can, go, href, state, unit } from "../app.js";
import { busy, clear, errorText, exportButtons, field, h, makeForm, pager, table, toast, todayLocal } from "../ui.js";

export const PAGE_SIZE = 20;

/** The units of `levels` (the current one and those under it) where the user holds `perm`, as {id: name}. */
export function communityChoices(perm, levels = ["community"]) {
  const here = unit();
  if (!here) return {};
  const below = [...state.units.values()].filter((u) => u.id !== here.id && !u.retired && u.path.startsWith(here.path))
    .sort((a, b) => a.path.localeCompare(b.path));
  const out = {};
  for (const u of [here, ...below]) if (levels.includes(u.level) && can(perm, u.path)) out[u.id] = u.name;
  return out;
}

/** The org unit field of a form: the current unit chosen when the user may act in it. A grid worker logs a
 * visit in their grid (`levels`: community and grid). */
export function unitField(form, perm, { name = "org_unit_id", levels } = {}) {
  const choices = communityChoices(perm, levels);
  const only = Object.keys(choices).length === 1 ? Object.keys(choices)[0] : undefined;
  return field(form, { name, label: "所属单位", type: "select", options: choices, required: true, value: choices[state.org] ? state.org : only });
}

/** Tabs that are links (each tab a screen of its own, `?tab=`), the current one marked. */
export function tabBar(route, current, entries, keep = {}) {
  return h("nav", { class: "tabs wtabs", "aria-label": "分类" }, entries.map(([k, t]) =>
    h("a", { "aria-current": current === k ? "page" : null, class: current === k ? "on" : "", href: href(route, { ...keep, tab: k }),
      dataset: { tab: k } }, t)));
}

/** A filter bar: its fields (field() specs, their values from the address), 查询 goes to the route with them. */
export function filterBar(route, params, specs, keep = {}) {
  const form = makeForm();
  const el = h("form", { class: "filters card", role: "search", "aria-label": "筛选" },
    specs.map((s) => field(form, { ...s, value: params.get(s.name) ?? s.value })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查询")));
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    go(route, { ...keep, ...Object.fromEntries(specs.map((s) => [s.name, form.val(s.name)])) });
  });
  return el;
}

/** The filters of the address that a list takes (`from`/`to` and the named ones), for the API and the pager. */
export function filtersOf(params, names) {
  return Object.fromEntries(names.map((n) => [n, params.get(n) || undefined]).filter(([, v]) => v !== undefined));
}

export const PERIOD_FILTERS = [
  { name: "from", label: "开始日期", type: "date" },
  { name: "to", label: "结束日期", type: "date" },
];

/**
 * One page of a list with its pager and (for those who may export) 导出 Excel / CSV of the whole filtered list.
 * A failure is shown in the section (the rest of the page stays usable), never an empty table.
 */
export async function listSection({ title, path, query, columns, route, keep = {}, exportPath, exportName, onOpen, id, empty, oldestFirst = false }) {
  let page = Number(query.page || 1);
  const box = h("section", { class: "card", id, "aria-labelledby": id ? `${id}-title` : null });
  const head = h("div", { class: "section-head" }, h("h2", { id: id ? `${id}-title` : null }, title));
  box.append(head);
  try {
    let found = await api.get(path, { ...query, page, page_size: PAGE_SIZE });
    if (oldestFirst && !query.page && found.total > PAGE_SIZE) {
      // a ledger kept oldest first opens on its latest page: what was just written is what the user looks for
      page = Math.ceil(found.total / PAGE_SIZE);
      found = await api.get(path, { ...query, page, page_size: PAGE_SIZE });
    }
    if (exportPath && can("reports:export")) head.append(exportButtons(request, exportPath, query, exportName || title));
    box.append(h("p", { class: "muted small list-total", dataset: { total: String(found.total) } }, `共 ${found.total} 条`),
      table(columns, found.items, { caption: title, onOpen, empty }),
      pager({ page, pageSize: PAGE_SIZE, total: found.total, capped: found.total_capped, hasMore: found.items.length >= PAGE_SIZE, onPage: (n) => go(route, { ...keep, page: n }) }));
  } catch (err) {
    box.append(h("p", { class: "form-error", role: "alert" }, `无法加载：${errorText(err)}`));
  }
  return box;
}

/** A section whose body is loaded (figures, a record): an error is shown in it, the page stays. */
export async function loaded(title, load, render, attrs = {}) {
  const box = h("section", { class: "card", ...attrs }, h("h2", {}, title));
  try {
    box.append(render(await load()));
  } catch (err) {
    box.append(h("p", { class: "form-error", role: "alert" }, `无法加载：${errorText(err)}`));
  }
  return box;
}

/**
 * A form card: its fields (field() specs, or a function of the form returning nodes), one submit button;
 * `submit(form)` returns the API call's promise, `done(answer)` what follows (a toast and a new screen).
 */
export function formCard({ id, title, fields, submit, done, button = "提交", kind = "primary", note, heading = "h2", aliases, thumb = false }) {
  const form = makeForm();
  const body = typeof fields === "function" ? fields(form) : fields.map((s) => field(form, s));
  const titleId = `${id}-title`;
  const el = h("form", { class: `card form${thumb ? " thumb" : ""}`, novalidate: true, id, "aria-labelledby": titleId },
    h(heading, { id: titleId }, title), note ? h("p", { class: "hint" }, note) : null,
    h("div", { class: "grid2" }, body), form.error,
    h("div", { class: "actions" }, h("button", { type: "submit", class: `${kind} big` }, button)));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    try {
      const answer = await busy(el.querySelector("[type=submit]"), submit(form));
      await done(answer, form);
    } catch (err) { form.showApiError(err, aliases); }
  });
  return { el, form };
}

/** A page head: its title and the actions (links) the user may take. */
export function pageHead(title, ...actions) {
  return h("div", { class: "page-head" }, h("h1", {}, title), ...actions);
}

export function linkButton(text, path, params = {}, attrs = {}) {
  return h("a", { class: "button primary", href: href(path, params), ...attrs }, text);
}

export function done(message, path, params) {
  return () => { toast(message); go(path, params); };
}

export function thisMonth() { return todayLocal().slice(0, 7); }

/** A month's first and last day (YYYY-MM → [YYYY-MM-01, YYYY-MM-last]). */
export function monthBounds(month) {
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return [`${month}-01`, `${month}-${String(last).padStart(2, "0")}`];
}

/** An ISO time from a datetime-local input (China time), or undefined. */
export function fromLocalTime(v) {
  return v ? new Date(`${v}:00+08:00`).toISOString() : undefined;
}

export function nowLocalTime() {
  return new Date().toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" }).slice(0, 16).replace(" ", "T");
}

/** A masked value as the service gave it; nothing when empty. */
export function shown(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }

export { clear };
