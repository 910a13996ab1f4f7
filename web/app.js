// calltrail live page: search, the interaction as a ladder across sites,
// raw log lines behind each event, live updates over Server-Sent Events.
"use strict";

const params = new URLSearchParams(location.search);
const token = params.get("token") || "";
const state = { query: "", current: null, source: null, refreshTimer: null };

// The token goes in the query only where a browser cannot send a header:
// the EventSource of the update stream (the server refuses it elsewhere).
function streamUrl(path) {
  if (!token) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

async function getJson(path) {
  const res = await fetch(path, { headers: token ? { Authorization: "Bearer " + token } : {} });
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c);
  return e;
}

const SVG = "http://www.w3.org/2000/svg";
// Times are null when no event of a call had one (docs/events-json.md).
function timeOrUnknown(t) {
  return t == null ? "time unknown" : t;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

async function search(q) {
  state.query = q;
  const status = document.getElementById("search-status");
  const list = document.getElementById("result-list");
  status.textContent = "searching…";
  try {
    const r = await getJson("/api/search?q=" + encodeURIComponent(q));
    list.replaceChildren();
    for (const it of r.interactions) {
      const li = el("li", { "data-id": it.interaction_id },
        el("span", { class: "id" }, it.interaction_id),
        el("span", { class: "badge " + (it.complete ? "complete" : "incomplete") },
           it.complete ? "complete" : "incomplete"),
        el("div", { class: "sites" }, `${it.legs} legs · ${it.sites.join(" → ")} · ${timeOrUnknown(it.start)}`));
      if (it.interaction_id === state.current) li.classList.add("selected");
      li.addEventListener("click", () => show(it.interaction_id));
      list.append(li);
    }
    document.getElementById("result-count").textContent = `(${r.interactions.length})`;
    status.textContent = r.interactions.length ? "" : (q ? `nothing carries '${q}' yet` : "no interactions yet");
    if (r.interactions.length === 1 && !state.current) show(r.interactions[0].interaction_id);
  } catch (e) {
    status.textContent = "search failed: " + e.message;
  }
}

async function show(id) {
  state.current = id;
  for (const li of document.querySelectorAll("#result-list li"))
    li.classList.toggle("selected", li.dataset.id === id);
  const status = document.getElementById("detail-status");
  try {
    const [it, ladder] = await Promise.all([
      getJson("/api/interactions/" + encodeURIComponent(id)),
      getJson("/api/interactions/" + encodeURIComponent(id) + "/ladder")]);
    document.getElementById("detail-title").textContent =
      `Interaction ${it.interaction_id} (${it.complete ? "complete" : "incomplete"})`;
    status.textContent = `${it.legs.length} legs, ${it.links.length} links, ${timeOrUnknown(it.start)} – ${timeOrUnknown(it.end)} UTC`;
    renderLegs(it);
    renderLadder(ladder);
  } catch (e) {
    status.textContent = "cannot show " + id + ": " + e.message;
  }
}

function renderLegs(it) {
  const t = document.getElementById("legs");
  t.replaceChildren(el("tr", {}, el("th", {}, "leg"), el("th", {}, "site"), el("th", {}, "CallUUID"),
                       el("th", {}, "ConnIDs"), el("th", {}, "start (UTC)"), el("th", {}, "events")));
  it.legs.forEach((leg, i) => {
    t.append(el("tr", { class: "leg", "data-call-uuid": leg.call_uuid },
      el("td", {}, "L" + (i + 1) + (leg.root ? " (root)" : "")), el("td", {}, leg.site),
      el("td", { class: "uuid" }, leg.call_uuid), el("td", {}, (leg.conn_ids || []).join(" ")),
      el("td", {}, timeOrUnknown(leg.start)), el("td", {}, String(leg.events))));
  });
}

// A SIP message is an arrow between its site's lane and its peer's lane.
const isSipArrow = (e) => e.kind === "sip" && e.peer_lane !== undefined;

// The tooltip of an event: what it is, the SIP details, where it was logged.
function eventTitle(e) {
  if (e.kind !== "sip") return `${e.name} ${e.source}:${e.line}${e.note ? " " + e.note : ""}`;
  const lines = [e.label + (e.method ? ` (${e.method})` : "")];
  if (e.direction) lines.push(e.direction === "out" ? `sent to ${e.peer}` : `received from ${e.peer}`);
  if (e.call_id) lines.push("Call-ID: " + e.call_id);
  if (e.reason) lines.push("Reason: " + e.reason);
  lines.push(`${e.source}:${e.line}`);
  return lines.join("\n");
}

function laneTitle(ln) {
  if (ln.kind === "sip_peer") return [ln.label || "SIP " + ln.peer, "SIP peer"];
  return [ln.site, ln.dn || (ln.sip ? "SIP" : "(no DN)")];
}

function renderLadder(l) {
  // SIP labels carry a Request-URI: wider lanes when there are any.
  const lane = l.events.some(isSipArrow) ? 230 : 170, row = 24, top = 64, left = 300;
  const width = left + l.lanes.length * lane + 20;
  const height = top + l.events.length * row + 20;
  const x = (i) => left + i * lane + lane / 2;
  const y = (i) => top + i * row + row / 2;
  const s = svg("svg", { width, height });
  const defs = svg("defs");
  for (const [id, cls] of [["arrow", ""], ["arrow-sip", "sip-head"], ["arrow-fail", "fail-head"]]) {
    const marker = svg("marker", { id, markerWidth: 8, markerHeight: 8, refX: 7, refY: 4,
                                   orient: "auto", markerUnits: "userSpaceOnUse" });
    marker.append(svg("path", { d: "M0,0 L8,4 L0,8 z", class: cls }));
    defs.append(marker);
  }
  s.append(defs);
  s.append(svg("text", { x: 4, y: 40, class: "time" }, "UTC (site clock; * corrected)"));
  s.append(svg("text", { x: 150, y: 40, class: "time" }, "site local time"));
  l.lanes.forEach((ln, i) => {
    const [title, subtitle] = laneTitle(ln);
    const g = svg("g", { class: ln.kind === "sip_peer" ? "lane sip-peer" : "lane" });
    g.append(svg("text", { x: x(i), y: 24, "text-anchor": "middle" }, title));
    g.append(svg("text", { x: x(i), y: 40, "text-anchor": "middle", fill: "#555" }, subtitle));
    g.append(svg("line", { x1: x(i), y1: 48, x2: x(i), y2: height - 10, class: "lane-line" }));
    s.append(g);
  });
  l.events.forEach((e, i) => {
    const g = svg("g", { class: "event", "data-leg": e.leg, "data-kind": e.kind || "tlib" });
    g.append(svg("title", {}, eventTitle(e)));
    // The site's own UTC; where its clock is estimated off, a star and the
    // corrected time with its reference and offset in the tooltip.
    const time = svg("text", { x: 4, y: y(i) + 4, class: "time" },
                     (e.utc ? e.utc.slice(11, 26) : "-") + (e.corrected_utc ? " *" : ""));
    if (e.corrected_utc) {
      time.append(svg("title", {}, `corrected ${e.corrected_utc} (clock of ${e.clock_reference}; ` +
                                   `this site ${e.clock_offset_us / 1000} ms off it)`));
    }
    g.append(time);
    g.append(svg("text", { x: 150, y: y(i) + 4, class: "time" }, e.local ? e.local.split("T").pop() : "-"));
    if (isSipArrow(e)) {
      // Sent: from the site to the peer; received: from the peer to the site.
      const [from, to] = e.direction === "out" ? [e.lane, e.peer_lane] : [e.peer_lane, e.lane];
      const cls = e.failure ? "sip-msg failure" : "sip-msg";
      g.classList.add("sip");
      if (e.failure) g.classList.add("failure");
      g.append(svg("line", { x1: x(from), y1: y(i), x2: x(to), y2: y(i), class: cls,
                             "marker-end": e.failure ? "url(#arrow-fail)" : "url(#arrow-sip)" }));
      g.append(svg("text", { x: (x(from) + x(to)) / 2, y: y(i) - 4, "text-anchor": "middle",
                             class: "sip-label" + (e.failure ? " failure" : "") }, e.label));
    } else if (e.kind === "sip") {
      // A Call-ID mapped to the call (CID:CUUID): a note on the site's lane.
      g.classList.add("sip-note");
      g.append(svg("circle", { cx: x(e.lane), cy: y(i), r: 2 }));
      g.append(svg("text", { x: x(e.lane) + 6, y: y(i) + 3, class: "note" }, e.label || e.name));
    } else {
      g.append(svg("circle", { cx: x(e.lane), cy: y(i), r: 4 }));
      if (e.to_lane !== undefined)
        g.append(svg("line", { x1: x(e.lane), y1: y(i), x2: x(e.to_lane), y2: y(i), class: "msg", "marker-end": "url(#arrow)" }));
      g.append(svg("text", { x: x(e.lane) + 8, y: y(i) - 3 }, e.name));
    }
    g.addEventListener("click", () => showRaw(e));
    s.append(g);
  });
  for (const h of l.hops) {
    const a = l.events[h.from], b = l.events[h.to];
    const line = svg("line", { x1: x(a.lane), y1: y(h.from), x2: x(b.lane), y2: y(h.to),
                               class: "hop hop-" + h.kind, "marker-end": "url(#arrow)" });
    line.append(svg("title", {}, `${h.kind} ${h.id} (${h.confidence})` +
                                 (h.sip_call_id && h.sip_call_id !== h.id ? ` Call-ID ${h.sip_call_id}` : "")));
    line.addEventListener("click", () => showRaw(b));
    s.append(line);
  }
  document.getElementById("ladder").replaceChildren(s);
}

async function showRaw(e) {
  const box = document.getElementById("raw");
  box.hidden = false;
  const what = e.kind === "sip"
    ? [e.label + (e.method ? ` (${e.method})` : ""), e.call_id && "Call-ID " + e.call_id,
       e.reason && "Reason " + e.reason].filter(Boolean).join(" — ")
    : e.name;
  document.getElementById("raw-title").textContent = `${what} — ${e.source} line ${e.line} (byte ${e.offset})`;
  const pre = document.getElementById("raw-text");
  try {
    const r = await getJson(`/api/raw?source=${encodeURIComponent(e.source)}&offset=${e.offset}&lines=30`);
    pre.textContent = r.text;
  } catch (err) {
    pre.textContent = "cannot read the raw lines: " + err.message;
  }
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    search(state.query);
    if (state.current) show(state.current);
  }, 300);
}

function connect() {
  if (!window.EventSource || params.get("live") === "0") return;
  const badge = document.getElementById("live");
  // live_window=N: the stream ends after N seconds (for pages rendered once).
  const windowSeconds = params.get("live_window");
  const es = new EventSource(streamUrl("/api/updates" +
    (windowSeconds ? "?close_after=" + encodeURIComponent(windowSeconds) : "")));
  es.onopen = () => { badge.textContent = "live"; badge.className = "live on"; };
  es.onerror = () => { badge.textContent = "reconnecting"; badge.className = "live off"; };
  const onUpdate = (msg) => {
    const u = JSON.parse(msg.data);
    if (u.kind === "merged" && u.merged.includes(state.current)) state.current = u.interaction_id;
    if (u.interaction_id === state.current || state.query === "" ||
        document.querySelector(`#result-list li[data-id="${CSS.escape(u.interaction_id)}"]`))
      scheduleRefresh();
  };
  for (const kind of ["created", "leg_added", "linked", "completed", "merged", "updated"])
    es.addEventListener(kind, onUpdate);
}

document.getElementById("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = document.getElementById("q").value.trim();
  state.current = null;
  history.replaceState(null, "", "?" + new URLSearchParams({ ...(token ? { token } : {}), q }));
  search(q);
});

const q0 = params.get("q") || "";
document.getElementById("q").value = q0;
if (params.get("id")) show(params.get("id"));
search(q0);
connect();
