// Small DOM helpers: elements, forms that validate as the user types, tables with paging, notices.
import { STATUS_TEXT } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  const v = Number(fen) / 100;
  return v.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function num(v) {
  if (v === null || v === undefined) return "—";
  return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
}

export function pct(v) {
  return v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`;
}

export function day(iso) {
  if (!iso) return "";
  const d = new Date(iso.length === 10 ? iso + "T00:00:00+08:00" : iso);
  if (isNaN(d)) return iso;
  return d.toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" });
}

export function dateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

export function todayLocal() {
  return new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
}

let toastTimer = null;
export function toast(message, kind = "ok") {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = "toast"; }, 4000);
}

export function errorText(err) {
  if (err && err.message) return err.message;
  return STATUS_TEXT[err && err.status] || "操作失败";
}

// ---- forms

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

export const validators = {
  idNumber(v) {
    if (!v) return null;
    const s = v.toUpperCase();
    if (!/^\d{17}[\dX]$/.test(s)) return "身份证号应为17位数字加一位数字或X";
    const y = +s.slice(6, 10), m = +s.slice(10, 12), d = +s.slice(12, 14);
    const dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return "身份证号中的出生日期不存在";
    const sum = ID_WEIGHTS.reduce((a, w, i) => a + w * +s[i], 0);
    if (ID_CHECK[sum % 11] !== s[17]) return "身份证号校验位错误";
    return null;
  },
  mobile(v) { return !v || /^1\d{10}$/.test(v) ? null : "手机号应为以1开头的11位数字"; },
  yuan(v) { return !v || /^\d{1,9}(\.\d{1,2})?$/.test(v) ? null : "金额（元），最多两位小数"; },
  notPast(v) { return !v || v >= todayLocal() ? null : "不能早于今天"; },
};

export function toFen(v) {
  if (!v) return 0;
  const [i, f = ""] = String(v).split(".");
  return Number(i) * 100 + Number((f + "00").slice(0, 2));
}

let fieldSeq = 0;

/** A labelled input with its own error line; `check` returns a message or null. */
export function field(form, { name, label, type = "text", required = false, options, value, check, hint,
  min, max, maxlength, rows, placeholder, wide = false }) {
  const id = `f${++fieldSeq}-${name.replace(/\W/g, "_")}`;
  const errId = `${id}-err`;
  let input;
  const common = { id, name, required, "aria-describedby": errId, placeholder };
  if (type === "select") {
    input = h("select", common, required ? null : h("option", { value: "" }, "—"),
      Object.entries(options || {}).map(([v, t]) => h("option", { value: v }, t)));
  } else if (type === "textarea") {
    input = h("textarea", { ...common, rows: rows || 3, maxlength });
  } else if (type === "checkbox") {
    input = h("input", { ...common, type: "checkbox", required: false });
  } else {
    input = h("input", { ...common, type, min, max, maxlength, autocomplete: "off" });
  }
  if (value !== undefined && value !== null) {
    if (type === "checkbox") input.checked = !!value; else input.value = value;
  }
  const err = h("p", { class: "err", id: errId, role: "alert", "aria-live": "polite" });
  const wrap = h("div", { class: `field${wide ? " wide" : ""}${type === "checkbox" ? " check" : ""}`, dataset: { field: name } },
    type === "checkbox" ? h("label", { for: id }, input, " ", label) : h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
    type === "checkbox" ? null : input, hint ? h("p", { class: "hint" }, hint) : null, err);
  const f = {
    name, input, wrap, touched: false,
    value() {
      if (type === "checkbox") return input.checked;
      if (type === "number") return input.value === "" ? null : Number(input.value);
      return input.value.trim();
    },
    validate(show = true) {
      let msg = null;
      const v = f.value();
      if (required && (v === "" || v === null)) msg = "必填";
      else if (maxlength && typeof v === "string" && v.length > maxlength) msg = `最多 ${maxlength} 个字`;
      else if (type === "number" && v !== null && ((min !== undefined && v < min) || (max !== undefined && v > max))) {
        msg = `应在 ${min ?? ""} 到 ${max ?? ""} 之间`;
      } else if (check) msg = check(v, form);
      if (show) f.show(msg);
      return !msg;
    },
    show(msg) {
      err.textContent = msg || "";
      wrap.classList.toggle("invalid", !!msg);
      input.setAttribute("aria-invalid", msg ? "true" : "false");
    },
  };
  const live = () => { f.touched = true; f.validate(true); };
  input.addEventListener("input", live);
  input.addEventListener("change", live);
  form.fields.push(f);
  return wrap;
}

export function makeForm() {
  const form = {
    fields: [],
    error: h("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    get(name) { return form.fields.find((f) => f.name === name); },
    val(name) { const f = form.get(name); return f ? f.value() : undefined; },
    validate() {
      let ok = true;
      for (const f of form.fields) if (f.wrap.isConnected && !f.validate(true)) ok = false;
      form.error.textContent = ok ? "" : "请修改标红的内容";
      if (!ok) { const bad = form.fields.find((f) => f.wrap.classList.contains("invalid")); bad && bad.input.focus(); }
      return ok;
    },
    /** The API's field errors next to their fields (dotted paths, e.g. petitioners.0.id_number). */
    showApiError(err, aliases = {}) {
      const fields = (err && err.fields) || {};
      const unplaced = [];
      for (const [path, msgs] of Object.entries(fields)) {
        const f = form.get(aliases[path] || path);
        if (f && f.wrap.isConnected) f.show(msgs.join("；"));
        else unplaced.push(msgs.join("；"));
      }
      form.error.textContent = [errorText(err), ...unplaced].join("　");
      const bad = form.fields.find((f) => f.wrap.classList.contains("invalid"));
      if (bad) bad.input.focus();
    },
    remove(prefix) { form.fields = form.fields.filter((f) => !f.name.startsWith(prefix)); },
  };
  return form;
}

export function busy(button, promise) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  return Promise.resolve(promise).finally(() => { button.disabled = false; button.removeAttribute("aria-busy"); });
}

/** Save a fetch Response as a file the user downloads. */
export async function saveAs(resp, filename) {
  const blob = await resp.blob();
  const a = h("a", { href: URL.createObjectURL(blob), download: filename, hidden: true });  // no empty link for a moment
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

/** 导出 Excel / CSV of a list as the user filtered it (the gateway pages through it; paging keys are dropped). */
export function exportButtons(request, listPath, query, name) {
  const drop = new Set(["page", "page_size", "after", "limit", "offset", "skip"]);
  const filters = Object.fromEntries(Object.entries(query).filter(([k]) => !drop.has(k)));
  const one = (fmt, text) => h("button", {
    type: "button", class: "export", "data-format": fmt,
    onclick: async (e) => {
      try {
        const resp = await busy(e.currentTarget, request("GET", `/api/v1/exports/${listPath}`, { query: { ...filters, format: fmt }, raw: true }));
        await saveAs(resp, `${name}.${fmt}`);
      } catch (err) {
        toast(errorText(err), "error");
      }
    },
  }, text);
  return h("span", { class: "export-buttons" }, one("xlsx", "导出 Excel"), one("csv", "导出 CSV"));
}

// ---- tables

/** columns: [{title, render(row) -> node|string, class}]; onOpen(row) makes rows keyboard-openable. */
export function table(columns, rows, { onOpen, rowClass, empty = "暂无数据", caption } = {}) {
  return h("div", { class: "table-wrap" }, h("table", {},
    caption ? h("caption", { class: "sr-only" }, caption) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.title)))),
    h("tbody", {}, rows.length === 0
      ? h("tr", {}, h("td", { colspan: columns.length, class: "empty" }, empty))
      : rows.map((r) => {
        const tr = h("tr", { class: [onOpen ? "clickable" : "", rowClass ? rowClass(r) : ""].join(" ").trim() || null },
          columns.map((c) => h("td", { class: c.class }, c.render(r))));
        if (onOpen) {
          tr.tabIndex = 0;
          tr.addEventListener("click", (e) => { if (!e.target.closest("a,button")) onOpen(r); });
          tr.addEventListener("keydown", (e) => { if (e.key === "Enter") onOpen(r); });
        }
        return tr;
      }))));
}

/** Pages by number (the address keeps `page`; api.js asks a page reached by walking by its cursor). A list counted
 *  only up to `total`'s cap (`capped`) names no last page and goes on while a page comes back full. */
export function pager({ page, pageSize, total, hasMore, capped = false, onPage }) {
  const pages = total !== undefined && !capped ? Math.max(1, Math.ceil(total / pageSize)) : null;
  const more = pages ? page < pages : Boolean(hasMore);
  return h("nav", { class: "pager", "aria-label": "分页" },
    h("button", { type: "button", disabled: page <= 1, onclick: () => onPage(page - 1) }, "上一页"),
    h("span", {}, pages ? `第 ${page} / ${pages} 页，共 ${total} 条` : capped ? `第 ${page} 页，共 ${total} 条以上` : `第 ${page} 页`),
    h("button", { type: "button", disabled: !more, onclick: () => onPage(page + 1) }, "下一页"));
}

export function badge(text, kind = "") {
  return h("span", { class: `badge ${kind}` }, text);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function dl(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "")]));
}

// ---- 志愿服务 · 党建 · 系统管理 (#22): dialogs, filter bars, paged list sections

/** A modal dialog (the native <dialog>): Escape closes it and focus returns to what opened it.
 *  `build(close)` returns the dialog's content (usually a form whose submit calls close()). */
export function openDialog(title, build, { shell = false } = {}) {
  const opener = document.activeElement;
  const titleId = `dlg-${++fieldSeq}`;
  const dlg = h("dialog", { class: "dialog", "aria-labelledby": titleId });
  const close = () => { if (dlg.open) dlg.close(); };
  dlg.addEventListener("close", () => { dlg.remove(); if (opener && opener.isConnected) opener.focus(); });
  dlg.append(h("h2", { id: titleId }, title), build(close),
    h("button", { type: "button", class: "link dialog-close", onclick: close }, "关闭（Esc）"));
  // A page's dialog lives in #main, so leaving the page (back, a menu entry) takes it away with the page; the shell's
  // own (修改密码) lives in the body, so the page still loading behind it cannot wipe it out under the user's hands.
  (shell ? document.body : document.getElementById("main") || document.body).append(dlg);
  dlg.showModal();
  const first = dlg.querySelector("input:not([type=hidden]),select,textarea");
  if (first) first.focus();
  return dlg;
}

/** A filter bar from field specs, filled from the address; Enter or 查询 calls onFilter({name: value}). */
export function filterBar(specs, params, onFilter, onReset) {
  const form = makeForm();
  const el = h("form", { class: "filters card", role: "search", "aria-label": "筛选", novalidate: true },
    specs.map((s) => field(form, { ...s, value: s.type === "checkbox" ? params.get(s.name) === "true" : params.get(s.name) })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "查询"),
      h("button", { type: "button", onclick: onReset }, "重置")), form.error);
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const out = {};
    for (const s of specs) { const v = form.val(s.name); out[s.name] = s.type === "checkbox" ? (v ? "true" : "") : v; }
    onFilter(out);
  });
  return { el, form };
}

/** The list query from the address: the named filters, and page / page_size (a Beijing day for from/to when `days`). */
export function listQuery(params, names, base = {}, { days = false, pageSize = 20 } = {}) {
  const q = { ...base, page: Number(params.get("page") || 1), page_size: pageSize };
  for (const k of names) if (params.get(k)) q[k] = params.get(k);
  if (days) {
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.from || "")) q.from += "T00:00:00+08:00";
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.to || "")) q.to += "T23:59:59.999999+08:00";
  }
  return q;
}

/** A list as a card: its title with the count (and export), the table, the pager; every row is reachable. */
export function listSection({ title, found, query, columns, onPage, caption, onOpen, exporter, id }) {
  return h("section", { class: "card", id },
    h("div", { class: "section-head" }, h("h2", {}, `${title}（共 ${found.total ?? found.items.length} 条）`), exporter || null),
    table(columns, found.items, { caption: caption || title, onOpen }),
    pager({ page: query.page, pageSize: query.page_size, total: found.total, capped: found.total_capped,
      hasMore: found.items.length >= query.page_size, onPage }));
}

/** A small form in a card (or a dialog): fields, its error line, one submit button; Enter submits.
 *  `send(values)` does the request; its field errors are shown next to the fields. */
export function actionForm({ id, title, fields: specs, submit = "保存", send, cls = "card form" }) {
  const form = makeForm();
  const button = h("button", { type: "submit", class: "primary" }, submit);
  const el = h("form", { class: cls, novalidate: true, id }, title ? h("h2", {}, title) : null,
    h("div", { class: "grid2" }, specs.map((s) => field(form, s))), form.error, h("div", { class: "actions" }, button));
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const values = Object.fromEntries(form.fields.map((f) => [f.name, f.value()]));
    try { await busy(button, send(values, form)); } catch (err) { form.showApiError(err); }
  });
  return el;
}

// ---- attachments (#22): one upload field for a record's photos and documents (docs/attachments.md)

const ATTACHMENT_TYPES = "image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx";
const ATTACHMENT_MAX_MB = 10;

/**
 * A file field that shows the chosen photo as a thumbnail before it is sent, with the choice to keep where it
 * was taken (off by default: the service removes the position otherwise). `send(path, post)` posts it to a
 * record's `…/attachments` with `post(path, FormData)` (api.post with idempotent: true) and returns the
 * attachment; the service's 422 (`file`) is shown under the field.
 */
export function attachmentField({ label = "照片或文件", hint = `照片（JPG、PNG）或 PDF、Word、Excel，每个不超过 ${ATTACHMENT_MAX_MB} MB` } = {}) {
  const id = `f${++fieldSeq}-attachment`;
  const input = h("input", { id, type: "file", accept: ATTACHMENT_TYPES, "aria-describedby": `${id}-err ${id}-hint` });
  const keep = h("input", { id: `${id}-gps`, type: "checkbox" });
  const preview = h("img", { class: "attachment-preview", alt: "", hidden: true, width: 160 });
  const err = h("p", { class: "err", id: `${id}-err`, role: "alert", "aria-live": "polite" });
  let shown = null;
  const show = (msg) => { err.textContent = msg || ""; input.setAttribute("aria-invalid", msg ? "true" : "false"); };
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (shown) URL.revokeObjectURL(shown);
    shown = null;
    preview.hidden = true;
    show(file && file.size > ATTACHMENT_MAX_MB * 1048576 ? `文件太大，每个附件最大 ${ATTACHMENT_MAX_MB} MB` : "");
    if (file && file.type.startsWith("image/")) {
      shown = URL.createObjectURL(file);
      preview.src = shown;
      preview.alt = `已选择的照片：${file.name}`;
      preview.hidden = false;
    }
  });
  const wrap = h("div", { class: "field wide", dataset: { field: "file" } },
    h("label", { for: id }, label), input, h("p", { class: "hint", id: `${id}-hint` }, hint), preview,
    h("label", { for: keep.id, class: "check" }, keep, " 附上拍摄地点（照片里的位置信息）"), err);
  return {
    wrap,
    async send(path, post) {
      const file = input.files[0];
      if (!file) { show("请选择要上传的照片或文件"); throw new Error("no file"); }
      const form = new FormData();
      form.append("file", file);
      form.append("keep_location", keep.checked ? "true" : "false");
      try {
        return await post(path, form);
      } catch (e) {
        show((e.fields && e.fields.file && e.fields.file[0]) || errorText(e));  // the service's words (api.js ApiError)
        throw e;
      }
    },
  };
}

// attachments (#22): a record's files on its page, and the upload where the work happens (docs/attachments.md)

/** An attachmentField for a phone's camera (a grid worker's photo of the scene, taken with one thumb). */
export function photoField(opts = {}) {
  const f = attachmentField({ label: "现场照片", hint: `拍照或选择照片（JPG、PNG、WebP），不超过 ${ATTACHMENT_MAX_MB} MB`, ...opts });
  const input = f.wrap.querySelector("input[type=file]");
  input.setAttribute("accept", "image/*");
  input.setAttribute("capture", "environment");  // the back camera opens directly on a phone; a desk gets its file dialog
  return f;
}

/** Whether a field made by attachmentField/photoField has a file chosen. */
export function fileChosen(f) {
  return f.wrap.querySelector("input[type=file]").files.length > 0;
}

/** Send a chosen file to `path` (…/attachments) with its `label`; the service's 422 stays under the field. */
export function sendAttachment(f, path, post, label) {
  return f.send(path, (p, form) => { if (label) form.append("label", label); return post(p, form); });
}

const attachmentUrls = new Set();  // thumbnails fetched with the caller's token, freed when their page is left
window.addEventListener("hashchange", () => { for (const u of attachmentUrls) URL.revokeObjectURL(u); attachmentUrls.clear(); });

/**
 * A record's attachments as a card: each file with its thumbnail (a photo) or its type, its label, who sent it
 * and when, 下载, and 删除 for its sender or who may change the record (`canEdit`) while the record is open
 * (`closed`: kept, as the service keeps them); the upload below when `canAdd`. `required` (a welfare programme's
 * documents) lists which are still missing by label. `api` is { get, raw, post, del } of api.js.
 */
export function attachmentsCard({ path, api: io, me, title = "附件", canAdd = true, canEdit = false, closed = false,
  camera = false, required = [], id = "attachments" }) {
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" }, "正在加载附件…");
  const list = h("ul", { class: "attachments", id: `${id}-list` });
  const missing = h("div", { id: `${id}-required` });
  const card = h("section", { class: "card", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title), missing, status, list);
  const load = async () => {
    status.textContent = "正在加载附件…";
    let found;
    try {
      found = await io.get(path, { page_size: 100 });
    } catch (e) {
      status.textContent = `附件加载失败：${errorText(e)}`;
      return;
    }
    const items = found.items || [];
    status.textContent = items.length ? `共 ${items.length} 个附件` : "还没有附件";
    const have = new Set(items.map((a) => a.label).filter(Boolean));
    clear(missing, required.length ? h("ul", { class: "required-materials", "aria-label": "所需材料" }, required.map((d) =>
      h("li", { dataset: { material: d, provided: have.has(d) ? "true" : "false" } },
        have.has(d) ? badge("已上传", "ok") : badge("缺", "warn"), " ", d))) : null,
    required.length ? h("p", { class: "small", id: `${id}-missing` }, required.every((d) => have.has(d))
      ? "所需材料已齐全" : `还缺：${required.filter((d) => !have.has(d)).join("、")}`) : null);
    clear(list, items.map((a) => attachmentItem(a, { path, io, me, canEdit, closed, reload: load })));
  };
  if (canAdd) {
    const f = camera ? photoField() : attachmentField();
    const form = makeForm();
    const labels = Object.fromEntries(required.map((d) => [d, d]));
    const button = h("button", { type: "submit", class: "primary", id: `${id}-upload` }, "上传");
    const sending = h("p", { class: "muted", role: "status", "aria-live": "polite" });
    const el = h("form", { class: "form attachment-upload", novalidate: true, id: `${id}-form` },
      required.length ? field(form, { name: "label", label: "材料名称", type: "select", options: { ...labels, 其他: "其他材料" }, value: required[0] })
        : field(form, { name: "label", label: "说明（可不填，如：现场照片、身份证复印件）", maxlength: 200 }),
      f.wrap, sending, h("div", { class: "actions" }, button));
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      sending.textContent = "正在上传…";
      try {
        await busy(button, sendAttachment(f, path, io.post, form.val("label")));
        const input = f.wrap.querySelector("input[type=file]");
        input.value = "";
        input.dispatchEvent(new Event("change"));
        sending.textContent = "已上传";
        toast("附件已上传");
        await load();
      } catch (err) {
        sending.textContent = "";  // why it was not taken stays under the field, in the service's words
      }
    });
    card.append(el);
  }
  card.reload = load;
  load();
  return card;
}

function attachmentItem(a, { path, io, me, canEdit, closed, reload }) {
  const one = `${path}/${encodeURIComponent(a.id)}`;
  const thumb = h("span", { class: "attachment-thumb", "aria-hidden": a.has_thumbnail ? null : "true" },
    a.has_thumbnail ? "…" : (a.kind || "").toUpperCase());
  if (a.has_thumbnail) {
    io.raw(`${one}/thumbnail`).then((r) => r.blob()).then((b) => {
      const url = URL.createObjectURL(b);
      attachmentUrls.add(url);
      clear(thumb, h("img", { src: url, alt: `${a.label || "照片"}：${a.filename}`, class: "attachment-thumbnail", width: 96 }));
    }).catch(() => { thumb.textContent = "缩略图无法显示"; });
  }
  const download = h("button", { type: "button", class: "link", "aria-label": `下载 ${a.filename}` }, "下载");
  download.addEventListener("click", async () => {
    try { await saveAs(await busy(download, io.raw(one)), a.filename); } catch (err) { toast(errorText(err), "error"); }
  });
  const mayRemove = !closed && (a.uploaded_by === me || canEdit);
  let remove = null;
  if (mayRemove) {
    // two presses, no browser dialog: the first asks, the second removes (a thumb may touch it by chance)
    remove = h("button", { type: "button", class: "link danger", "aria-label": `删除 ${a.filename}` }, "删除");
    remove.addEventListener("click", async () => {
      if (remove.dataset.confirm !== "true") {
        remove.dataset.confirm = "true";
        remove.textContent = "确认删除";
        return;
      }
      try {
        await busy(remove, io.del(one));
        toast("附件已删除");
        await reload();
      } catch (err) { toast(errorText(err), "error"); }
    });
  }
  return h("li", { class: "attachment", dataset: { attachmentId: a.id, kind: a.kind } }, thumb,
    h("div", { class: "attachment-text" }, h("strong", {}, a.filename), a.label ? h("span", {}, ` · ${a.label}`) : null,
      h("div", { class: "small muted" }, `${a.uploaded_by_name || a.uploaded_by} · ${dateTime(a.uploaded_at)}`,
        a.location_kept ? " · 含拍摄地点" : "", a.size ? ` · ${(a.size / 1024).toFixed(0)} KB` : "")),
    h("div", { class: "attachment-actions" }, download, remove));
}
