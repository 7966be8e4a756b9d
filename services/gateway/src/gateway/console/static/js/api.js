// The gateway's JSON API: bearer token, one silent refresh on 401, field errors flattened to dotted paths.
import { zhMessage } from "./i18n.js";

const KEY = "liandong.session";

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(zhMessage(err.message || `HTTP ${status}`));
    this.status = status;
    this.code = err.code || "http_" + status;
    this.fields = flatten(err.fields || {});
  }
}

export function flatten(fields, prefix = "", out = {}) {
  if (Array.isArray(fields)) {
    out[prefix || "_schema"] = fields.map((m) => (typeof m === "string" ? zhMessage(m) : JSON.stringify(m)));
    return out;
  }
  for (const [k, v] of Object.entries(fields || {})) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

export const session = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; }
  },
  set(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); },
  clear() { sessionStorage.removeItem(KEY); },
};

/** A random key; crypto.randomUUID exists only on HTTPS or localhost, and offices often use http://<LAN address>. */
function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

// One key per request until it is answered: submitting the same form again after a network error,
// a timeout or a 5xx sends the same key, so the service stores it once (issue #16).
const unanswered = new Map();
// What a request is, for its key: JSON.stringify of a FormData is always "{}", so an upload is named by its fields
// and files (name, size, last change): another file chosen after a network error is another request, not a retry.
function bodyIdentity(body) {
  if (typeof FormData !== "undefined" && body instanceof FormData) {
    return JSON.stringify([...body.entries()].map(([k, v]) =>
      [k, typeof File !== "undefined" && v instanceof File ? `file:${v.name}:${v.size}:${v.lastModified}` : v]));
  }
  return JSON.stringify(body ?? null);
}

function keyFor(method, path, body) {
  const id = `${method} ${path} ${bodyIdentity(body)}`;
  if (!unanswered.has(id)) unanswered.set(id, newKey());
  return [id, unanswered.get(id)];
}

let refreshing = null;

async function refresh() {
  const s = session.get();
  if (!s || !s.refresh_token) return false;
  if (!refreshing) {
    refreshing = fetch("/api/v1/auth/refresh", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: s.refresh_token }),
    }).then(async (r) => {
      if (!r.ok) return false;
      const t = await r.json();
      session.set({ ...s, access_token: t.access_token, refresh_token: t.refresh_token, user: t.user || s.user });
      return true;
    }).catch(() => false).finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  }
  return refreshing;
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

export async function request(method, path, { body, query, raw = false, idempotent = false } = {}, retried = false) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Accept: raw ? "*/*" : "application/json" };
  const s = session.get();
  if (s && s.access_token) headers.Authorization = `Bearer ${s.access_token}`;
  const form = body instanceof FormData;  // an upload (a ledger to import): the browser sets its multipart type
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  let keyId = null;
  if (idempotent) [keyId, headers["Idempotency-Key"]] = keyFor(method, path, body);
  let resp;
  try {
    resp = await fetch(url, { method, headers, body: body === undefined || form ? body : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { error: { code: "network", message: "network error" } });  // the key stays
  }
  if (keyId && resp.status < 500 && ![401, 409, 429].includes(resp.status)) unanswered.delete(keyId);
  if (resp.status === 401 && !retried && s && !path.startsWith("/api/v1/auth/")) {
    if (await refresh()) return request(method, path, { body, query, raw, idempotent }, true);
    session.clear();
    onUnauthorized();
  }
  if (!resp.ok) {
    let data = null;
    try { data = await resp.json(); } catch { /* not JSON */ }
    throw new ApiError(resp.status, data);
  }
  if (raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

// Paging by cursor (docs/api-style.md, "Walking a list by cursor"): a page asked by number skips every record before
// it (page 500 skips 9 980), a page asked by the `next` of the page before costs what the first page costs. Every
// screen keeps page numbers in its address; the client remembers, for each list (its path, filters and page size),
// the `next` each page answered, and asks page n + 1 — or page n again, back, reloaded — by that cursor. A page not
// reached by walking (an address typed or shared) is asked by number, and so is a page whose cursor the list
// refuses (422 naming `after`). The answer keeps the page number the screen asked for.
const CURSORS_KEPT = 500;
const cursors = new Map();  // `${path}?${filters}` + page number → the cursor that reaches that page

function listKey(path, query) {
  const { page, after, ...rest } = query;
  return `${path}?${new URLSearchParams(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null && v !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1))).toString()}#`;
}

function keepCursor(key, page, next) {
  cursors.delete(key + page);
  if (next) cursors.set(key + page, next);
  if (cursors.size > CURSORS_KEPT) cursors.delete(cursors.keys().next().value);  // the oldest first
}

async function getPage(path, query) {
  const page = Number(query.page || 1);
  const key = listKey(path, query);
  const after = page > 1 && !query.after ? cursors.get(key + page) : undefined;
  let found;
  if (after) {
    const { page: _shown, ...byCursor } = query;
    try {
      found = await request("GET", path, { query: { ...byCursor, after } });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422 || !err.fields.after) throw err;
      cursors.delete(key + page);
    }
  }
  if (!found) found = await request("GET", path, { query });
  if (found && Array.isArray(found.items)) {
    if (found.page === null) found.page = page;
    keepCursor(key, page + 1, found.next);
  }
  return found;
}

/** Every item of a list however long (a picker, a choice, a catalogue), page after page: by cursor where the list
 *  answers `next`, by number where it is paged by number only; never cut at a page or at `total`'s 10 000. */
export async function everyItem(path, query = {}, size = 100) {
  let found = await request("GET", path, { query: { ...query, page_size: size } });
  const out = [...found.items];
  if (found.next) {
    while (found.next) {
      found = await request("GET", path, { query: { ...query, page_size: size, after: found.next } });
      out.push(...found.items);
    }
    return out;
  }
  for (let page = 2; found.items.length === size && (found.total_capped || out.length < found.total); page++) {
    found = await request("GET", path, { query: { ...query, page_size: size, page } });
    out.push(...found.items);
  }
  return out;
}

export const api = {
  // a list's page (`page` in the query) by its remembered cursor where there is one; anything else as asked
  get: (path, query) => (query && query.page !== undefined && query.page !== null && !query.after
    ? getPage(path, query) : request("GET", path, { query })),
  post: (path, body, opts = {}) => request("POST", path, { body: body ?? {}, ...opts }),
  put: (path, body) => request("PUT", path, { body }),
  raw: (path, query) => request("GET", path, { query, raw: true }),
};

// A service's codes and their names (programmes, categories, activity types) come from the service
// itself, asked once per page load; the console keeps no copy. `pick(answer)` finds the list
// ([{<codeKey>, name}]) or the map ({code: {name}} or {code: name}) in the service's answer.
const vocabularies = new Map();
export function vocabulary(path, pick, codeKey = "code") {
  if (!vocabularies.has(path)) {
    vocabularies.set(path, api.get(path).then((answer) => {
      const found = pick(answer) || {};
      const pairs = Array.isArray(found) ? found.map((x) => [x[codeKey], x.name || x[codeKey]])
        : Object.entries(found).map(([code, v]) => [code, (v && v.name) || v]);
      return Object.fromEntries(pairs);
    }).catch(() => { vocabularies.delete(path); return {}; }));  // unavailable now: codes, and ask again later
  }
  return vocabularies.get(path);
}

export async function login(username, password) {
  const t = await request("POST", "/api/v1/auth/login", { body: { username, password } });
  session.set({ access_token: t.access_token, refresh_token: t.refresh_token, user: t.user });
  const me = await api.get("/api/v1/auth/me");
  session.set({ ...session.get(), permissions: me.permissions });
  return session.get();
}

export async function logout() {
  try { await request("POST", "/api/v1/auth/logout", { body: {} }); } catch { /* already gone */ }
  session.clear();
}

// 角色与职责 (#22): the platform's roles and duties with their names, from the gateway (GET /api/v1/auth/roles, which
// reads liandong.auth): the console keeps no copy. Asked once per page load; unavailable now: codes, and ask again later.
let roleNamesOnce = null;
export function roleVocabulary() {
  const byCode = (list) => Object.fromEntries((list || []).map((x) => [x.code, x.name]));
  if (!roleNamesOnce) {
    roleNamesOnce = api.get("/api/v1/auth/roles").then((a) => ({ roles: byCode(a.roles), duties: byCode(a.duties) }))
      .catch(() => { roleNamesOnce = null; return { roles: {}, duties: {} }; });
  }
  return roleNamesOnce;
}

// attachments (#22): what attachmentsCard (ui.js) uses: the list, a file or thumbnail with the token, upload, remove
export const attachmentsApi = {
  get: (path, query) => request("GET", path, { query }),
  raw: (path) => request("GET", path, { raw: true }),
  post: (path, form) => request("POST", path, { body: form, idempotent: true }),
  del: (path) => request("DELETE", path),
};
