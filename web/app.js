// calltrail live page: search, the interaction as a ladder across sites
// (ladder.js), its links, gaps and legs, the raw log lines behind each event
// in a side panel, export, keyboard, live updates over Server-Sent Events.
"use strict";

const params = new URLSearchParams(location.search);
const token = params.get("token") || "";
const state = {
  query: "", current: null, source: null, refreshTimer: null,
  it: null, ladder: null, openLanes: null, zoom: 0 /* 0: fit to width */, selected: null,
};

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

// "1 leg", "4 legs".
function count(n, what) {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

// Times are null when no event of a call had one (docs/events-json.md).
function timeOrUnknown(t) {
  return t == null ? "time unknown" : t;
}

// A call still in progress is neither complete nor incomplete yet.
function stateBadge(it) {
  const [cls, text, title] = it.open
    ? ["open", "in progress", "some leg has not seen EventCallDeleted"]
    : it.complete ? ["complete", "complete", "every link paired or pointing to an unmonitored site"]
      : ["incomplete", "incomplete", "some link has no partner"];
  return el("span", { class: "badge " + cls, title }, text);
}

// ?id= (and the query, the token) in the address: a deep link to the ladder.
function remember() {
  const p = new URLSearchParams();
  if (token) p.set("token", token);
  if (state.query) p.set("q", state.query);
  if (state.current) p.set("id", state.current);
  for (const k of ["live", "live_window"]) if (params.get(k)) p.set(k, params.get(k));
  history.replaceState(null, "", "?" + p);
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
      const li = el("li", { "data-id": it.interaction_id, tabIndex: 0 },
        el("span", { class: "id" }, it.interaction_id), stateBadge(it),
        el("div", { class: "sites" }, `${count(it.legs, "leg")} · ${it.sites.join(" → ")} · ${timeOrUnknown(it.start)}`));
      if (it.interaction_id === state.current) li.classList.add("selected");
      li.addEventListener("click", () => show(it.interaction_id));
      li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") show(it.interaction_id); });
      list.append(li);
    }
    const total = r.total ?? r.interactions.length;
    document.getElementById("result-count").textContent = total > r.interactions.length
      ? `(${r.interactions.length} of ${total}, newest first)` : `(${r.interactions.length})`;
    status.textContent = r.interactions.length ? "" : (q ? `nothing carries '${q}' yet` : "no interactions yet");
    if (r.interactions.length === 1 && !state.current) show(r.interactions[0].interaction_id);
  } catch (e) {
    status.textContent = "search failed: " + e.message;
  }
}

async function show(id) {
  const changed = state.current !== id;
  state.current = id;
  remember();
  for (const li of document.querySelectorAll("#result-list li"))
    li.classList.toggle("selected", li.dataset.id === id);
  const status = document.getElementById("detail-status");
  try {
    const [it, ladder] = await Promise.all([
      getJson("/api/interactions/" + encodeURIComponent(id)),
      getJson("/api/interactions/" + encodeURIComponent(id) + "/ladder")]);
    if (changed || !state.ladder || state.ladder.interaction_id !== ladder.interaction_id) {
      state.openLanes = null;
      state.selected = null;
    }
    state.it = it;
    state.ladder = ladder;
    document.getElementById("detail-title").textContent = `Interaction ${it.interaction_id}`;
    document.getElementById("detail-badge").replaceChildren(stateBadge({ ...it, open: ladder.open }));
    status.textContent = `${count(it.legs.length, "leg")} on ${count(new Set(it.legs.map((g) => g.site)).size, "site")}, ` +
      `${count(it.links.length, "link")}, ${count(it.gaps.length, "gap")}, ${timeOrUnknown(it.start)} – ${timeOrUnknown(it.end)} UTC`;
    renderLadder();
    renderLinks(it, ladder);
    renderGaps(it);
    renderLegs(it);
  } catch (e) {
    status.textContent = "cannot show " + id + ": " + e.message;
  }
}

function renderLegs(it) {
  const t = document.getElementById("legs");
  document.getElementById("legs-title").hidden = false;
  t.replaceChildren(el("tr", {}, el("th", {}, "leg"), el("th", {}, "site"), el("th", {}, "CallUUID"),
                       el("th", {}, "ConnIDs"), el("th", {}, "start (UTC)"), el("th", {}, "events")));
  it.legs.forEach((leg, i) => {
    t.append(el("tr", { class: "leg", "data-call-uuid": leg.call_uuid },
      el("td", {}, el("span", { class: "swatch", style: `background:${legColour(i)}` }),
         "L" + (i + 1) + (leg.root ? " (root)" : "")), el("td", {}, leg.site),
      el("td", { class: "uuid" }, leg.call_uuid), el("td", {}, (leg.conn_ids || []).join(" ")),
      el("td", {}, timeOrUnknown(leg.start)), el("td", {}, String(leg.events))));
  });
}

// The leg label (L2) and site of a CallUUID, or what the link says is there.
function legName(it, uuid) {
  const i = it.legs.findIndex((g) => g.call_uuid === uuid);
  return i < 0 ? uuid : `L${i + 1} ${it.legs[i].site}`;
}

// An evidence line: a click shows the event logged there, if the ladder has it.
function evidenceLink(ladder, ev) {
  const row = ladder.events.findIndex((e) => e.source === ev.file && e.line === ev.line);
  const a = el("a", { href: "#", class: "evidence" }, `${ev.file.split("/").pop()}:${ev.line}`);
  a.title = ev.file + ":" + ev.line;
  a.addEventListener("click", (e) => {
    e.preventDefault();
    if (row >= 0) selectEvent(row, true);
    else showRawAt({ source: ev.file, line: ev.line });
  });
  return a;
}

function renderLinks(it, ladder) {
  const t = document.getElementById("links");
  document.getElementById("links-title").hidden = false;
  document.getElementById("links-title").textContent =
    it.links.length ? `Links (${it.links.length})` : "Links: none";
  t.replaceChildren();
  if (!it.links.length) return;
  t.append(el("tr", {}, ...["kind", "id", "from", "to", "confidence", "evidence"]
    .map((h) => el("th", {}, h))));
  for (const k of it.links) {
    const to = k.to ? legName(it, k.to)
      : `${k.remote_site || k.skipped_location || "unknown site"} (${k.reason || "no partner leg"})`;
    const evidence = el("td", {});
    for (const ev of k.evidence) evidence.append(evidenceLink(ladder, ev), " ");
    t.append(el("tr", { class: "link " + (k.to && k.from ? "paired" : "unpaired"), "data-kind": k.kind },
      el("td", {}, el("span", { class: "kind " + k.kind }, k.kind)),
      el("td", { class: "uuid", title: k.via || "" }, k.id),
      el("td", {}, k.from ? legName(it, k.from) : `${k.remote_site || "unknown site"} (${k.reason || "no partner leg"})`),
      el("td", {}, to), el("td", {}, k.confidence), evidence));
  }
}

function renderGaps(it) {
  const t = document.getElementById("gaps");
  const title = document.getElementById("gaps-title");
  title.hidden = false;
  title.textContent = it.gaps.length ? `Gaps (${it.gaps.length})` : "Gaps: none (no event missing by sequence number)";
  t.replaceChildren();
  if (!it.gaps.length) return;
  t.append(el("tr", {}, ...["site", "missing", "sequence numbers", "between (UTC)", "next event"]
    .map((h) => el("th", {}, h))));
  for (const g of it.gaps) {
    t.append(el("tr", { class: "gap" }, el("td", {}, g.site), el("td", {}, String(g.missing)),
      el("td", {}, `${g.first_missing} – ${g.last_missing}`),
      el("td", {}, `${timeOrUnknown(g.after)} – ${timeOrUnknown(g.before)}`),
      el("td", {}, evidenceLink(state.ladder, { file: g.file, line: g.line }))));
  }
}

function renderLegend(l) {
  const { legs, kinds } = legendItems(l);
  const box = document.getElementById("legend");
  box.replaceChildren(
    ...legs.map((g) => el("span", { class: "legend-leg", title: g.title },
                          el("span", { class: "swatch", style: `background:${g.colour}` }), g.text)),
    ...kinds.map((k) => el("span", { class: "legend-hop" }, el("span", { class: "hop-swatch " + k.kind }), k.text)));
}

// The width the ladder has on screen (fit to width), times the zoom.
function ladderWidth() {
  const box = document.getElementById("ladder");
  return Math.max(480, box.clientWidth - 4);
}

function renderLadder() {
  const l = state.ladder;
  if (!l) return;
  document.getElementById("toolbar").hidden = false;
  const fitWidth = ladderWidth();
  if (!state.openLanes) state.openLanes = defaultOpenLanes(l, fitWidth);
  const lay = ladderLayout(l, fitWidth, state.openLanes);
  const toggle = (i) => {
    if (state.openLanes.has(i)) state.openLanes.delete(i); else state.openLanes.add(i);
    renderLadder();
  };
  const head = drawHead(l, lay, toggle);
  const body = drawBody(l, lay, (row) => selectEvent(row, true));
  // Zoom scales the drawing; fit scales it to the width on screen.
  const scale = state.zoom || Math.min(1, fitWidth / lay.width);
  for (const s of [head, body]) {
    const w = Number(s.getAttribute("width")), h = Number(s.getAttribute("height"));
    s.setAttribute("viewBox", `0 0 ${w} ${h}`);
    s.setAttribute("width", Math.round(w * scale));
    s.setAttribute("height", Math.round(h * scale));
  }
  document.getElementById("zoom-level").textContent = `${Math.round(scale * 100)} %` + (state.zoom ? "" : " (fit)");
  const box = document.getElementById("ladder");
  box.replaceChildren(el("div", { class: "ladder-head" }, head), body);
  renderLegend(l);
  if (state.selected !== null) markSelected(state.selected);
  prepareExports(head, body);
}

// Export links: the SVG and JSON as data URLs; the PNG drawn from the SVG.
function prepareExports(head, body) {
  const id = state.ladder.interaction_id;
  const text = ladderSvgText(head, body, `calltrail · interaction ${id}`);
  const svgLink = document.getElementById("export-svg");
  svgLink.href = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  svgLink.download = `${id}.svg`;
  const json = JSON.stringify({ interaction: state.it, ladder: state.ladder }, null, 2);
  const jsonLink = document.getElementById("export-json");
  jsonLink.href = "data:application/json;charset=utf-8," + encodeURIComponent(json);
  jsonLink.download = `${id}.json`;
  // The server's own SVG: a plain link works only without a token (the
  // server takes a token in the query on the page and the update stream only).
  const server = document.getElementById("server-svg");
  server.hidden = !!token;
  server.href = "/api/interactions/" + encodeURIComponent(id) + "/svg";
  const pngLink = document.getElementById("export-png");
  pngLink.removeAttribute("href");
  pngLink.download = `${id}.png`;
  const img = new Image();
  img.onload = () => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    if (state.ladder && state.ladder.interaction_id === id) pngLink.href = canvas.toDataURL("image/png");
  };
  img.src = svgLink.href;
}

function markSelected(row) {
  for (const g of document.querySelectorAll("#ladder .event.selected")) g.classList.remove("selected");
  const g = document.querySelector(`#ladder .event[data-row="${row}"]`);
  if (g) g.classList.add("selected");
  return g;
}

function selectEvent(row, scroll) {
  const l = state.ladder;
  if (!l || row < 0 || row >= l.events.length) return;
  state.selected = row;
  const g = markSelected(row);
  if (g && scroll) g.scrollIntoView({ block: "nearest" });
  showRawAt(l.events[row]);
}

// The raw lines of an event in the side panel, its own lines marked.
async function showRawAt(e) {
  const box = document.getElementById("raw");
  box.hidden = false;
  const what = e.name === undefined ? "evidence"
    : e.kind === "sip"
      ? [e.label + (e.method ? ` (${e.method})` : ""), e.call_id && "Call-ID " + e.call_id,
         e.reason && "Reason " + e.reason].filter(Boolean).join(" — ")
      : e.name;
  document.getElementById("raw-title").textContent =
    `${e.leg_label ? e.leg_label + " " : ""}${what} — ${e.source} line ${e.line}` +
    (e.offset !== undefined ? ` (byte ${e.offset})` : "");
  const pre = document.getElementById("raw-text");
  if (e.offset === undefined) {
    pre.textContent = "the raw lines are shown from an event's byte offset: this line is no event of the ladder";
    return;
  }
  try {
    const r = await getJson(`/api/raw?source=${encodeURIComponent(e.source)}&offset=${e.offset}&lines=40`);
    // The event's record: its first line and what follows until the next
    // record (a line that starts with a time).
    const lines = r.text.split("\n");
    let end = 1;
    while (end < lines.length && lines[end] !== "" && !/^@?\d\d:\d\d:\d\d|^\d{4}-\d\d-\d\dT/.test(lines[end])) ++end;
    pre.replaceChildren(el("mark", { class: "hit" }, lines.slice(0, end).join("\n") + "\n"),
                        lines.slice(end).join("\n"));
  } catch (err) {
    pre.textContent = "cannot read the raw lines: " + err.message;
  }
}

function setZoom(z) {
  const fitScale = Math.min(1, ladderWidth() / (document.querySelector("#ladder .ladder-body")?.viewBox.baseVal.width || 1));
  const current = state.zoom || fitScale;
  state.zoom = z === 0 ? 0 : Math.min(4, Math.max(0.25, current * z));
  renderLadder();
}

function moveInList(step) {
  const items = [...document.querySelectorAll("#result-list li")];
  if (!items.length) return;
  const at = items.findIndex((li) => li.dataset.id === state.current);
  const next = items[Math.min(items.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
  next.focus();
  show(next.dataset.id);
}

// Opens every site's sub-lanes, or closes them all when all are open.
function toggleAllLanes() {
  const l = state.ladder;
  if (!l) return;
  const all = state.openLanes && state.openLanes.size === l.lanes.length;
  state.openLanes = all ? new Set() : new Set(l.lanes.map((_, i) => i));
  renderLadder();
}

document.addEventListener("keydown", (ev) => {
  if (ev.target.matches("input, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const keys = {
    j: () => selectEvent(state.selected === null ? 0 : state.selected + 1, true),
    k: () => selectEvent(state.selected === null ? 0 : state.selected - 1, true),
    n: () => moveInList(1),
    p: () => moveInList(-1),
    "+": () => setZoom(1.25), "=": () => setZoom(1.25), "-": () => setZoom(0.8), "0": () => setZoom(0),
    o: toggleAllLanes,
    Escape: () => { document.getElementById("raw").hidden = true; },
    "/": () => document.getElementById("q").focus(),
  };
  keys.ArrowDown = keys.j;
  keys.ArrowUp = keys.k;
  const f = keys[ev.key];
  if (!f) return;
  if (ev.target.closest && ev.target.closest("#result-list") && (ev.key === "ArrowDown" || ev.key === "ArrowUp")) {
    keys[ev.key === "ArrowDown" ? "n" : "p"]();
  } else {
    f();
  }
  ev.preventDefault();
});

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
  state.current = null;
  search(document.getElementById("q").value.trim());
  remember();
});
document.getElementById("zoom-in").addEventListener("click", () => setZoom(1.25));
document.getElementById("zoom-out").addEventListener("click", () => setZoom(0.8));
document.getElementById("zoom-fit").addEventListener("click", () => setZoom(0));
document.getElementById("toggle-lanes").addEventListener("click", toggleAllLanes);
document.getElementById("raw-close").addEventListener("click", () => { document.getElementById("raw").hidden = true; });
window.addEventListener("resize", () => { if (!state.zoom) renderLadder(); });

const q0 = params.get("q") || "";
document.getElementById("q").value = q0;
// ?id= opens the ladder; &event=N selects its event N (counted from 0).
if (params.get("id")) {
  show(params.get("id")).then(() => {
    const row = Number(params.get("event"));
    if (params.get("event") !== null && Number.isInteger(row)) selectEvent(row, true);
  });
}
search(q0);
connect();
