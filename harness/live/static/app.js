// The live page of harness serve. Every string that came from a vendor or
// a manifest reaches the DOM as text (textContent or text nodes), never as
// HTML; the Markdown of the change history is turned into nodes by a tiny
// renderer that makes links only for http and https URLs.
"use strict";

const TOKEN_COOKIE = "harness_token";
const MAX_FEED = 100;

const model = {
  integrations: [], projects: new Map(), flags: new Map(), triggers: new Map(),
  subscriptions: new Map(), calls: [], history: [], deliveries: [],
};
let source = null;
let renderQueued = false;
// dirty names the sections to redraw at the next render; a flag event
// redraws the flags and triggers, not the feeds of bodies.
const dirty = new Set();
const ALL = ["flags", "triggers", "subscriptions", "deliveries", "calls", "history", "projects", "integrations"];

// el builds an element: attrs are set as attributes (never as markup), and
// string children become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

function badge(text, cls) { return el("span", { class: "badge " + (cls || "") }, text); }

function when(ms) {
  if (!ms) return "never";
  const d = new Date(ms);
  return d.toLocaleString(undefined, { hour12: false }) ;
}

// safeURL returns the URL when it is absolute http or https, else null.
function safeURL(s) {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) {
    return null;
  }
}

function link(text, url) {
  const href = safeURL(url);
  if (!href) return el("span", { class: "link-text", title: url ? "link not followed: " + url : null }, text);
  return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text);
}

// markdown renders the change history's Markdown subset: backslash
// escapes, `code` and [text](url). Anything else is text.
function markdown(src) {
  const out = document.createDocumentFragment();
  let text = "";
  const flush = () => { if (text) { out.append(document.createTextNode(text)); text = ""; } };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length) { text += src[i + 1]; i += 2; continue; }
    if (c === "`") {
      const end = src.indexOf("`", i + 1);
      if (end > i) { flush(); out.append(el("code", {}, src.slice(i + 1, end))); i = end + 1; continue; }
    }
    if (c === "[") {
      const m = parseLink(src, i);
      if (m) { flush(); out.append(link(m.text, m.url)); i = m.end; continue; }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

function parseLink(src, start) {
  let i = start + 1, label = "";
  while (i < src.length && src[i] !== "]") {
    if (src[i] === "\\" && i + 1 < src.length) { label += src[i + 1]; i += 2; continue; }
    label += src[i++];
  }
  if (src[i] !== "]" || src[i + 1] !== "(") return null;
  const close = src.indexOf(")", i + 2);
  if (close < 0) return null;
  return { text: label, url: src.slice(i + 2, close), end: close + 1 };
}

function getToken() {
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join("="));
  }
  return "";
}

function setStatus(state, text) {
  const s = document.getElementById("status");
  s.dataset.state = state;
  s.textContent = text;
}

function notice(text) {
  const n = document.getElementById("notice");
  n.textContent = text;
  n.hidden = !text;
}

// ---- rendering ----

function scheduleRender(...sections) {
  for (const s of sections) dirty.add(s);
  if (renderQueued) return;
  renderQueued = true;
  // A microtask, not a timer: timers of a page in the background (or a
  // headless one) are throttled to tens of milliseconds and more.
  queueMicrotask(() => { renderQueued = false; render(); });
}

function render() {
  document.getElementById("main").hidden = false;
  if (dirty.has("flags")) renderFlags();
  if (dirty.has("triggers")) renderTriggers();
  if (dirty.has("subscriptions")) renderSubscriptions();
  if (dirty.has("deliveries")) renderFeed("deliveries", model.deliveries, renderDelivery, "No deliveries yet: a change matching a subscription's policy is delivered to its endpoint.");
  if (dirty.has("calls")) renderFeed("calls", model.calls, renderCall, "No trigger calls yet: POST a vendor payload to a trigger URL.");
  if (dirty.has("history")) renderFeed("history", model.history, renderEntry, "No changes yet.");
  if (dirty.has("projects")) renderProjects();
  if (dirty.has("integrations")) renderIntegrations();
  dirty.clear();
}

function envsOf(projectKey) {
  const p = model.projects.get(projectKey);
  return p ? p.environments : [];
}

function renderFlags() {
  const box = document.getElementById("flags");
  const parts = [];
  for (const p of model.projects.values()) {
    const flags = [...model.flags.values()].filter((f) => f.project === p.key).sort((a, b) => a.key.localeCompare(b.key));
    const envs = p.environments;
    const head = el("tr", {}, el("th", {}, "Flag"), envs.map((e) => el("th", {}, e.name)), el("th", {}, "Triggers"));
    const rows = flags.map((f) => {
      const id = f.project + "/" + f.key;
      const trig = [...model.triggers.values()].filter((t) => t.project === f.project && t.flag === f.key);
      return el("tr", { "data-flag": id },
        el("td", {}, el("strong", {}, f.name), " ", el("code", {}, f.key)),
        envs.map((e) => {
          const on = !!(f.environments[e.key] && f.environments[e.key].on);
          const b = el("button", {
            class: "state", type: "button", "data-flag": id, "data-env": e.key, "data-on": String(on),
            title: "turn " + (on ? "off" : "on") + " in " + e.name,
          }, on ? "on" : "off");
          b.addEventListener("click", () => toggle(f, e.key, !on, b));
          return el("td", {}, b);
        }),
        el("td", {}, trig.length ? String(trig.length) : "–"));
    });
    parts.push(el("h3", {}, p.name, " ", el("code", {}, p.key)),
      flags.length ? el("table", {}, el("thead", {}, head), el("tbody", {}, rows)) : el("p", { class: "empty" }, "No flags in this project."));
  }
  box.replaceChildren(...parts);
}

function renderTriggers() {
  const box = document.getElementById("triggers");
  const list = [...model.triggers.values()].sort((a, b) => (a.flag + a.env + a.id).localeCompare(b.flag + b.env + b.id));
  if (!list.length) { box.replaceChildren(el("p", { class: "empty" }, "No triggers.")); return; }
  const head = el("tr", {}, ["Flag", "Environment", "Integration", "Action", "State", "URL", "Calls", "Last call", "Last event"].map((h) => el("th", {}, h)));
  const rows = list.map((t) => el("tr", { "data-trigger": t.id },
    el("td", {}, el("code", {}, t.project + "/" + t.flag)),
    el("td", {}, t.env),
    el("td", {}, t.integration),
    el("td", {}, t.action),
    el("td", {}, badge(t.enabled ? "enabled" : "disabled", t.enabled ? "enabled" : "disabled")),
    el("td", { class: "mono" }, location.origin + t.path),
    el("td", { "data-count": "" }, String(t.count)),
    el("td", {}, when(t.lastTriggeredAt)),
    el("td", { "data-last-event": "" }, t.lastEvent || "–")));
  box.replaceChildren(el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, rows))));
}

function renderSubscriptions() {
  const box = document.getElementById("subscriptions");
  const list = [...model.subscriptions.values()].sort((a, b) => (a.integration + a.name + a.id).localeCompare(b.integration + b.name + b.id));
  if (!list.length) { box.replaceChildren(el("p", { class: "empty" }, "No subscriptions: create one with POST /api/v2/integrations/{key}.")); return; }
  const head = el("tr", {}, ["Integration", "Name", "State", "Policy", "Config", "Id"].map((h) => el("th", {}, h)));
  // The config comes masked from the server: secret values read ********.
  const config = (c) => Object.keys(c || {}).sort().map((k, i) => [i ? ", " : "", el("code", {}, k), "=", typeof c[k] === "string" ? c[k] : JSON.stringify(c[k])]);
  const rows = list.map((s) => el("tr", { "data-subscription": s.id },
    el("td", {}, s.integration),
    el("td", { "data-name": "" }, s.name),
    el("td", {}, badge(s.on ? "on" : "off", s.on ? "enabled" : "disabled")),
    el("td", {}, s.statements + " statement" + (s.statements === 1 ? "" : "s")),
    el("td", { class: "mono" }, config(s.config)),
    el("td", { class: "mono" }, s.id)));
  box.replaceChildren(el("div", { class: "scroll" }, el("table", {}, el("thead", {}, head), el("tbody", {}, rows))));
}

function renderDelivery(d) {
  const sub = model.subscriptions.get(d.subscription);
  return el("li", { "data-delivery": d.id, "data-status": d.status },
    el("span", { class: "when" }, when(d.time)),
    badge(d.status, d.status === "delivered" ? "changed" : d.status === "failed" || d.status === "renderError" ? "bad" : ""), " ",
    d.statusCode ? el("code", {}, String(d.statusCode)) : "", d.statusCode ? " " : "",
    el("strong", {}, (d.test ? "test event" : d.eventKind + " " + d.action)),
    " → ", sub ? sub.name : d.subscription, " via ", d.integration,
    el("dl", {},
      el("dt", {}, "url"), el("dd", { class: "mono" }, (d.method ? d.method + " " : "") + (d.url || "–")),
      d.sentTo && d.sentTo !== d.url ? [el("dt", {}, "sent to"), el("dd", { class: "mono" }, d.sentTo)] : "",
      el("dt", {}, "attempts"), el("dd", {}, String(d.attempts), " in " + d.durationMs + " ms"),
      d.error ? [el("dt", {}, "error"), el("dd", { class: "problem" }, d.error)] : ""),
    d.headers && d.headers.length ? el("details", {}, el("summary", {}, "headers (secrets masked)"),
      el("pre", {}, d.headers.map((h) => h.name + ": " + h.value).join("\n"))) : "");
}

function renderFeed(id, items, one, empty) {
  const box = document.getElementById(id);
  if (!items.length) { box.replaceChildren(el("li", { class: "empty" }, empty)); return; }
  box.replaceChildren(...items.slice().reverse().map(one));
}

function prettyBody(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return s; }
}

function renderCall(c) {
  const value = (text, dflt) => [text === "" ? el("span", { class: "empty" }, "absent") : text, dflt ? " " : "", dflt ? badge("default used", "defaulted") : ""];
  return el("li", { "data-call": c.trigger, "data-outcome": c.outcome },
    el("span", { class: "when" }, when(c.at)),
    badge(c.outcome, c.outcome), " ",
    el("strong", { class: "event-name" }, c.eventName),
    " → ", el("code", {}, c.project + "/" + c.flag), " in ", c.env, " via ", c.integration,
    c.missed ? el("p", { class: "empty" }, c.missed + " earlier call(s) not shown: the trigger keeps only its last bodies.") : "",
    el("dl", {},
      el("dt", {}, "event name"), el("dd", {}, value(c.eventName, c.eventNameDefaulted)),
      el("dt", {}, "value"), el("dd", {}, value(c.value)),
      el("dt", {}, "url"), el("dd", {}, c.url ? link(c.url, c.url) : value("")),
      el("dt", {}, "test event"), el("dd", {}, c.isTestEvent ? "yes" : "no", c.testEventNameRegexpDefaulted ? " (default test regexp)" : ""),
      el("dt", {}, "body"), el("dd", {}, c.validJSON ? "JSON" : "not JSON (or empty): defaults used")),
    el("details", {}, el("summary", {}, "body" + (c.truncated ? " (cut)" : "")), el("pre", {}, prettyBody(c.body))));
}

function renderEntry(h) {
  return el("li", { "data-entry": h.id },
    el("span", { class: "when" }, when(h.date)),
    badge(h.kind), " ",
    el("span", { class: "md" }, markdown(h.description || h.title || h.titleVerb)),
    h.comment ? el("p", { class: "comment" }, "“", h.comment, "”") : "",
    h.member ? el("span", { class: "when" }, " by " + h.member) : "",
    h.triggerBody ? el("details", {}, el("summary", {}, "trigger body"), el("pre", {}, JSON.stringify(h.triggerBody, null, 2))) : "");
}

function renderProjects() {
  const box = document.getElementById("projects");
  box.replaceChildren(...[...model.projects.values()].map((p) => el("li", {},
    el("strong", {}, p.name), " ", el("code", {}, p.key), ": ",
    p.environments.map((e, i) => [i ? ", " : "", el("span", { class: "swatch", "data-color": e.color }), e.name, " ", el("code", {}, e.key)]))));
  for (const s of box.querySelectorAll(".swatch")) {
    if (/^[0-9a-fA-F]{6}$/.test(s.dataset.color)) s.style.background = "#" + s.dataset.color;
  }
}

function renderIntegrations() {
  const box = document.getElementById("integrations");
  if (!model.integrations.length) { box.replaceChildren(el("li", { class: "empty" }, "No integrations loaded.")); return; }
  box.replaceChildren(...model.integrations.map((it) => el("li", { "data-integration": it.key },
    el("strong", {}, it.name), " ", el("code", {}, it.key), el("br"),
    badge(it.valid ? "valid" : "invalid", it.valid ? "ok" : "bad"),
    (it.capabilities || []).map((c) => badge(c)),
    (it.problems || []).map((p) => el("div", { class: "problem" }, p)))));
}

// ---- actions ----

async function toggle(flag, env, on, button) {
  button.setAttribute("aria-busy", "true");
  const headers = { "Content-Type": "application/json" };
  const token = getToken();
  if (token) headers.Authorization = token;
  try {
    const res = await fetch("/api/v2/flags/" + encodeURIComponent(flag.project) + "/" + encodeURIComponent(flag.key), {
      method: "PATCH", headers,
      body: JSON.stringify([{ op: "replace", path: "/environments/" + env + "/on", value: on }]),
    });
    if (!res.ok) {
      let msg = res.status + "";
      try { const b = await res.json(); msg += " " + b.code + ": " + b.message; } catch (e) { /* not the envelope */ }
      notice("Toggling " + flag.key + " failed: " + msg);
    } else {
      notice("");
    }
  } catch (e) {
    notice("Toggling " + flag.key + " failed: " + e);
  } finally {
    button.removeAttribute("aria-busy");
  }
}

// ---- the event stream ----

function upsert(map, key, v) { map.set(key, v); }

// Each handler updates the model and returns the sections to redraw.
const handlers = {
  state(d) {
    model.integrations = d.integrations || [];
    model.projects = new Map(d.projects.map((p) => [p.key, p]));
    model.flags = new Map(d.flags.map((f) => [f.project + "/" + f.key, f]));
    model.triggers = new Map(d.triggers.map((t) => [t.id, t]));
    model.subscriptions = new Map((d.subscriptions || []).map((s) => [s.id, s]));
    model.deliveries = [];
    model.calls = d.calls || [];
    model.history = d.history || [];
    return ALL;
  },
  project(p) { upsert(model.projects, p.key, p); return ["projects", "flags"]; },
  flag(f) { upsert(model.flags, f.project + "/" + f.key, f); return ["flags"]; },
  trigger(t) { upsert(model.triggers, t.id, t); return ["triggers", "flags"]; },
  subscription(s) { upsert(model.subscriptions, s.id, s); return ["subscriptions", "deliveries"]; },
  removed(r) {
    const m = { project: model.projects, flag: model.flags, trigger: model.triggers, subscription: model.subscriptions }[r.kind];
    if (m) m.delete(r.id);
    return ["projects", "flags", "triggers", "subscriptions"];
  },
  delivery(d) {
    // A page that reconnects may be sent a delivery it has: keep one.
    model.deliveries = model.deliveries.filter((x) => x.id !== d.id);
    model.deliveries.push(d);
    if (model.deliveries.length > MAX_FEED) model.deliveries.shift();
    return ["deliveries"];
  },
  call(c) { model.calls.push(c); if (model.calls.length > MAX_FEED) model.calls.shift(); return ["calls"]; },
  history(h) { model.history.push(h); if (model.history.length > MAX_FEED) model.history.shift(); return ["history"]; },
};

function connect() {
  if (source) source.close();
  source = new EventSource("/_internal/events");
  source.onopen = () => setStatus("live", "live");
  source.onerror = () => {
    setStatus("reconnecting", "reconnecting…");
    // A stream answered with an error status (a restarted server that now
    // wants a token, say) is not retried by the browser: start over.
    if (source.readyState === EventSource.CLOSED) setTimeout(start, 1000);
  };
  for (const [type, fn] of Object.entries(handlers)) {
    source.addEventListener(type, (ev) => {
      scheduleRender(...fn(JSON.parse(ev.data)));
    });
  }
  // The hub no longer holds what this page missed (or the platform was
  // reset): start over from a fresh state, without Last-Event-ID.
  source.addEventListener("reload", () => connect());
}

async function start() {
  let res;
  try {
    res = await fetch("/_internal/events?probe=1", { cache: "no-store" });
  } catch (e) {
    setStatus("reconnecting", "server unreachable, retrying…");
    setTimeout(start, 2000);
    return;
  }
  if (res.status === 401) {
    setStatus("refused", "token needed");
    const form = document.getElementById("login");
    form.hidden = false;
    if (getToken()) document.getElementById("login-error").textContent = "The token kept in this browser was refused.";
    return;
  }
  connect();
}

document.getElementById("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const t = document.getElementById("token").value;
  document.cookie = TOKEN_COOKIE + "=" + encodeURIComponent(t) + "; path=/; SameSite=Strict";
  document.getElementById("login").hidden = true;
  start();
});

start();
