// calltrail ladder: draws the /ladder JSON as SVG. One lane per site (its DNs
// and SIP peers as sub-lanes, opened or closed), one lane for the outside;
// one row per event; every arrow labelled; a colour per leg.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
// One colour per leg (L1 first), as the server's SVG draws them (views.cpp).
const LEG_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                     "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
const HOP_KINDS = {
  islink: "IS-Link between sites",
  sip: "SIP dialog between sites",
  iscc: "ISCC call history",
  transfer: "transfer (same site)",
  hint: "hint (shared ConnID)",
  caller: "the caller",
};
// The drawing's own style, so that an exported SVG looks as the page does.
const LADDER_CSS = `
svg.ladder { font-family: system-ui, sans-serif; font-size: 11px; background: #fff; }
.lane-head rect { fill: #e8edf3; }
.lane-head.outside rect { fill: #f3ece3; }
.lane-head text.site { font-weight: bold; }
.lane-head .toggle { cursor: pointer; }
.lane-head text.sub { fill: #555; font-size: 10px; }
.lane-line { stroke: #bbb; }
.lane-line.sub { stroke: #ddd; stroke-dasharray: 3 3; }
.lane-line.outside { stroke-dasharray: 6 4; }
.event { cursor: pointer; }
.event .band { fill: transparent; }
.event:hover .band { fill: #f2f5fa; }
.event.selected .band { fill: #fff3c4; }
.time, .delta { font-family: ui-monospace, monospace; font-size: 10px; fill: #555; }
.delta { fill: #888; }
.msg { stroke: #36c; }
.msg-label { fill: #36c; font-size: 10px; }
.sip-msg { stroke: #1b7f79; }
.sip-label { fill: #1b5f5a; font-size: 10px; }
.sip-msg.failure { stroke: #d00; stroke-width: 2; }
.sip-label.failure { fill: #d00; font-weight: bold; }
.note { fill: #888; font-size: 9px; }
.event-label { font-size: 10px; }
.hop { fill: none; stroke-width: 2; cursor: pointer; }
.hop-label { font-size: 10px; font-weight: bold; stroke: #fff; stroke-width: 3px; paint-order: stroke; }
.hop-islink { stroke: #c33; } .hop-label.islink { fill: #c33; }
.hop-sip { stroke: #0b6f69; } .hop-label.sip { fill: #0b6f69; }
.hop-iscc { stroke: #d2691e; } .hop-label.iscc { fill: #d2691e; }
.hop-transfer { stroke: #7a3fa0; stroke-dasharray: 5 3; } .hop-label.transfer { fill: #7a3fa0; }
.hop-hint { stroke: #999; stroke-dasharray: 2 3; } .hop-label.hint { fill: #777; }
.hop-caller { stroke: #555; } .hop-label.caller { fill: #555; }
.hop.unpaired { stroke-dasharray: 8 4; }
`;

function svgEl(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function legColour(i) {
  return LEG_COLOURS[i % LEG_COLOURS.length];
}

// "+52 ms", "+1.204 s", "+3 min 4 s" between two ISO times; "" when unknown.
function delta(prev, cur) {
  if (!prev || !cur) return "";
  const us = (Date.parse(cur) - Date.parse(prev)) * 1000 +
             (Number(cur.slice(20, 26)) % 1000 - Number(prev.slice(20, 26)) % 1000);
  if (!Number.isFinite(us)) return "";
  const sign = us < 0 ? "−" : "+";
  const a = Math.abs(us);
  if (a < 1000) return `${sign}${a} µs`;
  if (a < 1e6) return `${sign}${Math.round(a / 1000)} ms`;
  if (a < 60e6) return `${sign}${(a / 1e6).toFixed(3)} s`;
  return `${sign}${Math.floor(a / 60e6)} min ${Math.round((a % 60e6) / 1e6)} s`;
}

// Text cut to about `px` pixels (11 px sans-serif: ~6.2 px a character;
// `size` for other sizes).
function fit(text, px, size = 11) {
  const n = Math.max(3, Math.floor(px / (size * 0.56)));
  return text.length <= n ? text : text.slice(0, n - 1) + "…";
}

// Where every lane and sub-lane is, for a drawing `width` pixels wide.
// `open` holds the indices of the lanes whose sub-lanes are shown.
function ladderLayout(l, width, open) {
  const left = 150, minColumn = 110;
  const columns = l.lanes.map((ln, i) => (open.has(i) ? Math.max(1, ln.sub_lanes.length) : 1));
  const total = columns.reduce((a, b) => a + b, 0) || 1;
  const column = Math.max(minColumn, Math.floor((width - left - 8) / total));
  const starts = [];
  let x = left;
  for (const n of columns) {
    starts.push(x);
    x += n * column;
  }
  return {
    left, column, width: x + 8, row: 22, top: 6, head: 52, open,
    laneX: (i) => starts[i] + (columns[i] * column) / 2,
    subX: (i, s) => (open.has(i) ? starts[i] + s * column + column / 2 : starts[i] + column / 2),
    laneStart: (i) => starts[i],
    laneWidth: (i) => columns[i] * column,
  };
}

// Opens every lane when all sub-lanes fit `width` with room for their
// labels (150 px each), else none: one lane per site.
function defaultOpenLanes(l, width) {
  const all = l.lanes.reduce((n, ln) => n + Math.max(1, ln.sub_lanes.length), 0);
  return all * 150 + 158 <= width ? new Set(l.lanes.map((_, i) => i)) : new Set();
}

function legIndex(l) {
  const index = new Map();
  (l.legs || []).forEach((leg, i) => index.set(leg.call_uuid, i));
  return index;
}

// The lane headers: a site's name over its sub-lanes (a click opens or
// closes them), each sub-lane's label under it.
function drawHead(l, lay, onToggle) {
  const s = svgEl("svg", { class: "ladder ladder-head", width: lay.width, height: lay.head });
  s.append(svgEl("style", {}, LADDER_CSS));
  s.append(svgEl("text", { x: 4, y: 14, class: "time" }, "UTC, site clock"));
  s.append(svgEl("text", { x: 4, y: 28, class: "delta" }, "* the clock is skewed"));
  s.append(svgEl("text", { x: 4, y: 42, class: "delta" }, "Δ since the event before"));
  l.lanes.forEach((ln, i) => {
    const open = lay.open.has(i);
    const g = svgEl("g", { class: "lane-head " + ln.kind, "data-lane": i, "data-label": ln.label });
    g.append(svgEl("rect", { x: lay.laneStart(i) + 2, y: 4, width: lay.laneWidth(i) - 4,
                             height: 18, rx: 3 }));
    const many = ln.sub_lanes.length > 1;
    const room = lay.laneWidth(i) - 8;
    const marker = many ? (open ? "▾ " : "▸ ") : "";
    // A site's name too long for its lane: the application over the switch.
    const at = ln.label.indexOf("@");
    const split = (marker + ln.label).length * 6.8 > room && at > 0;
    const title = svgEl("text", { x: lay.laneX(i), y: 17, "text-anchor": "middle",
                                  class: "site" + (many ? " toggle" : "") },
                        fit(marker + (split ? ln.label.slice(0, at) : ln.label), room));
    title.append(svgEl("title", {}, ln.label + (many ? ` (${ln.sub_lanes.length} sub-lanes: click to ${open ? "close" : "open"})` : "")));
    g.append(title);
    if (many) title.addEventListener("click", () => onToggle(i));
    // Under the name: the switch (when split) and the sub-lanes' labels, or
    // how many there are while the lane is closed.
    const second = (split ? ln.label.slice(at) : "") +
      (many && !open ? (split ? " · " : "") + `${ln.sub_lanes.length} sub-lanes` : "");
    if (second)
      g.append(svgEl("text", { x: lay.laneX(i), y: 32, "text-anchor": "middle", class: "sub" },
                     fit(second, room, 10)));
    if (open || !many) {
      ln.sub_lanes.forEach((sub, k) => {
        g.append(svgEl("text", { x: lay.subX(i, k), y: second ? 46 : 36, "text-anchor": "middle",
                                 class: "sub" }, fit(sub.label, lay.column - 6, 10)));
      });
    }
    s.append(g);
  });
  return s;
}

function drawLaneLines(s, l, lay, height) {
  l.lanes.forEach((ln, i) => {
    const outside = ln.kind === "outside" ? " outside" : "";
    if (lay.open.has(i) && ln.sub_lanes.length > 1) {
      ln.sub_lanes.forEach((_, k) => s.append(svgEl("line", {
        x1: lay.subX(i, k), y1: 0, x2: lay.subX(i, k), y2: height, class: "lane-line sub" + outside })));
    } else {
      s.append(svgEl("line", { x1: lay.laneX(i), y1: 0, x2: lay.laneX(i), y2: height,
                               class: "lane-line" + outside }));
    }
  });
}

function arrowMarkers(s) {
  const defs = svgEl("defs");
  const heads = [["arrow", "#36c"], ["arrow-sip", "#1b7f79"], ["arrow-fail", "#d00"],
                 ["hop-islink", "#c33"], ["hop-sip", "#0b6f69"], ["hop-iscc", "#d2691e"],
                 ["hop-transfer", "#7a3fa0"], ["hop-hint", "#999"], ["hop-caller", "#555"]];
  for (const [id, colour] of heads) {
    const m = svgEl("marker", { id: "m-" + id, markerWidth: 8, markerHeight: 8, refX: 7, refY: 4,
                                orient: "auto", markerUnits: "userSpaceOnUse" });
    m.append(svgEl("path", { d: "M0,0 L8,4 L0,8 z", fill: colour }));
    defs.append(m);
  }
  s.append(defs);
}

// A SIP message's tooltip: what it is, the SIP details, where it was logged.
function eventTitle(e) {
  const head = `${e.leg_label} ${e.kind === "sip" ? e.label : e.name}`;
  const lines = [head + (e.kind === "sip" && e.method ? ` (${e.method})` : "")];
  if (e.kind === "sip") {
    if (e.direction) lines.push(e.direction === "out" ? `sent to ${e.peer}` : `received from ${e.peer}`);
    if (e.call_id) lines.push("Call-ID: " + e.call_id);
    if (e.reason) lines.push("Reason: " + e.reason);
  } else {
    if (e.this_dn) lines.push("ThisDN " + e.this_dn + (e.other_dn ? " OtherDN " + e.other_dn : ""));
    if (e.note) lines.push(e.note);
  }
  if (e.local) lines.push("site local time " + e.local);
  if (e.corrected_utc)
    lines.push(`corrected ${e.corrected_utc} (clock of ${e.clock_reference}; this site ` +
               `${e.clock_offset_us / 1000} ms off it)`);
  lines.push(`${e.source}:${e.line}`);
  return lines.join("\n");
}

function drawEvent(l, lay, e, i, legs) {
  const y = lay.top + i * lay.row + lay.row / 2;
  const leg = legs.get(e.leg) ?? 0;
  const colour = legColour(leg);
  const x = lay.subX(e.lane, e.sub_lane);
  const open = lay.open.has(e.lane);
  const g = svgEl("g", { class: "event", "data-leg": e.leg, "data-row": i, "data-kind": e.kind || "tlib" });
  g.append(svgEl("rect", { x: 0, y: y - lay.row / 2, width: lay.width, height: lay.row, class: "band" }));
  g.append(svgEl("title", {}, eventTitle(e)));
  g.append(svgEl("text", { x: 4, y: y + 4, class: "time" },
                 (e.utc ? e.utc.slice(11, 24) : "-") + (e.corrected_utc ? "*" : "")));
  const prev = i > 0 ? l.events[i - 1] : null;
  g.append(svgEl("text", { x: 96, y: y + 4, class: "delta" },
                 prev ? delta(prev.corrected_utc || prev.utc, e.corrected_utc || e.utc) : ""));
  const legTag = svgEl("text", { x: x - 6, y: y + 4, "text-anchor": "end", fill: colour,
                                 class: "leg-tag" }, e.leg_label);
  if (e.kind === "sip" && e.peer_sub_lane !== undefined) {
    // Sent: from the site to the peer; received: from the peer to the site.
    // A closed lane draws the arrow as a stub beside the site's line.
    const peer = open ? lay.subX(e.lane, e.peer_sub_lane) : x + lay.column * 0.45;
    const [from, to] = e.direction === "out" ? [x, peer] : [peer, x];
    const fail = e.failure ? " failure" : "";
    g.classList.add("sip");
    if (e.failure) g.classList.add("failure");
    g.append(svgEl("line", { x1: from, y1: y, x2: to, y2: y, class: "sip-msg" + fail,
                             "marker-end": e.failure ? "url(#m-arrow-fail)" : "url(#m-arrow-sip)" }));
    const span = Math.max(Math.abs(peer - x), lay.column * 0.9);
    g.append(svgEl("text", { x: open ? (from + to) / 2 : x + 4, y: y - 4,
                             "text-anchor": open ? "middle" : "start", class: "sip-label" + fail },
                   fit(e.label, span)));
    g.append(legTag);
  } else if (e.kind === "sip") {
    // A Call-ID mapped to the call (CID:CUUID): a note on the site's lane.
    g.classList.add("sip-note");
    g.append(svgEl("circle", { cx: x, cy: y, r: 2, fill: colour }));
    g.append(svgEl("text", { x: x + 6, y: y + 3, class: "note" }, fit(e.label || e.name, lay.column - 10)));
    g.append(legTag);
  } else {
    g.append(svgEl("circle", { cx: x, cy: y, r: 4, fill: colour }));
    let room = lay.column - 12;
    if (open && e.to_sub_lane !== undefined) {
      const to = lay.subX(e.lane, e.to_sub_lane);
      g.append(svgEl("line", { x1: x, y1: y, x2: to, y2: y, class: "msg", "marker-end": "url(#m-arrow)" }));
      room = Math.max(room, Math.abs(to - x) - 12);
      g.append(svgEl("text", { x: (x + to) / 2, y: y - 4, "text-anchor": "middle", class: "msg-label" },
                     fit(e.name, room)));
      g.append(legTag);
    } else {
      g.append(svgEl("text", { x: x + 7, y: y - 3, fill: colour, class: "event-label" },
                     fit(`${e.leg_label} ${e.name}`, room, 10)));
    }
  }
  return g;
}

function drawHop(l, lay, h) {
  const rowY = (r) => lay.top + r * lay.row + lay.row / 2;
  const fromRow = h.from ?? h.to, toRow = h.to ?? h.from;
  const x1 = lay.subX(h.from_lane, h.from_sub_lane), y1 = rowY(fromRow);
  const x2 = lay.subX(h.to_lane, h.to_sub_lane), y2 = rowY(toRow);
  const g = svgEl("g", { class: "hop-group", "data-kind": h.kind });
  const unpaired = h.from === null || h.to === null ? " unpaired" : "";
  // Two ends on one line (a transfer on a site, a closed lane): a bow.
  const d = Math.abs(x1 - x2) < 1
    ? `M${x1},${y1} C${x1 + 46},${y1} ${x2 + 46},${y2} ${x2},${y2}`
    : `M${x1},${y1} L${x2},${y2}`;
  g.append(svgEl("path", { d, class: `hop hop-${h.kind}${unpaired}`, "marker-end": `url(#m-hop-${h.kind})` }));
  g.append(svgEl("title", {}, `${h.label}: ${HOP_KINDS[h.kind] || h.kind}` +
                              (h.id ? `\n${h.id}` : "") + (h.confidence ? ` (${h.confidence})` : "") +
                              (h.reason ? `\n${h.reason}` : "") +
                              (h.sip_call_id && h.sip_call_id !== h.id ? `\nCall-ID ${h.sip_call_id}` : "")));
  const lx = Math.abs(x1 - x2) < 1 ? x1 + 38 : (x1 + x2) / 2;
  const ly = (y1 + y2) / 2 - 5;
  g.append(svgEl("text", { x: lx, y: ly, "text-anchor": "middle", class: "hop-label " + h.kind },
                 h.label));
  return g;
}

// The body: lane lines, one row per event, then the hops over them.
function drawBody(l, lay, onEvent) {
  const height = lay.top + l.events.length * lay.row + 10;
  const s = svgEl("svg", { class: "ladder ladder-body", width: lay.width, height });
  s.append(svgEl("style", {}, LADDER_CSS));
  arrowMarkers(s);
  drawLaneLines(s, l, lay, height);
  const legs = legIndex(l);
  l.events.forEach((e, i) => {
    const g = drawEvent(l, lay, e, i, legs);
    if (onEvent) g.addEventListener("click", () => onEvent(i));
    s.append(g);
  });
  for (const h of l.hops) {
    const g = drawHop(l, lay, h);
    if (onEvent) g.addEventListener("click", () => onEvent(h.to ?? h.from));
    s.append(g);
  }
  return s;
}

// The head over the body in one SVG document (the export).
function ladderSvgText(head, body, title) {
  // At full scale, whatever the zoom on the page.
  const w = body.viewBox.baseVal.width, hh = head.viewBox.baseVal.height;
  const h = hh + body.viewBox.baseVal.height + 24;
  const ser = new XMLSerializer();
  const inner = (s, y) => `<g transform="translate(0,${y})">` +
    Array.from(s.childNodes).map((n) => ser.serializeToString(n)).join("") + "</g>";
  const esc = (t) => t.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" }[c]));
  return `<svg xmlns="${SVG_NS}" class="ladder" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect width="${w}" height="${h}" fill="#fff"/>` +
    `<text x="4" y="16" font-size="13" font-family="sans-serif">${esc(title)}</text>` +
    inner(head, 24) + inner(body, 24 + hh) + "</svg>";
}

// The legend: one entry per leg (its colour, label and site) and per kind of
// link drawn.
function legendItems(l) {
  const legs = (l.legs || []).map((leg, i) => ({ colour: legColour(i), text: `${leg.label} ${leg.site}`,
                                                 title: leg.call_uuid + (leg.root ? " (root)" : "") }));
  const kinds = [...new Set(l.hops.map((h) => h.kind))].map((k) => ({ kind: k, text: HOP_KINDS[k] || k }));
  return { legs, kinds };
}
