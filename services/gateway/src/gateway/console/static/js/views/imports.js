// 数据导入: an office's ledger (XLSX/CSV) into the service that owns the data (liandong.imports). Pick the ledger,
// download its template, upload → every row checked (行/列/说明), then write all or none, or only the good rows;
// a large file runs as a job whose progress is polled; the rows not imported come back as an XLSX to fix.
import { request } from "../api.js";
import { canAnywhere, register } from "../app.js";
import { badge, busy, clear, dateTime, errorText, h, saveAs, table } from "../ui.js";

const SERVICES = [
  ["gateway", "组织与账号"], ["welfare", "民政"], ["volunteer", "志愿服务"], ["security", "平安建设"], ["petition", "信访"],
];
const JOB_STATUS = { running: "导入中", done: "已完成", failed: "中途失败", interrupted: "已中断" };
const POLL_MS = 700;

/** Every ledger the user may import: each service's GET /imports/kinds (a service without imports is skipped). */
async function ledgers() {
  const lists = await Promise.all(SERVICES.map(([service, title]) =>
    request("GET", `/api/v1/${service}/imports/kinds`)
      .then((answer) => (answer.items || []).filter((k) => canAnywhere(k.permission))
        .map((k) => ({ ...k, service, serviceTitle: title })))
      .catch(() => [])));
  return lists.flat();
}

function problemsTable(problems) {
  return table([
    { title: "行", render: (p) => (p.row === null || p.row === undefined ? "—" : String(p.row)) },
    { title: "列", render: (p) => (p.column ? `${p.column}「${p.header || ""}」` : "—") },
    { title: "说明", render: (p) => p.message },
  ], problems, { empty: "没有发现问题", caption: "导入文件的问题" });
}

register("imports", async () => {
  const kinds = await ledgers();
  const head = h("div", { class: "page-head" }, h("h1", {}, "数据导入"),
    h("span", { class: "muted" }, "把各科室现有的 Excel 台账导入到对应业务系统"));
  if (!kinds.length) return h("div", {}, head, h("p", { class: "card" }, "您没有可导入的台账。"));

  const pick = h("select", { id: "import-kind", name: "kind" },
    kinds.map((k, i) => h("option", { value: String(i) }, `${k.serviceTitle} · ${k.title}`)));
  const file = h("input", { id: "import-file", type: "file", accept: ".xlsx,.csv", "aria-describedby": "import-file-hint" });
  const modeAll = h("input", { type: "radio", name: "mode", value: "all", id: "mode-all", checked: true });
  const modeGood = h("input", { type: "radio", name: "mode", value: "good_rows", id: "mode-good" });
  const columns = h("p", { class: "hint", id: "import-columns" });
  const status = h("p", { role: "status", "aria-live": "polite", id: "import-status" });
  const error = h("div", { class: "form-error", role: "alert", id: "import-error" });
  const checked = h("div", { id: "import-preview" });
  const result = h("div", { id: "import-result" });
  const kind = () => kinds[Number(pick.value)];
  const base = () => `/api/v1/${kind().service}/imports`;
  const showColumns = () => {
    columns.textContent = "表头：" + kind().columns.map((c) => c.header + (c.required ? "" : "（选填）")).join("、");
  };
  const reset = () => { clear(checked); clear(result); error.textContent = ""; status.textContent = ""; };
  pick.addEventListener("change", () => { showColumns(); reset(); });
  file.addEventListener("change", reset);
  showColumns();

  const upload = (path, mode) => {
    const form = new FormData();
    form.append("file", file.files[0]);
    if (mode) form.append("mode", mode);
    return request("POST", path, { body: form });
  };
  const needFile = () => {
    if (file.files.length) return true;
    error.textContent = "请先选择要导入的文件（.xlsx 或 .csv）";
    file.focus();
    return false;
  };

  const template = async (e) => {
    try {
      const resp = await busy(e.currentTarget, request("GET", `${base()}/${kind().name}/template`, { raw: true }));
      await saveAs(resp, `${kind().title}-导入模板.xlsx`);
    } catch (err) { error.textContent = errorText(err); }
  };

  const preview = async (e) => {
    reset();
    if (!needFile()) return;
    status.textContent = "正在检查每一行…";
    try {
      const p = await busy(e.currentTarget, upload(`${base()}/${kind().name}/preview`));
      status.textContent = "";
      clear(checked, h("section", { class: "card", dataset: { badRows: String(p.bad_rows) } },
        h("h2", {}, "检查结果"),
        h("p", { id: "preview-summary" }, `共 ${p.rows} 行：正确 ${p.good_rows} 行，有问题 ${p.bad_rows} 行`,
          p.example_skipped ? `（已跳过模板示例行）` : ""),
        p.problems_total > p.problems.length ? h("p", { class: "hint" }, `只列出前 ${p.problems.length} 个问题，共 ${p.problems_total} 个`) : null,
        problemsTable(p.problems)));
    } catch (err) {
      status.textContent = "";
      error.textContent = [errorText(err), ...Object.values(err.fields || {}).flat()].join("　");
    }
  };

  const showJob = (job) => {
    const done = job.status !== "running";
    const counts = [["新建", job.created], ["更新", job.updated], ["未变", job.unchanged], ["未导入（有错误）", job.rejected],
      ["写入失败", job.failed]];
    const rejected = job.has_rejected_file ? h("button", {
      type: "button", id: "download-rejected",
      onclick: async (e) => {
        try {
          const resp = await busy(e.currentTarget, request("GET", `${base()}/jobs/${job.id}/rejected`, { raw: true }));
          await saveAs(resp, `${job.title}-待改正.xlsx`);
        } catch (err) { error.textContent = errorText(err); }
      },
    }, "下载未导入的行（Excel，含错误说明）") : null;
    clear(result, h("section", { class: "card", dataset: { status: job.status, job: job.id } },
      h("h2", {}, "导入进度 ", badge(JOB_STATUS[job.status] || job.status, job.status === "done" ? "ok" : done ? "danger" : "")),
      h("progress", { id: "import-progress", max: "1", value: String(job.progress), "aria-label": "导入进度" }),
      h("span", { class: "muted" }, ` ${job.done} / ${job.rows} 行`),
      h("dl", { class: "facts", id: "import-counts" }, counts.map(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { count: k } }, String(v))])),
      job.finished_at ? h("p", { class: "hint" }, `完成于 ${dateTime(job.finished_at)}；文件 SHA-256 ${job.file_sha256.slice(0, 16)}…`) : null,
      job.problems && job.problems.length ? problemsTable(job.problems) : null,
      rejected ? h("div", { class: "actions" }, rejected) : null));
  };

  const start = async (e) => {
    reset();
    if (!needFile()) return;
    const mode = modeGood.checked ? "good_rows" : "all";
    status.textContent = "正在导入…";
    const button = e.currentTarget;
    try {
      let job = await busy(button, upload(`${base()}/${kind().name}`, mode));
      showJob(job);
      while (job.status === "running" && result.isConnected) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        job = await request("GET", `${base()}/jobs/${job.id}`);
        showJob(job);
      }
      status.textContent = job.status === "done" ? "导入完成" : `导入${JOB_STATUS[job.status] || job.status}`;
    } catch (err) {
      status.textContent = "";
      const rows = (err.fields && (err.fields.rows || err.fields._schema)) || [];
      error.textContent = errorText(err);
      if (err.fields && err.fields.rows) {
        clear(checked, h("section", { class: "card" }, h("h2", {}, "未导入任何数据"),
          h("ul", { id: "import-refusals" }, rows.map((r) => h("li", {}, r)))));
      }
    }
  };

  return h("div", {}, head,
    h("section", { class: "card form" },
      h("div", { class: "field" }, h("label", { for: "import-kind" }, "台账"), pick, columns),
      h("div", { class: "actions" }, h("button", { type: "button", id: "download-template", onclick: template }, "下载模板")),
      h("div", { class: "field" }, h("label", { for: "import-file" }, "文件"), file,
        h("p", { class: "hint", id: "import-file-hint" }, "Excel（.xlsx）或 CSV（UTF-8 或 GBK），最大 20 MB。.xls 请另存为 .xlsx。")),
      h("fieldset", { class: "field" }, h("legend", {}, "有错误的行"),
        h("label", { for: "mode-all" }, modeAll, " 全部或不导入（有任何错误则一行也不写入）"), h("br"),
        h("label", { for: "mode-good" }, modeGood, " 只导入正确的行（有错误的行可下载改正后再导入）")),
      error, status,
      h("div", { class: "actions" },
        h("button", { type: "button", id: "preview-import", onclick: preview }, "检查文件"),
        h("button", { type: "button", class: "primary", id: "start-import", onclick: start }, "导入"))),
    checked, result);
});
