// A collection GET (docs/api-style.md § Lists) answers {items, total, page, page_size} and takes
// page, page_size and org_unit. A GET is taken for a collection when its last path segment is a
// literal name and it answers an array, an `items` array, or takes paging parameters of any dialect.
// tests/api/test_api_style.py (is_collection) reads the document the same way.
// (`limit` alone is a "top N" of figures, not paging: the legacy-parameter rule names it)
// A collection under a path that names its org unit (`/fund/{org_unit_id}/entries`: one unit's ledger)
// needs no `org_unit`: every record of it is that unit's, so a subtree filter could only answer all or
// nothing, and a second place to name the unit could contradict the first.
const PAGING = new Set(["page", "page_size", "offset", "skip"]);
const ENVELOPE = ["items", "total", "page", "page_size"];
const PARAMS = ["page", "page_size", "org_unit"];

export default (op, _options, context) => {
  const path = context.path[1];
  const last = path.split("/").pop();
  if (last.startsWith("{") || last.includes(".")) return [];
  const schema = (((op.responses || {})["200"] || {}).content || {})["application/json"];
  const body = (schema && schema.schema) || {};
  const props = body.properties || {};
  const params = (op.parameters || []).filter((p) => p.in === "query").map((p) => p.name);
  if (!(body.type === "array" || "items" in props || params.some((p) => PAGING.has(p)))) return [];
  const out = [];
  if (body.type === "array") {
    out.push({ message: `${path}: a collection answers the envelope {items, total, page, page_size}, not a bare array` });
  } else {
    const lacking = ENVELOPE.filter((k) => !(k in props));
    if (lacking.length) out.push({ message: `${path}: the list envelope lacks ${lacking.join(", ")}` });
  }
  const ownUnit = path.split("/").includes("{org_unit_id}");
  const missing = PARAMS.filter((p) => !params.includes(p) && !(p === "org_unit" && ownUnit));
  if (missing.length) out.push({ message: `${path}: a collection takes the query parameters ${missing.join(", ")}` });
  return out;
};
