// The pieces the case screens (信访, 一站式服务, 平安建设: patrols, migrants, corrections, households) share:
// an action form that posts and reports, a filter bar kept in the address, a paged list with its export,
// tabs, and the units a user may act at. One place, so every list pages and fails the same way.
import { api, request } from "../api.js";
import { can, communitiesUnder, go, href, state, unit } from "../app.js";
import { badge, busy, errorText, exportButtons, field, h, makeForm, pager, table, toast } from "../ui.js";

/** The value a spec's field holds, as the API wants it (empty text is null unless `keepEmpty`). */
function valueOf(form, spec) {
  const v = form.val(spec.name);
  if (spec.type === "checkbox") return !!v;
  if (spec.type === "number") return v;
  return v === "" && !spec.keepEmpty ? null : v;
}

/**
 * A form that does one thing: fields from `specs`, one submit button, the API's field errors beside the fields.
 * `submit(body, form)` returns a promise; `done(result)` runs after (default: the page again).
 * `phone`: big targets, one column, the button at the bottom of the thumb's reach.
 */
export function actionForm({ id, title, specs, submit, done, button, aliases = {}, intro, phone = false, extra }) {
  const form = makeForm();
  const submitButton = h("button", { type: "submit", class: "primary", id: `${id}-submit` }, button || title);
  const el = h("form", { class: `card form${phone ? " thumb" : ""}`, novalidate: true, id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title), intro || null,
    h("div", { class: phone ? "one-column" : "grid2" }, specs.map((s) => field(form, { ...s, wide: s.wide ?? s.type === "textarea" }))),
    extra ? extra(form) : null,
    form.error, h("div", { class: "actions" }, submitButton));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const body = Object.fromEntries(specs.filter((s) => !s.local).map((s) => [s.name, valueOf(form, s)]));
    try {
      const result = await busy(submitButton, submit(body, form));
      toast(`${title}：已完成`);
      if (done) done(result); else go(location.hash.replace(/^#/, "").split("?")[0]);
    } catch (err) { form.showApiError(err, aliases); }
  });
  el.form = form;
  return el;
}

/** A filter bar whose values live in the address (`route?k=v`), so a filtered list can be bookmarked and paged. */
export function filterBar(route, params, specs, keep = {}) {
  const form = makeForm();
  const el = h("form", { class: "filters card", role: "search", "aria-label": "筛选" },
    specs.map((s) => field(form, { ...s, value: s.type === "checkbox" ? params.get(s.name) === "true" : params.get(s.name) ?? s.value })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查询"),
      h("button", { type: "button", onclick: () => go(route, keep) }, "重置")), form.error);
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const next = { ...keep };
    for (const s of specs) {
      const v = form.val(s.name);
      if (s.type === "checkbox") { if (v) next[s.name] = "true"; } else if (v !== null && v !== "") next[s.name] = v;
    }
    go(route, next);
  });
  el.form = form;
  return el;
}

/** The filters in the address that the API takes (`names`), as its query. */
export function queryFrom(params, names, base = {}) {
  const q = { ...base };
  for (const k of names) if (params.get(k)) q[k] = params.get(k);
  return q;
}

/**
 * One page of a list of the API (`{items, total, page, page_size}`), with its pager and, where the user may,
 * its export. Never truncated silently: the pager names the page and the total. A failure shows in the card.
 */
export async function listCard({ title, path, query, columns, params, route, keep = {}, caption, onOpen, exportName,
  size = 20, empty, id }) {
  const page = Number(params.get("page") || 1);
  const q = { ...query, page, page_size: size };
  const card = h("section", { class: "card", id: id || null, "aria-busy": "true" });
  let found;
  try {
    found = await api.get(`/api/v1/${path}`, q);
  } catch (err) {
    card.append(h("h2", {}, title), h("p", { class: "form-error", role: "alert" }, `无法读取：${errorText(err)}`));
    card.removeAttribute("aria-busy");
    return card;
  }
  const onPage = (n) => go(route, { ...keep, ...Object.fromEntries([...params].filter(([k]) => k !== "org")), page: n });
  card.append(
    h("div", { class: "section-head" }, h("h2", {}, `${title}（共 ${found.total}${found.total_capped ? "+" : ""} 条）`),
      exportName && can("reports:export") ? exportButtons(request, path, q, exportName) : null),
    table(columns, found.items, { caption: caption || title, onOpen, empty }),
    pager({ page, pageSize: size, total: found.total, capped: found.total_capped, hasMore: found.items.length >= size, onPage }));
  card.removeAttribute("aria-busy");
  card.items = found.items;
  return card;
}

/** Tabs that are links (`route?tab=k`): a list per tab, the address names it. */
export function tabLinks(route, current, list, label = "分类") {
  return h("nav", { class: "tabs", "aria-label": label }, list.map(([k, t]) =>
    h("a", { class: current === k ? "on" : "", "aria-current": current === k ? "page" : null, href: href(route, { tab: k }), dataset: { tab: k } }, t)));
}

/** The units here and below (communities, or the unit itself) where the user holds `perm`: {id: name}. */
export function unitsWhere(perm, { communitiesOnly = false } = {}) {
  const out = {};
  for (const u of [unit(), ...communitiesUnder(state.org)]) {
    if (!u || (communitiesOnly && u.level !== "community")) continue;
    if (can(perm, u.path)) out[u.id] = u.name;
  }
  return out;
}

/** The unit to preselect: the current one when it is among `targets`, else the only one. */
export function preferred(targets) {
  if (targets[state.org]) return state.org;
  const ids = Object.keys(targets);
  return ids.length === 1 ? ids[0] : undefined;
}

/** Codes named in a service's own words: [{code, name}] → {code: name}. */
export function named(list) {
  return Object.fromEntries((list || []).map((x) => [x.code, x.name]));
}

export function yesNo(v, yes = "是", no = "否") {
  return v ? badge(yes, "ok") : no;
}

/** Beijing now as a `datetime-local` value and back to an ISO time with its zone (the API refuses zoneless times). */
export function localNow() {
  return new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 16);
}
export function isoFromLocal(v) {
  return v ? `${v}:00+08:00` : null;
}

/** A scan the worker runs on a schedule, run now for the unit in view (its answer told, then the list again). */
export function scanButton(path, text, told) {
  return h("div", { class: "actions" }, h("button", { type: "button", class: "scan", onclick: async (e) => {
    try {
      const r = await busy(e.currentTarget, api.post(`${path}?org_unit=${encodeURIComponent(state.org)}`, {}));
      toast(told(r));
      go(location.hash.replace(/^#/, "").split("?")[0], Object.fromEntries(new URLSearchParams(location.hash.split("?")[1] || "")));
    } catch (err) { toast(errorText(err), "bad"); }
  } }, text));
}
