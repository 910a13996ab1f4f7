#include "calltrail/serve/views.hpp"

#include <fmt/format.h>

#include <iterator>
#include <map>
#include <set>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/recording.hpp"
#include "calltrail/correlate/sip_note.hpp"
#include "calltrail/serve/ladder.hpp"

namespace calltrail::serve {

namespace {

// A response's status code ("403 Forbidden" -> 403), 0 for a request.
int sip_status(std::string_view name) {
  if (name.size() < 3 || (name.size() > 3 && name[3] != ' ')) return 0;
  int code = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    code = code * 10 + (name[i] - '0');
  }
  return code;
}

// What the ladder shows of a SIP event: the arrow's label and its details.
struct SipView {
  std::string label;
  std::string request_uri;  // requests
  int status = 0;           // responses
  correlate::SipNote note;
  bool failure() const { return status >= 400; }
};

SipView sip_view(const correlate::Correlation& c, const correlate::EventRef& e) {
  SipView v;
  const std::string_view name = c.str(e.name);
  v.note = correlate::parse_sip_note(c.str(e.note));
  v.status = sip_status(name);
  v.label = name;
  if (v.status == 0 && e.this_dn != 0) {
    v.request_uri = c.str(e.this_dn);
    v.label += " " + v.request_uri;
  }
  // A response says which request it answers (three 200 OKs in a row are
  // INVITE, NOTIFY and BYE), as the text timeline does.
  if (v.status != 0 && !v.note.method.empty()) v.label += " (" + std::string(v.note.method) + ")";
  return v;
}

std::string local_text(const correlate::Correlation& c, std::uint32_t site,
                       const correlate::EventRef& e) {
  auto t = c.local_time(site, e);
  if (!t) return {};
  const bool dated = (e.flags & correlate::EventRef::kLocalDated) != 0 || c.sites[site].utc_offset;
  return base::format_local(*t, dated, e.local_digits == 0 ? 3 : e.local_digits);
}

// One colour per leg, as the page draws them (web/ladder.js).
const char* leg_colour(std::uint32_t pos) {
  static constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                             "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
  return kColours[pos % std::size(kColours)];
}

// One colour per kind of link, as the page draws them (web/ladder.js), in
// the order of LinkKind: IS-Link, transfer, hint, SIP, ISCC; the caller grey.
const char* hop_colour(const LadderHop& h) {
  static constexpr const char* kColours[] = {"#c33", "#7a3fa0", "#999", "#0b6f69", "#d2691e"};
  static_assert(static_cast<std::size_t>(correlate::LinkKind::Iscc) + 1 == std::size(kColours));
  return h.link == nullptr ? "#555" : kColours[static_cast<std::size_t>(h.link->kind)];
}

// L1 for the first leg of the interaction (the root), as the JSON numbers them.
std::string leg_label(std::uint32_t pos) {
  return "L" + std::to_string(pos + 1);
}

std::string escape_xml(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
    }
  }
  return out;
}

}  // namespace

std::string ladder_json(const Built& b) {
  const correlate::Correlation& c = b.correlation;
  const Ladder l = make_ladder(b);
  std::string out;
  base::JsonWriter w(out);
  w.begin_object();
  const correlate::Interaction& it = c.interactions[b.interaction];
  w.field("interaction_id", it.id);
  w.field("complete", it.complete);
  w.field("open", l.open);
  w.key("legs").begin_array();
  for (std::uint32_t i = 0; i < it.legs.size(); ++i) {
    const correlate::Leg& leg = c.legs[it.legs[i]];
    w.begin_object();
    w.field("label", leg_label(i));
    w.field("call_uuid", leg.call_uuid);
    w.field("site", c.sites[leg.site].name);
    w.field("root", it.legs[i] == it.root);
    w.field("deleted", leg.deleted);
    w.end_object();
  }
  w.end_array();
  w.key("lanes").begin_array();
  for (const auto& lane : l.lanes) {
    w.begin_object();
    w.field("kind", lane.outside ? "outside" : "site");
    w.field("site", lane.outside ? std::string() : c.sites[lane.site].name);
    w.field("label", lane.outside ? std::string("outside") : c.sites[lane.site].name);
    w.key("sub_lanes").begin_array();
    for (const auto& sub : lane.subs) {
      w.begin_object();
      w.field("kind", to_string(sub.kind));
      if (sub.kind == SubLane::Kind::Dn) w.field("dn", sub.name);
      if (sub.kind == SubLane::Kind::SipPeer) w.field("peer", sub.name);
      if (sub.kind == SubLane::Kind::Remote) w.field("site", sub.name);
      if (sub.kind == SubLane::Kind::Caller) w.field("ani", sub.name);
      if (sub.sip) w.field("sip", true);
      const auto [title, subtitle] = sub_lane_title(c, lane, sub);
      w.field("label", sub.kind == SubLane::Kind::SipPeer ? title : subtitle);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  // Recording marks by the event that asked for them.
  std::map<const correlate::EventRef*, std::pair<std::uint32_t, correlate::RecordingMark>> marks;
  std::set<std::uint32_t> legs;
  for (const auto& r : l.rows) {
    if (!legs.insert(r.leg).second) continue;
    const auto& events = c.legs[r.leg].events;
    for (auto& m : correlate::recording_marks(c, c.legs[r.leg]))
      marks.emplace(&events[m.event], std::pair{r.leg, std::move(m)});
  }
  w.key("events").begin_array();
  for (const auto& r : l.rows) {
    const correlate::EventRef& e = *r.event;
    const std::uint32_t site = c.legs[r.leg].site;
    w.begin_object();
    w.field("lane", std::uint64_t{r.lane});
    w.field("sub_lane", std::uint64_t{r.sub});
    if (r.to_sub) w.field("to_sub_lane", std::uint64_t{*r.to_sub});
    // The site's own clock; the corrected time beside it, with what it is
    // corrected to, when the site's clock is estimated off the reference's.
    if (e.has_utc()) {
      w.field("utc", base::format_utc(e.utc));
    } else {
      w.key("utc").null();
    }
    if (const auto& offset = c.sites[site].clock_offset; offset && *offset != 0) {
      w.field("corrected_utc", base::format_utc(r.corrected));
      w.field("clock_reference", c.sites[c.sites[site].clock_reference].name);
      w.field("clock_offset_us", std::int64_t{*offset});
    }
    w.field("local", local_text(c, site, e));
    w.field("name", c.str(e.name));
    w.field("this_dn", c.str(e.this_dn));
    w.field("other_dn", c.str(e.other_dn));
    w.field("note", c.str(e.note));
    w.field("leg", c.legs[r.leg].call_uuid);
    w.field("leg_label", leg_label(r.leg_pos));
    w.field("source", e.file < b.file_sources.size() ? b.file_sources[e.file] : "");
    w.field("line", e.line);
    w.field("offset", e.offset);
    w.field("kind", e.is_sip() ? "sip" : "tlib");
    if (e.is_sip()) {
      const SipView v = sip_view(c, e);
      w.field("label", v.label);
      w.field("call_id", v.note.call_id);
      if (r.peer_sub) {
        w.field("direction", (e.flags & correlate::EventRef::kSipSent) != 0 ? "out" : "in");
        w.field("peer", c.str(e.other_dn));
        w.field("peer_sub_lane", std::uint64_t{*r.peer_sub});
      }
      if (!v.request_uri.empty()) w.field("request_uri", v.request_uri);
      if (v.status != 0) w.field("status", std::int64_t{v.status});
      if (!v.note.method.empty()) w.field("method", v.note.method);
      if (!v.note.reason.empty()) w.field("reason", v.note.reason);
      if (v.failure()) w.field("failure", true);
    }
    if (auto m = marks.find(r.event); m != marks.end()) {
      w.key("recording").begin_object();
      correlate::append_recording_fields(w, c, c.legs[m->second.first], m->second.second);
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  w.key("hops").begin_array();
  for (const auto& h : l.hops) {
    w.begin_object();
    w.field("kind", h.link ? correlate::to_string(h.link->kind) : "caller");
    w.field("id", h.link ? h.link->id : std::string());
    w.field("label", h.label);
    for (const auto& [name, end] : {std::pair{"from", &h.from}, std::pair{"to", &h.to}}) {
      w.key(name);
      if (end->row) {
        w.value(std::uint64_t{*end->row});
      } else {
        w.null();
      }
      w.field(std::string(name) + "_lane", std::uint64_t{end->lane});
      w.field(std::string(name) + "_sub_lane", std::uint64_t{end->sub});
    }
    if (h.link) {
      w.field("confidence", correlate::to_string(h.link->confidence));
      if (!h.link->sip_call_id.empty()) w.field("sip_call_id", h.link->sip_call_id);
      if (h.link->reason != correlate::LinkReason::None)
        w.field("reason", correlate::to_string(h.link->reason));
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

std::string interaction_svg(const Built& b) {
  const correlate::Correlation& c = b.correlation;
  const Ladder l = make_ladder(b);
  // SIP labels carry a Request-URI: wider columns when there are any.
  const int kLane = l.sip_arrows ? 240 : 190;
  constexpr int kRow = 26;
  constexpr int kTop = 70;
  constexpr int kLeft = 250;
  const std::uint32_t columns =
      l.lanes.empty() ? 0
                      : column_of(l, static_cast<std::uint32_t>(l.lanes.size() - 1),
                                  static_cast<std::uint32_t>(l.lanes.back().subs.size()));
  const int width = kLeft + static_cast<int>(columns) * kLane + 20;
  const int height = kTop + static_cast<int>(l.rows.size()) * kRow + 30;
  auto x_of = [&](std::uint32_t lane, std::uint32_t sub) {
    return kLeft + static_cast<int>(column_of(l, lane, sub)) * kLane + kLane / 2;
  };
  auto y_of = [&](std::size_t row) { return kTop + static_cast<int>(row) * kRow + kRow / 2; };
  std::string out;
  auto o = std::back_inserter(out);
  fmt::format_to(o,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                 "font-family=\"sans-serif\" font-size=\"11\">\n"
                 "<defs><marker id=\"a\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" "
                 "refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\"/></marker>"
                 // SIP messages (s) and failure answers (f), the same size whatever the line.
                 "<marker id=\"s\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" "
                 "orient=\"auto\" markerUnits=\"userSpaceOnUse\">"
                 "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#1b7f79\"/></marker>"
                 "<marker id=\"f\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" "
                 "orient=\"auto\" markerUnits=\"userSpaceOnUse\">"
                 "<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#d00\"/></marker></defs>\n"
                 "<text x=\"10\" y=\"18\" font-size=\"14\">{}</text>\n",
                 width, height, escape_xml(c.interactions[b.interaction].id));
  // A site (or the outside) over its sub-lanes, each sub-lane a column.
  for (std::uint32_t i = 0; i < l.lanes.size(); ++i) {
    const auto& lane = l.lanes[i];
    if (lane.subs.empty()) continue;
    const int x0 = x_of(i, 0) - kLane / 2 + 4;
    const int x1 = x_of(i, static_cast<std::uint32_t>(lane.subs.size() - 1)) + kLane / 2 - 4;
    fmt::format_to(o,
                   "<rect x=\"{}\" y=\"26\" width=\"{}\" height=\"16\" fill=\"#eef1f5\"/>"
                   "<text x=\"{}\" y=\"38\" text-anchor=\"middle\" "
                   "font-weight=\"bold\">{}</text>\n",
                   x0, x1 - x0, (x0 + x1) / 2,
                   escape_xml(lane.outside ? std::string("outside") : c.sites[lane.site].name));
    for (std::uint32_t k = 0; k < lane.subs.size(); ++k) {
      const int x = x_of(i, k);
      const auto [title, subtitle] = sub_lane_title(c, lane, lane.subs[k]);
      const bool peer = lane.subs[k].kind == SubLane::Kind::SipPeer;
      fmt::format_to(o,
                     "<text x=\"{}\" y=\"54\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n"
                     "<line x1=\"{}\" y1=\"60\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\"{}/>\n",
                     x, escape_xml(peer ? title : subtitle), x, x, height - 20,
                     lane.outside || peer ? " stroke-dasharray=\"4 3\"" : "");
    }
  }
  for (std::size_t r = 0; r < l.rows.size(); ++r) {
    const LadderRow& row = l.rows[r];
    const correlate::EventRef& e = *row.event;
    const int y = y_of(r);
    const int x = x_of(row.lane, row.sub);
    const char* colour = leg_colour(row.leg_pos);
    // The site's own clock (the row's place follows the corrected one).
    fmt::format_to(o, "<text x=\"10\" y=\"{}\">{}</text>\n", y + 4,
                   escape_xml(base::format_utc(e.has_utc() ? e.utc : row.corrected, 4).substr(11)));
    if (!e.is_sip()) {
      fmt::format_to(o, "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\"/>\n", x, y, colour);
      if (row.to_sub) {
        fmt::format_to(o,
                       "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#36c\" "
                       "marker-end=\"url(#a)\"/>\n",
                       x, y, x_of(row.lane, *row.to_sub), y);
      }
      fmt::format_to(o, "<text x=\"{}\" y=\"{}\" fill=\"{}\">{} {}</text>\n", x + 8, y - 4, colour,
                     leg_label(row.leg_pos), escape_xml(c.str(e.name)));
      continue;
    }
    const SipView v = sip_view(c, e);
    // The tooltip, one line each (escaped, then joined by a character reference).
    std::string title = escape_xml(v.label);
    if (!v.note.method.empty()) title += escape_xml(fmt::format(" ({})", v.note.method));
    title += "&#10;Call-ID: " + escape_xml(v.note.call_id);
    if (!v.note.reason.empty()) title += "&#10;Reason: " + escape_xml(v.note.reason);
    title += "&#10;" +
             escape_xml(fmt::format(
                 "{}:{}", e.file < b.file_sources.size() ? b.file_sources[e.file] : "", e.line));
    // The leg, by the site's axis (the arrow's label is the message's).
    fmt::format_to(o, "<text x=\"{}\" y=\"{}\" fill=\"{}\" font-size=\"9\">{}</text>\n", x + 4,
                   y + 10, colour, leg_label(row.leg_pos));
    if (!row.peer_sub) {
      // A SIP event without a peer (pushed events may lack it): a note on
      // the site's lane.
      fmt::format_to(o,
                     "<g class=\"sip-note\"><title>{}</title><circle cx=\"{}\" cy=\"{}\" r=\"2\" "
                     "fill=\"#888\"/><text x=\"{}\" y=\"{}\" fill=\"#888\" "
                     "font-size=\"9\">{}</text></g>\n",
                     title, x, y, x + 6, y + 3, escape_xml(v.label));
      continue;
    }
    const bool sent = (e.flags & correlate::EventRef::kSipSent) != 0;
    const int peer = x_of(row.lane, *row.peer_sub);
    const int from = sent ? x : peer;
    const int to = sent ? peer : x;
    const char* sip_colour = v.failure() ? "#d00" : "#1b7f79";
    fmt::format_to(o,
                   "<g class=\"sip{}\"><title>{}</title>"
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"{} "
                   "marker-end=\"url(#{})\"/>"
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\"{}>{}</text></g>\n",
                   v.failure() ? " failure" : "", title, from, y, to, y, sip_colour,
                   v.failure() ? " stroke-width=\"2\"" : "", v.failure() ? 'f' : 's',
                   (x + peer) / 2, y - 4, sip_colour, v.failure() ? " font-weight=\"bold\"" : "",
                   escape_xml(v.label));
  }
  // The links: between legs, and to or from the outside lane (an end
  // without a row is level with the other end).
  for (const auto& h : l.hops) {
    const std::size_t from_row = h.from.row.value_or(h.to.row.value_or(0));
    const std::size_t to_row = h.to.row.value_or(from_row);
    const int x1 = x_of(h.from.lane, h.from.sub);
    const int y1 = y_of(from_row);
    const int x2 = x_of(h.to.lane, h.to.sub);
    const int y2 = y_of(to_row);
    const std::string title =
        h.link ? fmt::format("{} {} ({})", correlate::to_string(h.link->kind), h.link->id,
                             correlate::to_string(h.link->confidence))
               : h.label;
    const char* colour = hop_colour(h);
    fmt::format_to(o,
                   "<g class=\"hop\"><title>{}</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" "
                   "y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{} marker-end=\"url(#a)\"/>"
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" "
                   "stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text></g>\n",
                   escape_xml(title), x1, y1, x2, y2, colour,
                   h.from.row && h.to.row ? "" : " stroke-dasharray=\"8 4\"", (x1 + x2) / 2,
                   (y1 + y2) / 2 - 4, colour, escape_xml(h.label));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace calltrail::serve
