// The residents' door (居民端, #22): a resident's own petitions, volunteer activities, hours and love coins,
// and the charity supermarket — on a phone, with one thumb. Every list here is the resident's own: the
// services answer a resident's token with nothing else (docs/resident-door.md).
import { ApiError, api, login, logout, request, session, whenUnauthorized } from "../js/api.js";
import { busy, clear, dateTime, errorText, field, h, makeForm, toast, validators } from "../js/ui.js";

const main = document.getElementById("main");
const nav = document.getElementById("r-nav");
const who = document.getElementById("r-who");

const P = "/api/v1/petition", V = "/api/v1/volunteer", W = "/api/v1/welfare";
const SATISFACTION = { satisfied: "满意", basically: "基本满意", not: "不满意" };
const STEPS = ["受理", "办理中", "办结"];
const REDEMPTION = { holding: "处理中", awaiting_coins: "正在扣爱心币", handed_out: "已兑换，请到社区领取", cancelled: "未兑换成功" };
const CANCELLED = { coins_refused: "爱心币不足或账户不可用", out_of_stock: "库存不足", timed_out: "超时未处理",
  cancelled_by_staff: "工作人员已取消" };
const SIGNUP = { signed_up: "已报名", waitlisted: "候补中", promoted: "已报名", substitute: "已报名（替补）" };
const APPLICATION = { submitted: "已受理，待社区审核", in_notice: "审核通过，正在公示", approved: "已批准", rejected: "未获批准" };
const TABS = [["petitions", "我的诉求"], ["activities", "志愿活动"], ["coins", "时长与爱心币"], ["shop", "爱心超市"]];

// ---- the frame of every screen: a title, then loading / error / content

function screen(title, ...children) {
  document.title = `${title} · 联动居民服务`;
  clear(main, h("h1", {}, title), ...children);
  main.focus();
}

function loading() { return h("p", { class: "loading", role: "status" }, "正在加载…"); }

/** Show `title` with a loading line until `load()` answers, then what `render(answer)` makes; a failure says what
 * went wrong and offers to try again (a resident cannot call anyone for a spinner that never ends). */
async function load(title, fetcher, render) {
  const holder = h("div", { "aria-busy": "true" }, loading());
  screen(title, holder);
  try {
    const data = await fetcher();
    clear(holder, render(data));
  } catch (err) {
    clear(holder, h("div", { class: "r-state bad", role: "alert" }, h("p", {}, `没有加载成功：${errorText(err)}`),
      h("button", { type: "button", onclick: () => route() }, "重试")));
  } finally {
    holder.removeAttribute("aria-busy");
  }
}

function me() { return (session.get() || {}).user || null; }
function home() { return ((me() || {}).grants || []).find((g) => g.role === "resident") || null; }
function link(href, text, cls = "button") { return h("a", { class: cls, href }, text); }

// ---- signing in and registering

function loginScreen() {
  const form = makeForm();
  const submit = h("button", { class: "primary wide-button", type: "submit" }, "登录");
  const el = h("form", { class: "form", novalidate: true },
    field(form, { name: "username", label: "手机号", type: "tel", required: true, check: validators.mobile }),
    field(form, { name: "password", label: "密码", type: "password", required: true }),
    form.error, submit);
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    busy(submit, login(form.val("username"), form.val("password")).then(() => go("#/"))
      .catch((err) => form.showApiError(err)));
  });
  screen("居民登录", el, h("p", {}, "还没有账号？"), link("#/register", "注册居民账号", "button wide-button"));
}

async function registerScreen() {
  const title = "注册居民账号";
  await load(title, () => api.get("/api/v1/residents/communities", { page_size: 100 }), (page) => {
    const form = makeForm();
    const communities = Object.fromEntries(page.items.map((c) => [c.id, c.name]));
    const submit = h("button", { class: "primary wide-button", type: "submit" }, "注册并登录");
    const el = h("form", { class: "form", novalidate: true },
      field(form, { name: "name", label: "姓名", required: true, maxlength: 50 }),
      field(form, { name: "id_number", label: "身份证号", required: true, check: validators.idNumber,
        hint: "只用于确认是您本人；平台不保存号码本身" }),
      field(form, { name: "mobile", label: "手机号（登录用）", type: "tel", required: true, check: validators.mobile }),
      field(form, { name: "password", label: "密码（至少10位）", type: "password", required: true,
        check: (v) => (v && v.length < 10 ? "至少10位" : null) }),
      field(form, { name: "community", label: "居住社区", type: "select", options: communities, required: true }),
      field(form, { name: "consent", label: "我同意社区为办理我的事项使用我填写的信息", type: "checkbox",
        check: (v) => (v ? null : "请先同意") }),
      form.error, submit);
    el.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!form.validate()) return;
      const body = { name: form.val("name"), id_number: form.val("id_number").toUpperCase(), mobile: form.val("mobile"),
        password: form.val("password"), community: form.val("community") };
      busy(submit, request("POST", "/api/v1/residents/register", { body }).then(async (t) => {
        session.set({ access_token: t.access_token, refresh_token: t.refresh_token, user: t.user });
        toast("注册成功");
        go("#/");
      }).catch((err) => form.showApiError(err)));
    });
    return [el, link("#/", "已有账号，去登录", "button wide-button")];
  });
}

// ---- home

// 实名核验 (#22): records the office registered for a resident reach their door only once the community has
// confirmed the account on the ID card; until then the resident is told where to go (the login answer says)
function unconfirmedNote(user) {
  return user.identity_confirmed === false ? h("p", { class: "r-state", id: "r-unconfirmed", role: "note" },
    "社区工作人员为您登记的诉求、志愿者记录和救助申请，需您带身份证到社区完成实名核验后才会显示在这里。"
    + "您自己在这里提交的不受影响。") : null;
}

function homeScreen() {
  const user = me();
  screen(`您好，${user.name}`, unconfirmedNote(user),
    h("div", { class: "r-tiles" },
      h("a", { href: "#/petitions/new", id: "r-new-petition" }, "我要反映问题"),
      h("a", { href: "#/petitions" }, "我的诉求"),
      h("a", { href: "#/activities" }, "志愿活动"),
      h("a", { href: "#/coins" }, "时长与爱心币"),
      h("a", { href: "#/shop" }, "爱心超市"),
      h("a", { href: "#/applications" }, "我的救助申请")));
}

// ---- petitions (信访 / 诉求)

async function petitionsScreen() {
  await load("我的诉求", () => api.get(`${P}/petitions`, { page_size: 50 }), (page) => [
    link("#/petitions/new", "＋ 我要反映问题", "button primary wide-button"),
    page.items.length ? h("ul", { class: "r-list", id: "r-petitions" }, page.items.map((p) => h("li", { class: "r-item" },
      h("a", { class: "r-open", href: `#/petitions/${p.id}` },
        h("span", { class: "r-line" }, h("span", { class: "r-title" }, p.title || p.content.slice(0, 30)),
          h("span", { class: `badge${p.status === "办结" ? " ok" : ""}` }, p.status)),
        h("p", { class: "r-meta" }, `提交于 ${dateTime(p.registered_at)}`, takenBy(p.channel))))))
      : h("p", { class: "r-state" }, "您还没有提交过诉求。"),
    page.total > page.items.length ? h("p", { class: "r-meta" }, `显示最近 ${page.items.length} 件，共 ${page.total} 件`) : null,
  ]);
}

async function newPetitionScreen() {
  await load("我要反映问题", () => api.get(`${P}/config`), (cfg) => {
    const form = makeForm();
    const cats = Object.fromEntries(Object.entries(cfg.categories || {}).map(([k, v]) => [k, v.name || k]));
    const submit = h("button", { class: "primary wide-button", type: "submit" }, "提交");
    const el = h("form", { class: "form", novalidate: true },
      field(form, { name: "category", label: "问题类别", type: "select", options: cats, required: true }),
      field(form, { name: "title", label: "标题（可不填）", maxlength: 200 }),
      field(form, { name: "content", label: "具体情况", type: "textarea", rows: 6, required: true, maxlength: 5000,
        hint: "什么事、在哪里、从什么时候开始" }),
      form.error, submit);
    el.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!form.validate()) return;
      const user = me();
      const body = { org_unit_id: home().org_unit, channel: "online", category: form.val("category"),
        title: form.val("title"), content: form.val("content"),
        petitioners: [{ name: user.name, mobile: /^1\d{10}$/.test(user.username) ? user.username : null }] };
      busy(submit, request("POST", `${P}/petitions`, { body, idempotent: true }).then((p) => {
        toast("已提交，社区会尽快受理");
        go(`#/petitions/${p.id}`);
      }).catch((err) => form.showApiError(err)));
    });
    return el;
  });
}

async function petitionScreen(id) {
  await load("诉求详情", () => api.get(`${P}/petitions/${encodeURIComponent(id)}`), (p) => {
    const at = STEPS.indexOf(p.status);
    const out = [
      h("ol", { class: "r-steps", "aria-label": "办理进度" }, STEPS.map((s, i) => h("li",
        { class: i < at ? "done" : null, "aria-current": i === at ? "step" : null }, s))),
      h("div", { class: "r-item" }, h("p", { class: "r-title" }, p.title || "（无标题）"),
        h("p", {}, p.content), h("p", { class: "r-meta" }, `提交于 ${dateTime(p.registered_at)}`, takenBy(p.channel)),
        p.deadline ? h("p", { class: "r-meta" }, `办理期限 ${p.deadline}`) : null),
    ];
    if (p.answer) {
      out.push(h("section", { class: "r-item", "aria-labelledby": "r-answer-h" }, h("h2", { id: "r-answer-h" }, "答复"),
        h("p", { id: "r-answer" }, p.answer.text), h("p", { class: "r-meta" }, dateTime(p.answer.at))));
    }
    if (p.satisfaction) {
      out.push(h("p", { class: "r-state", id: "r-rated" }, `您的评价：${SATISFACTION[p.satisfaction]}`));
    } else if (p.status === "办结") {
      const rate = h("section", { class: "r-rate", "aria-labelledby": "r-rate-h" },
        h("h2", { id: "r-rate-h" }, "对办理结果满意吗？"),
        Object.entries(SATISFACTION).map(([code, name]) => h("button", {
          type: "button", class: code === "satisfied" ? "primary" : null, dataset: { rate: code },
          onclick: (e) => busy(e.currentTarget, request("POST", `${P}/petitions/${encodeURIComponent(id)}/close`,
            { body: { satisfaction: code }, idempotent: true }).then(() => { toast("感谢您的评价"); route(); })
            .catch((err) => toast(errorText(err), "bad"))),
        }, name)));
      out.push(rate);
    } else {
      out.push(h("p", { class: "r-state" }, "社区正在办理，办结后您可以在这里看到答复并评价。"));
    }
    out.push(link("#/petitions", "返回我的诉求", "button wide-button"));
    return out;
  });
}

/** A record staff registered for the resident with their ID number (at the window, on a visit, from a letter):
 * said so, as the resident did not file it here themselves ("online" is this door). */
function takenBy(channel) {
  return channel && channel !== "online" ? " · 工作人员代为登记" : "";
}

// ---- welfare applications (救助申请): read only — where each stands; the community office holds the file

async function applicationsScreen() {
  await load("我的救助申请", () => api.get(`${W}/my-applications`, { page_size: 50 }), (page) => [
    page.items.length ? h("ul", { class: "r-list", id: "r-applications" }, page.items.map((a) => h("li", { class: "r-item" },
      h("p", { class: "r-line" }, h("span", { class: "r-title" }, a.programme_name || a.programme),
        h("span", { class: `badge${a.status === "approved" ? " ok" : a.status === "rejected" ? " danger" : ""}` },
          APPLICATION[a.status] || a.status)),
      h("p", { class: "r-meta" }, `申请于 ${dateTime(a.submitted_at)}`, takenBy(a.channel)),
      a.status === "in_notice" && a.notice_ends_at ? h("p", { class: "r-meta" }, `公示至 ${dateTime(a.notice_ends_at)}`) : null,
      a.status === "rejected" ? h("p", { class: "r-meta" }, "具体原因请到社区或街道咨询。") : null)))
      : h("p", { class: "r-state" }, "您还没有救助申请。需要申请低保等救助，请到社区服务窗口办理。"),
    page.total > page.items.length ? h("p", { class: "r-meta" }, `显示最近 ${page.items.length} 件，共 ${page.total} 件`) : null,
  ]);
}

// ---- volunteering: the resident's own volunteer record, activities, hours and coins

async function ownVolunteer() {
  try {
    return await api.get(`${V}/volunteers/me`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;  // not registered as a volunteer yet
    throw err;
  }
}

function joinVolunteers() {
  const form = makeForm();
  const submit = h("button", { class: "primary wide-button", type: "submit" }, "成为志愿者");
  const el = h("form", { class: "form r-item", novalidate: true, "aria-labelledby": "r-join-h" },
    h("h2", { id: "r-join-h" }, "您还不是志愿者"),
    h("p", {}, "成为志愿者后可以报名活动、累计服务时长和爱心币，用爱心币在爱心超市兑换物品。"),
    field(form, { name: "consent", label: "我愿意成为志愿者，同意社区记录我的服务", type: "checkbox",
      check: (v) => (v ? null : "请先同意") }),
    form.error, submit);
  el.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!form.validate()) return;
    const user = me();
    const body = { name: user.name, kind: "resident", org_unit_id: home().org_unit, consent: true, user_id: user.id,
      mobile: /^1\d{10}$/.test(user.username) ? user.username : null };
    busy(submit, request("POST", `${V}/volunteers`, { body, idempotent: true }).then(() => {
      toast("欢迎成为志愿者"); route();
    }).catch((err) => form.showApiError(err)));
  });
  return el;
}

async function activitiesScreen() {
  await load("志愿活动", async () => {
    const [vol, page] = await Promise.all([ownVolunteer(), api.get(`${V}/activities`, { page_size: 50 })]);
    return { vol, page };
  }, ({ vol, page }) => [
    vol ? null : joinVolunteers(),
    page.items.length ? h("ul", { class: "r-list", id: "r-activities" }, page.items.map((a) => {
      const mine = (a.signups || []).find((s) => vol && s.volunteer_id === vol.id && s.status !== "cancelled");
      const open = a.status === "published" && vol;
      return h("li", { class: "r-item", dataset: { activity: a.id } },
        h("p", { class: "r-title" }, a.title),
        h("p", { class: "r-meta" }, `${dateTime(a.starts_at)} 至 ${dateTime(a.ends_at)}`),
        h("p", { class: "r-meta" }, `${a.place} · 已报名 ${a.taken}/${a.capacity} · 每小时 ${a.coins_per_hour ?? 0} 爱心币`),
        mine ? h("p", { class: "badge ok" }, SIGNUP[mine.status] || mine.status)
          : open ? h("button", { type: "button", class: "primary wide-button", onclick: (e) => busy(e.currentTarget,
            request("POST", `${V}/activities/${a.id}/signups`, { body: {}, idempotent: true }).then((r) => {
              toast(r.status === "waitlisted" ? `名额已满，您在候补第 ${r.waitlist_position} 位` : "报名成功"); route();
            }).catch((err) => toast(errorText(err), "bad"))) }, "报名") : null);
    })) : h("p", { class: "r-state" }, "社区近期没有开放报名的活动。"),
  ]);
}

async function coinsScreen() {
  await load("时长与爱心币", async () => {
    const vol = await ownVolunteer();
    let statement = vol ? await api.get(`${V}/volunteers/${vol.id}/statement`, { page_size: 50 }) : null;
    if (statement && statement.total > statement.items.length) {  // oldest first: the newest are on the last page
      statement = await api.get(`${V}/volunteers/${vol.id}/statement`,
        { page_size: 50, page: Math.ceil(statement.total / 50) });
    }
    return { vol, statement };
  }, ({ vol, statement }) => {
    if (!vol) return joinVolunteers();
    const t = vol.totals || {};
    return [
      h("div", { class: "r-figures" },
        h("p", { class: "r-figure" }, h("strong", { id: "r-hours" }, String(t.hours ?? 0)), "服务时长（小时）"),
        h("p", { class: "r-figure" }, h("strong", { id: "r-coins" }, String(t.available ?? 0)), "可用爱心币"),
        h("p", { class: "r-figure" }, h("strong", {}, String(t.activities ?? 0)), "参加活动（次）"),
        h("p", { class: "r-figure" }, h("strong", {}, String(t.reserved ?? 0)), "兑换中（爱心币）")),
      h("h2", {}, "爱心币明细"),
      statement.items.length ? h("ul", { class: "r-list", id: "r-statement" }, [...statement.items].reverse().map((e) =>
        h("li", { class: "r-item" }, h("p", { class: "r-line" }, h("span", {}, e.reason || e.kind),
          h("span", { class: e.amount >= 0 ? "r-amount-in" : "r-amount-out" }, `${e.amount >= 0 ? "+" : ""}${e.amount}`)),
        h("p", { class: "r-meta" }, `${dateTime(e.time)} · 余额 ${e.balance}`))))
        : h("p", { class: "r-state" }, "还没有爱心币记录。参加志愿活动就能获得爱心币。"),
      statement.total > statement.items.length ? h("p", { class: "r-meta" }, `显示最近的记录，共 ${statement.total} 条`) : null,
    ];
  });
}

// ---- the charity supermarket (爱心超市)

async function shopScreen() {
  await load("爱心超市", async () => {
    const [vol, offers, mine] = await Promise.all([ownVolunteer(), api.get(`${W}/goods/offers`, { page_size: 50 }),
      api.get(`${W}/goods/my-redemptions`, { page_size: 20 })]);
    return { vol, offers, mine };
  }, ({ vol, offers, mine }) => [
    vol ? h("p", { class: "r-state" }, `您有 `, h("strong", {}, String((vol.totals || {}).available ?? 0)), " 个可用爱心币")
      : h("p", { class: "r-state" }, "成为志愿者、参加活动获得爱心币后可以兑换。", link("#/activities", "去看看志愿活动", "button wide-button")),
    offers.items.length ? h("ul", { class: "r-list", id: "r-offers" }, offers.items.map((o) => h("li", { class: "r-item" },
      h("p", { class: "r-line" }, h("span", { class: "r-title" }, o.name), h("span", {}, `${o.coin_price} 爱心币/${o.unit || "件"}`)),
      h("p", { class: "r-meta" }, `现有 ${o.quantity}`),
      vol ? h("button", { type: "button", class: "primary wide-button", dataset: { item: o.item_id },
        onclick: (e) => busy(e.currentTarget, request("POST", `${W}/goods/my-redemptions`, {
          body: { volunteer_id: vol.id, items: [{ item_id: o.item_id, quantity: 1 }] }, idempotent: true,
        }).then(() => { toast("已提交兑换，正在扣除爱心币"); route(); }).catch((err) => toast(errorText(err), "bad"))),
      }, `兑换 1${o.unit || "件"}`) : null)))
      : h("p", { class: "r-state" }, "爱心超市暂时没有可兑换的物品。"),
    h("h2", {}, "我的兑换"),
    mine.items.length ? h("ul", { class: "r-list", id: "r-redemptions" }, mine.items.map((r) => h("li", { class: "r-item" },
      h("p", { class: "r-line" }, h("span", {}, r.lines.map((l) => `${l.name}×${l.quantity}`).join("、")),
        h("span", { class: `badge${r.status === "handed_out" ? " ok" : r.status === "cancelled" ? " danger" : ""}` },
          REDEMPTION[r.status] || r.status)),
      h("p", { class: "r-meta" }, `${dateTime(r.created_at)} · ${r.coins} 爱心币`,
        r.cancel_reason ? `（${CANCELLED[r.cancel_reason] || r.cancel_reason}）` : ""))))
      : h("p", { class: "r-state" }, "还没有兑换记录。"),
  ]);
}

// ---- routing

function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

function frame(signedIn, current) {
  nav.hidden = !signedIn;
  clear(who, signedIn ? [h("span", {}, me().name), h("button", { type: "button", id: "r-logout",
    onclick: () => logout().then(() => go("#/")) }, "退出")] : []);
  clear(nav, TABS.map(([key, name]) => h("a", { href: `#/${key}`, "aria-current": current === key ? "page" : null }, name)));
}

function route() {
  const path = location.hash.replace(/^#\/?/, "").split("?")[0];
  const [first, second] = path.split("/");
  const user = me();
  if (!user || !home()) {
    if (user && !home()) {  // a staff session in this tab: this door is not theirs
      session.clear();
      toast("这是居民服务入口，工作人员请使用工作台", "bad");
    }
    frame(false);
    return first === "register" ? registerScreen() : loginScreen();
  }
  frame(true, first);
  if (first === "petitions" && second === "new") return newPetitionScreen();
  if (first === "petitions" && second) return petitionScreen(second);
  const screens = { petitions: petitionsScreen, activities: activitiesScreen, coins: coinsScreen, shop: shopScreen,
    applications: applicationsScreen };
  return (screens[first] || homeScreen)();
}

whenUnauthorized(() => go("#/"));
window.addEventListener("hashchange", route);
route();
