#include "calltrail/serve/views.hpp"

#include <fmt/format.h>

#include <map>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/sip_note.hpp"
#include "calltrail/correlate/timeline.hpp"

namespace calltrail::serve {

namespace {

struct Lane {
  std::uint32_t site = 0;
  std::string dn;
  // A SIP peer's address: the lane is that peer's (`site` is then the first
  // site that talked to it), not the site's.
  std::string peer;
  bool sip = false;  // a site lane that sends or receives SIP messages
};

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

struct Row {
  std::uint32_t lane = 0;
  std::optional<std::uint32_t> to_lane;  // the other DN's lane on the same site
  // A SIP message: the lane of the peer it went to or came from.
  std::optional<std::uint32_t> peer_lane;
  const correlate::EventRef* event = nullptr;
  std::uint32_t leg = 0;
  Micros corrected = 0;
};

struct Hop {
  const correlate::Link* link = nullptr;
  std::uint32_t from = 0;  // row indices
  std::uint32_t to = 0;
};

struct Ladder {
  std::vector<Lane> lanes;
  std::vector<Row> rows;
  std::vector<Hop> hops;
  bool sip_arrows = false;  // some row is a SIP message between lanes
};

// Lanes: each site's DNs in order of appearance (a site lane without a DN
// for events that name none, and for the SIP messages the site sent or
// received), and one lane per SIP peer address.
Ladder make_ladder(const Built& b) {
  const correlate::Correlation& c = b.correlation;
  const correlate::Interaction& it = c.interactions[b.interaction];
  Ladder l;
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> lane_of;
  std::map<std::string, std::uint32_t> peer_lane_of;
  auto lane = [&](std::uint32_t site, const std::string& dn) {
    auto [pos, added] = lane_of.try_emplace({site, dn}, static_cast<std::uint32_t>(l.lanes.size()));
    if (added) l.lanes.push_back({site, dn, {}, false});
    return pos->second;
  };
  auto peer_lane = [&](std::uint32_t site, const std::string& peer) {
    auto [pos, added] = peer_lane_of.try_emplace(peer, static_cast<std::uint32_t>(l.lanes.size()));
    if (added) l.lanes.push_back({site, {}, peer, false});
    return pos->second;
  };
  const auto timeline = correlate::build_timeline(c, it);
  std::map<std::uint32_t, std::uint32_t> source_row;  // link -> row of its source event
  std::map<std::uint32_t, std::uint32_t> target_row;
  for (const auto& e : timeline) {
    const correlate::Leg& leg = c.legs[e.leg];
    const correlate::EventRef& ev = leg.events[e.event];
    Row r;
    if (ev.is_sip()) {
      // this_dn is the Request-URI, other_dn the peer: the site's own lane.
      r.lane = lane(leg.site, {});
      if (ev.other_dn != 0) {
        l.lanes[r.lane].sip = true;
        r.peer_lane = peer_lane(leg.site, c.str(ev.other_dn));
        l.sip_arrows = true;
      }
    } else {
      r.lane = lane(leg.site, c.str(ev.this_dn));
    }
    r.event = &ev;
    r.leg = e.leg;
    r.corrected = e.corrected;
    const auto row = static_cast<std::uint32_t>(l.rows.size());
    for (auto k : e.links_out)
      source_row.emplace(k, row);
    for (auto k : e.links_in)
      target_row.emplace(k, row);
    l.rows.push_back(r);
  }
  for (auto& r : l.rows) {
    if (r.event->is_sip()) continue;
    const std::string& other = c.str(r.event->other_dn);
    if (other.empty()) continue;
    auto pos = lane_of.find({l.lanes[r.lane].site, other});
    if (pos != lane_of.end() && pos->second != r.lane) r.to_lane = pos->second;
  }
  // Every link whose two ends are on the timeline: IS-Links, transfers,
  // hints and SIP dialogs between sites alike.
  for (const auto& [k, from] : source_row) {
    auto to = target_row.find(k);
    if (to != target_row.end()) l.hops.push_back({&c.links[k], from, to->second});
  }
  return l;
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
  const std::string& name = c.str(e.name);
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

// The label of a lane, in two lines.
std::pair<std::string, std::string> lane_title(const correlate::Correlation& c, const Lane& lane) {
  if (!lane.peer.empty()) return {"SIP " + lane.peer, "SIP peer"};
  return {c.sites[lane.site].name, !lane.dn.empty() ? lane.dn : lane.sip ? "SIP" : "(no DN)"};
}

std::string local_text(const correlate::Correlation& c, std::uint32_t site,
                       const correlate::EventRef& e) {
  auto t = c.local_time(site, e);
  if (!t) return {};
  const bool dated = (e.flags & correlate::EventRef::kLocalDated) != 0 || c.sites[site].utc_offset;
  return base::format_local(*t, dated, e.local_digits == 0 ? 3 : e.local_digits);
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
  w.field("interaction_id", c.interactions[b.interaction].id);
  w.key("lanes").begin_array();
  for (const auto& lane : l.lanes) {
    w.begin_object();
    if (lane.peer.empty()) {
      w.field("site", c.sites[lane.site].name);
      w.field("dn", lane.dn);
      w.field("kind", "site");
      if (lane.sip) w.field("sip", true);
    } else {
      w.field("site", "");
      w.field("dn", lane.peer);
      w.field("kind", "sip_peer");
      w.field("peer", lane.peer);
    }
    w.field("label", lane_title(c, lane).first);
    w.end_object();
  }
  w.end_array();
  w.key("events").begin_array();
  for (const auto& r : l.rows) {
    const correlate::EventRef& e = *r.event;
    const std::uint32_t site = c.legs[r.leg].site;
    w.begin_object();
    w.field("lane", std::uint64_t{r.lane});
    if (r.to_lane) w.field("to_lane", std::uint64_t{*r.to_lane});
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
    w.field("source", e.file < b.file_sources.size() ? b.file_sources[e.file] : "");
    w.field("line", e.line);
    w.field("offset", e.offset);
    w.field("kind", e.is_sip() ? "sip" : "tlib");
    if (e.is_sip()) {
      const SipView v = sip_view(c, e);
      w.field("label", v.label);
      w.field("call_id", v.note.call_id);
      if (r.peer_lane) {
        w.field("direction", (e.flags & correlate::EventRef::kSipSent) != 0 ? "out" : "in");
        w.field("peer", c.str(e.other_dn));
        w.field("peer_lane", std::uint64_t{*r.peer_lane});
      }
      if (!v.request_uri.empty()) w.field("request_uri", v.request_uri);
      if (v.status != 0) w.field("status", std::int64_t{v.status});
      if (!v.note.method.empty()) w.field("method", v.note.method);
      if (!v.note.reason.empty()) w.field("reason", v.note.reason);
      if (v.failure()) w.field("failure", true);
    }
    w.end_object();
  }
  w.end_array();
  w.key("hops").begin_array();
  for (const auto& h : l.hops) {
    w.begin_object();
    w.field("kind", correlate::to_string(h.link->kind));
    w.field("id", h.link->id);
    w.field("from", std::uint64_t{h.from});
    w.field("to", std::uint64_t{h.to});
    w.field("confidence", correlate::to_string(h.link->confidence));
    if (!h.link->sip_call_id.empty()) w.field("sip_call_id", h.link->sip_call_id);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

std::string interaction_svg(const Built& b) {
  const correlate::Correlation& c = b.correlation;
  const Ladder l = make_ladder(b);
  // SIP labels carry a Request-URI: wider lanes when there are any.
  const int kLane = l.sip_arrows ? 240 : 190;
  constexpr int kRow = 26;
  constexpr int kTop = 70;
  constexpr int kLeft = 250;
  const int width = kLeft + static_cast<int>(l.lanes.size()) * kLane + 20;
  const int height = kTop + static_cast<int>(l.rows.size()) * kRow + 30;
  auto x_of = [&](std::uint32_t lane) {
    return kLeft + static_cast<int>(lane) * kLane + kLane / 2;
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
  for (std::uint32_t i = 0; i < l.lanes.size(); ++i) {
    const int x = x_of(i);
    const auto [title, subtitle] = lane_title(c, l.lanes[i]);
    fmt::format_to(o,
                   "<text x=\"{}\" y=\"40\" text-anchor=\"middle\">{}</text>\n"
                   "<text x=\"{}\" y=\"54\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n"
                   "<line x1=\"{}\" y1=\"60\" x2=\"{}\" y2=\"{}\" stroke=\"#bbb\"{}/>\n",
                   x, escape_xml(title), x, escape_xml(subtitle), x, x, height - 20,
                   l.lanes[i].peer.empty() ? "" : " stroke-dasharray=\"4 3\"");
  }
  for (std::size_t r = 0; r < l.rows.size(); ++r) {
    const Row& row = l.rows[r];
    const correlate::EventRef& e = *row.event;
    const int y = y_of(r);
    const int x = x_of(row.lane);
    // The site's own clock (the row's place follows the corrected one).
    fmt::format_to(o, "<text x=\"10\" y=\"{}\">{}</text>\n", y + 4,
                   escape_xml(base::format_utc(e.has_utc() ? e.utc : row.corrected, 4).substr(11)));
    if (!e.is_sip()) {
      fmt::format_to(o, "<circle cx=\"{}\" cy=\"{}\" r=\"4\"/>\n", x, y);
      if (row.to_lane) {
        fmt::format_to(o,
                       "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#36c\" "
                       "marker-end=\"url(#a)\"/>\n",
                       x, y, x_of(*row.to_lane), y);
      }
      fmt::format_to(o, "<text x=\"{}\" y=\"{}\">{}</text>\n", x + 8, y - 4,
                     escape_xml(c.str(e.name)));
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
    if (!row.peer_lane) {
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
    const int peer = x_of(*row.peer_lane);
    const int from = sent ? x : peer;
    const int to = sent ? peer : x;
    const char* colour = v.failure() ? "#d00" : "#1b7f79";
    fmt::format_to(o,
                   "<g class=\"sip{}\"><title>{}</title>"
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"{} "
                   "marker-end=\"url(#{})\"/>"
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\"{}>{}</text></g>\n",
                   v.failure() ? " failure" : "", title, from, y, to, y, colour,
                   v.failure() ? " stroke-width=\"2\"" : "", v.failure() ? 'f' : 's',
                   (x + peer) / 2, y - 4, colour, v.failure() ? " font-weight=\"bold\"" : "",
                   escape_xml(v.label));
  }
  for (const auto& h : l.hops) {
    fmt::format_to(o,
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#c33\" "
                   "stroke-width=\"2\" marker-end=\"url(#a)\"><title>{} {}</title></line>\n",
                   x_of(l.rows[h.from].lane), y_of(h.from), x_of(l.rows[h.to].lane), y_of(h.to),
                   correlate::to_string(h.link->kind), escape_xml(h.link->id));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace calltrail::serve
