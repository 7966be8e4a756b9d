// A small, dependency-free viewer of /api/openapi.json (works offline: nothing is loaded from elsewhere).
(function () {
  "use strict";
  var ops = document.getElementById("ops");
  var filter = document.getElementById("filter");
  var doc = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function resolve(schema, depth) {
    if (!schema || depth > 6) { return schema; }
    if (schema.$ref) {
      var name = schema.$ref.split("/").pop();
      return resolve(doc.components.schemas[name], depth + 1);
    }
    var out = {};
    Object.keys(schema).forEach(function (k) {
      var v = schema[k];
      if (k === "properties") {
        out[k] = {};
        Object.keys(v).forEach(function (p) { out[k][p] = resolve(v[p], depth + 1); });
      } else if (k === "items") { out[k] = resolve(v, depth + 1); } else { out[k] = v; }
    });
    return out;
  }

  function render() {
    var q = filter.value.toLowerCase();
    ops.textContent = "";
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        if (typeof op !== "object" || !op.responses) { return; }
        var tag = (op.tags && op.tags[0]) || "other";
        var text = (path + " " + (op.summary || "") + " " + tag).toLowerCase();
        if (q && text.indexOf(q) < 0) { return; }
        (byTag[tag] = byTag[tag] || []).push([method.toUpperCase(), path, op]);
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      ops.appendChild(el("h2", null, tag));
      byTag[tag].forEach(function (row) {
        var d = el("details");
        var s = el("summary");
        s.appendChild(el("span", "m " + row[0], row[0]));
        s.appendChild(document.createTextNode(row[1] + " "));
        s.appendChild(el("span", "s", row[2].summary || ""));
        d.appendChild(s);
        var op = row[2];
        var info = {};
        if (op.description) { info.description = op.description; }
        if (op.parameters) { info.parameters = op.parameters.map(function (p) { return resolve(p, 0); }); }
        if (op.requestBody) {
          info.requestBody = {};
          Object.keys(op.requestBody.content).forEach(function (ct) {
            info.requestBody[ct] = resolve(op.requestBody.content[ct].schema, 0);
          });
        }
        info.responses = {};
        Object.keys(op.responses).forEach(function (code) {
          var r = op.responses[code];
          var c = r.content && r.content["application/json"];
          info.responses[code] = c ? resolve(c.schema, 0) : r.description;
        });
        if (op.security) { info.security = "bearer token"; }
        d.appendChild(el("pre", null, JSON.stringify(info, null, 2)));
        ops.appendChild(d);
      });
    });
  }

  fetch("/api/openapi.json").then(function (r) { return r.json(); }).then(function (j) {
    doc = j;
    var missing = (j.info && j.info["x-services-unavailable"]) || [];
    if (missing.length) {
      document.getElementById("warn").textContent = "Not shown (service down): " + missing.join(", ");
    }
    render();
  }).catch(function (e) { ops.textContent = "could not load /api/openapi.json: " + e; });
  filter.addEventListener("input", function () { if (doc) { render(); } });
}());
