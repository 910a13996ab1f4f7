#include "calltrail/cli/interaction_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "calltrail/base/time.hpp"
#include "calltrail/cli/terminal_text.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/correlate/recording.hpp"
#include "calltrail/correlate/sip_note.hpp"
#include "calltrail/correlate/timeline.hpp"

namespace calltrail::cli {

using correlate::Correlation;
using correlate::Interaction;
using correlate::kNoLeg;
using correlate::Link;
using correlate::LinkKind;
using correlate::LinkReason;
using correlate::to_string;

namespace {

auto out_it(std::string& out) {
  return std::back_inserter(out);
}

// A time that may be unknown (a call none of whose events has one).
std::string utc_text(bool known, correlate::Micros t) {
  return known ? base::format_utc(t) : std::string("(time unknown)");
}

std::string base_name(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Leg labels L1, L2, ... in the interaction's leg order.
std::map<std::uint32_t, std::string> leg_labels(const Interaction& it) {
  std::map<std::uint32_t, std::string> m;
  for (std::size_t i = 0; i < it.legs.size(); ++i)
    m[it.legs[i]] = fmt::format("L{}", i + 1);
  return m;
}

std::string leg_label(const std::map<std::uint32_t, std::string>& labels, const Correlation& c,
                      std::uint32_t leg) {
  if (leg == kNoLeg) return "?";
  auto it = labels.find(leg);
  if (it != labels.end()) return it->second;
  return c.legs[leg].call_uuid.str();  // a hint to another interaction
}

std::string local_text(const Correlation& c, std::uint32_t site, const correlate::EventRef& e) {
  auto t = c.local_time(site, e);
  if (!t) return "-";
  const bool dated = (e.flags & correlate::EventRef::kLocalDated) != 0 || c.sites[site].utc_offset;
  return base::format_local(*t, dated, e.local_digits == 0 ? 3 : e.local_digits);
}

std::string link_end_text(const Correlation& c, const std::map<std::uint32_t, std::string>& labels,
                          const Link& l, bool from) {
  const std::uint32_t leg = from ? l.from : l.to;
  if (leg != kNoLeg)
    return fmt::format("{} {}", leg_label(labels, c, leg), c.sites[c.legs[leg].site].name);
  if (l.kind == LinkKind::IsLink) {
    return fmt::format("{} ({})", l.remote_site.empty() ? "?" : l.remote_site,
                       correlate::to_string(l.reason));
  }
  return fmt::format("{} ({})", l.id, correlate::to_string(l.reason));
}

// "SIP> INVITE sip:1002@host [Call-ID …6290F4CB29F6-4]", "SIP< 403 Forbidden [Call-ID …]".
std::string sip_event_text(const Correlation& c, const correlate::EventRef& ev) {
  const correlate::SipNote note = correlate::parse_sip_note(c.str(ev.note));
  const bool sent = (ev.flags & correlate::EventRef::kSipSent) != 0;
  std::string text = fmt::format("SIP{} {}", sent ? '>' : '<', c.str(ev.name));
  // A response: the method of the request it answers.
  if (!note.method.empty()) text += fmt::format(" ({})", note.method);
  if (ev.this_dn != 0) text += fmt::format(" {}", c.str(ev.this_dn));
  if (ev.other_dn != 0) text += fmt::format(" {} {}", sent ? "to" : "from", c.str(ev.other_dn));
  if (!note.reason.empty()) text += fmt::format(" Reason={}", note.reason);
  text += fmt::format(" [Call-ID {}]", correlate::short_call_id(note.call_id));
  return text;
}

// The recording marks of an interaction's legs, by leg and the event that asked.
using MarkMap = std::map<std::pair<std::uint32_t, std::uint32_t>, correlate::RecordingMark>;
MarkMap recording_marks_of(const Correlation& c, const Interaction& it) {
  MarkMap marks;
  for (std::uint32_t leg : it.legs)
    for (auto& m : correlate::recording_marks(c, c.legs[leg]))
      marks.emplace(std::make_pair(leg, m.event), std::move(m));
  return marks;
}

}  // namespace

void append_interaction_summary(std::string& out, const Correlation& c, const Interaction& it,
                                std::string_view lead, std::string_view tail) {
  std::string path;
  std::uint32_t last_site = UINT32_MAX;
  for (std::uint32_t l : it.legs) {
    const std::uint32_t s = c.legs[l].site;
    if (s == last_site) continue;
    if (!path.empty()) path += " > ";
    path += c.sites[s].name;
    last_site = s;
  }
  append_wrapped(out,
                 fmt::format("{}{}  {:<10}  {} leg{}  {}  {}{}{}", lead, it.id,
                             it.complete ? "complete" : "incomplete", it.legs.size(),
                             it.legs.size() == 1 ? "" : "s", utc_text(it.timed, it.start), path,
                             c.gaps_of(it).empty() ? "" : "  [sequence gaps]", tail),
                 lead.size() + 4);
}

namespace {

// The sites of an interaction in order of appearance: what their colours go by.
std::vector<std::uint32_t> sites_of(const Correlation& c, const Interaction& it) {
  std::vector<std::uint32_t> seen;
  for (std::uint32_t l : it.legs)
    if (std::find(seen.begin(), seen.end(), c.legs[l].site) == seen.end())
      seen.push_back(c.legs[l].site);
  return seen;
}

// Writes an interaction as text for a terminal: each line wrapped to
// kTextWidth, sites and kinds of events coloured when asked.
class TextWriter {
 public:
  TextWriter(std::string& out, const Correlation& c, const Interaction& it, const TextOptions& o)
      : out_(out),
        c_(c),
        it_(it),
        options_(o),
        paint_(o.color),
        labels_(leg_labels(it)),
        sites_(sites_of(c, it)) {
    for (std::uint32_t s : sites_)
      site_width_ = std::max(site_width_, c.sites[s].name.size());
  }

  void write() {
    line(fmt::format("Interaction {}: {}, {} leg{} on {} site{}", paint_(it_.id, Color::Bold),
                     it_.complete ? "complete" : paint_("INCOMPLETE", Color::Red), it_.legs.size(),
                     it_.legs.size() == 1 ? "" : "s", sites_.size(), sites_.size() == 1 ? "" : "s"),
         2);
    line(fmt::format("  from {} to {} (UTC)", utc_text(it_.timed, it_.start), end_text()), 2);
    legs();
    links();
    gaps();
    timeline();
  }

 private:
  void line(std::string_view text, std::size_t indent) { append_wrapped(out_, text, indent); }

  // The end of the interaction: its time of day when on the day it started.
  std::string end_text() const {
    const std::string start = utc_text(it_.timed, it_.start);
    const std::string end = utc_text(it_.timed, it_.end);
    return it_.timed && start.compare(0, 11, end, 0, 11) == 0 ? end.substr(11) : end;
  }

  std::string site(std::uint32_t s, std::size_t width = 0) const {
    const std::string& name = c_.sites[s].name;
    const auto n = std::find(sites_.begin(), sites_.end(), s) - sites_.begin();
    std::string text = paint_(name, Paint::site(static_cast<std::size_t>(n)));
    if (name.size() < width) text.append(width - name.size(), ' ');
    return text;
  }
  // The leg's label padded to three columns.
  std::string leg_column(std::uint32_t l) const {
    const std::size_t width = leg_label(labels_, c_, l).size();
    return leg(l) + std::string(width < 3 ? 3 - width : 0, ' ');
  }
  std::string leg(std::uint32_t l) const {
    if (l == kNoLeg) return "?";
    const std::string label = leg_label(labels_, c_, l);
    if (labels_.count(l) == 0) return label;  // a hint to another interaction
    const auto n = std::find(sites_.begin(), sites_.end(), c_.legs[l].site) - sites_.begin();
    return paint_(label, Paint::site(static_cast<std::size_t>(n)));
  }
  std::string link_end(const Link& l, bool from) const {
    const std::uint32_t end = from ? l.from : l.to;
    if (end != kNoLeg) return fmt::format("{} {}", leg(end), site(c_.legs[end].site));
    return link_end_text(c_, labels_, l, from);
  }

  void legs() {
    out_ += "\nLegs:\n";
    for (std::uint32_t l : it_.legs) {
      const auto& lg = c_.legs[l];
      std::string conns;
      for (const std::uint64_t x : lg.conn_ids)
        conns.append(conns.empty() ? "" : ",").append(correlate::ConnText(x).view());
      line(fmt::format("  {} {}  {}  conn {}  {} event{}{}{}", leg_column(l),
                       site(lg.site, site_width_), lg.call_uuid, conns.empty() ? "-" : conns,
                       lg.event_count(), lg.event_count() == 1 ? "" : "s",
                       l == it_.root ? "  (root)" : "",
                       lg.ani.empty() ? "" : "  ani " + lg.ani.str()),
           6);
      for (const auto& d : lg.sip_dialogs) {
        const char* origin = d.origin == correlate::SipDialog::Origin::Sent       ? "sent"
                             : d.origin == correlate::SipDialog::Origin::Received ? "received"
                                                                                  : "seen";
        line(fmt::format("      SIP Call-ID {}  ({})", d.call_id, origin), 8);
      }
    }
  }

  void links() {
    out_ += "\nLinks:\n";
    if (it_.links.empty()) out_ += "  none\n";
    for (std::uint32_t li : it_.links) {
      const Link& l = c_.links[li];
      // file:line,line, other-file:line (lines of one file after its name)
      std::string evidence;
      for (std::size_t i = 0; i < l.evidence.size(); ++i) {
        const auto& e = l.evidence[i];
        if (i > 0 && l.evidence[i - 1].file == e.file) {
          fmt::format_to(out_it(evidence), ",{}", e.line);
        } else {
          fmt::format_to(out_it(evidence), "{}{}:{}", i == 0 ? "" : ", ",
                         base_name(c_.files[e.file].info.path), e.line);
        }
      }
      line(fmt::format("  {:<8} {}  {} --> {}  {}{}  [{}]", correlate::to_string(l.kind), l.id,
                       link_end(l, true), link_end(l, false), correlate::to_string(l.confidence),
                       l.kind == LinkKind::IsLink ? "" : fmt::format(" via {}", l.via), evidence),
           11);
      if (l.kind != LinkKind::Sip && !l.sip_call_id.empty())
        line(fmt::format("           also SIP Call-ID {}", l.sip_call_id), 11);
      if (!l.skipped_location.empty())
        line(fmt::format("           across {} (no logs given)", l.skipped_location), 11);
    }
  }

  void gaps() {
    const std::vector<std::uint32_t> gaps = c_.gaps_of(it_);
    if (gaps.empty()) return;
    out_ += "\nSequence gaps (events missing from the logs while these legs were alive):\n";
    for (std::uint32_t g : gaps) {
      const auto& gap = c_.gaps[g];
      line(fmt::format("  {}: {} missing ({:x}..{:x}) between {} and {}", site(gap.site),
                       gap.missing(), gap.first_missing, gap.last_missing,
                       gap.after_utc ? base::format_utc(*gap.after_utc) : "?",
                       gap.before_utc ? base::format_utc(*gap.before_utc) : "?"),
           4);
    }
  }

  // What the times mean, and each clock that differs from its reference.
  void time_words() {
    out_ += "\nTimeline:\n";
    const bool corrected = std::any_of(sites_.begin(), sites_.end(), [&](std::uint32_t s) {
      return c_.sites[s].clock_offset && *c_.sites[s].clock_offset != 0;
    });
    line(
        fmt::format("  Times are UTC{}; \"local\" is the time as the site logs it; * = shown "
                    "after a later time to respect an IS-Link.",
                    corrected ? ". Where a site's clock differs from its reference site's (below), "
                                "its events stand at the corrected time and \"site clock\" is "
                                "the UTC the site itself logged"
                              : ""),
        2);
    for (std::uint32_t s : sites_) {
      const auto& info = c_.sites[s];
      if (!info.clock_offset || *info.clock_offset == 0) continue;
      const auto offset = *info.clock_offset;
      line(fmt::format("  Clock of {}: {:.6f} s {} {} (the reference, from {} linked pair{}); "
                       "its events are placed {:+.6f} s from their site clock",
                       site(s), static_cast<double>(offset < 0 ? -offset : offset) / 1e6,
                       offset < 0 ? "behind" : "ahead of", site(info.clock_reference),
                       info.clock_links, info.clock_links == 1 ? "" : "s",
                       static_cast<double>(-offset) / 1e6),
           4);
    }
  }

  std::string event_text(const correlate::EventRef& ev) const {
    const std::string name(c_.str(ev.name));
    if (ev.is_sip()) return paint_(sip_event_text(c_, ev), Paint::event(name, true));
    std::string what = paint_(name, Paint::event(name, false));
    if (ev.this_dn != 0) what += fmt::format(" this={}", c_.str(ev.this_dn));
    if (ev.other_dn != 0) what += fmt::format(" other={}", c_.str(ev.other_dn));
    if (ev.note != 0) what += fmt::format(" {}", c_.str(ev.note));
    return what;
  }

  void timeline() {
    time_words();
    auto timeline = correlate::build_timeline(c_, it_);
    // Recording marks, by leg and event: on the request, and on the answer
    // that refused it.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> marks;
    for (const auto& [at, m] : recording_marks_of(c_, it_)) {
      marks[at] = "\u25cf " + correlate::describe(c_, c_.legs[at.first], m);
      if (m.status == correlate::RecordingMark::Status::Failed && m.answer)
        marks[{at.first, *m.answer}] =
            fmt::format("\u25cf refuses the recording {} above", correlate::to_string(m.kind));
    }
    if (!options_.sip) {
      std::erase_if(timeline, [&](const correlate::TimelineEntry& e) {
        return c_.legs[e.leg].events[e.event].is_sip() && e.links_out.empty() &&
               e.links_in.empty() && !marks.contains({e.leg, e.event});
      });
    }
    // time (15), leg (3), site, then the event, its DNs and notes wrapping
    // under it; its times and file:line, then its hops, under the leg.
    const std::size_t column = 2 + 15 + 2 + 3 + 1 + site_width_ + 2;
    const std::string under(2 + 15 + 2, ' ');
    line(fmt::format("  {:<15}  {:<3} {:<{}}  {}", "UTC", "leg", "site", site_width_, "event"), 2);
    std::string day;
    for (const auto& e : timeline) {
      const auto& lg = c_.legs[e.leg];
      const auto& ev = lg.events[e.event];
      const std::string utc = base::format_utc(e.corrected);
      if (utc.substr(0, 10) != day) {
        day = utc.substr(0, 10);
        out_ += paint_(fmt::format("  {}", day), Color::Bold) + "\n";
      }
      line(fmt::format(" {}{}  {} {}  {}", e.reordered ? '*' : ' ', utc.substr(11, 15),
                       leg_column(e.leg), site(lg.site, site_width_), event_text(ev)),
           column);
      std::string where = fmt::format("local {}", local_text(c_, lg.site, ev));
      const auto& info = c_.sites[lg.site];
      if (ev.has_utc() && info.clock_offset && *info.clock_offset != 0)
        where += fmt::format(", site clock {}", base::format_utc(ev.utc).substr(11, 15));
      where += fmt::format("  {}:{}", base_name(c_.files[ev.file].info.path), ev.line);
      if (auto m = marks.find({e.leg, e.event}); m != marks.end())
        line(under + paint_(m->second, Color::Bold), under.size() + 4);
      line(under + paint_(where, Color::Dim), under.size() + 4);
      for (std::uint32_t li : e.links_out) {
        const Link& l = c_.links[li];
        if (l.kind == LinkKind::Hint) continue;
        line(under + fmt::format("`-- {} {} ==> {}  ({})", paint_(to_string(l.kind), Color::Bold),
                                 l.id, link_end(l, false), to_string(l.confidence)),
             under.size() + 4);
      }
      for (std::uint32_t li : e.links_in) {
        const Link& l = c_.links[li];
        if (l.kind == LinkKind::Hint || l.kind == LinkKind::Transfer) continue;
        line(under + fmt::format("`<= {} {} from {}", paint_(to_string(l.kind), Color::Bold), l.id,
                                 link_end(l, true)),
             under.size() + 4);
      }
    }
  }

  std::string& out_;
  const Correlation& c_;
  const Interaction& it_;
  const TextOptions& options_;
  Paint paint_;
  std::map<std::uint32_t, std::string> labels_;
  std::vector<std::uint32_t> sites_;
  std::size_t site_width_ = 4;
};

}  // namespace

void append_interaction_text(std::string& out, const Correlation& c, const Interaction& it,
                             const TextOptions& options) {
  TextWriter(out, c, it, options).write();
}

// Text Mermaid shows as it is: '#' and ';' would end the statement or start a
// comment, '%%' a comment, '<' '>' HTML; they become entity codes (#35;), and
// line breaks and other control characters spaces.
std::string mermaid_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '#':
        out += "#35;";
        break;
      case ';':
        out += "#59;";
        break;
      case '%':
        out += "#37;";
        break;
      case '<':
        out += "#lt;";
        break;
      case '>':
        out += "#gt;";
        break;
      default:
        out += static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f ? ' ' : ch;
    }
  }
  return out;
}

void append_interaction_mermaid(std::string& out, const Correlation& c, const Interaction& it) {
  const Interaction* one[] = {&it};
  append_interactions_mermaid(out, c, one);
}

void append_interactions_mermaid(std::string& out, const Correlation& c,
                                 std::span<const Interaction* const> interactions) {
  // Participants S1, S2, ... one per site, in order of appearance.
  std::map<std::string, std::size_t> participant;
  std::string declarations;
  auto id_of = [&](const std::string& site) {
    auto [p, added] = participant.emplace(site, participant.size() + 1);
    if (added) {
      fmt::format_to(out_it(declarations), "  participant S{} as {}\n", p->second,
                     mermaid_text(site));
    }
    return p->second;
  };
  for (const Interaction* it : interactions)
    for (std::uint32_t l : it->legs)
      id_of(c.sites[c.legs[l].site].name);
  std::string body;
  for (const Interaction* it : interactions) {
    const auto labels = leg_labels(*it);
    // Several interactions share one diagram, each opened by a note across
    // the participants of its legs.
    if (interactions.size() > 1) {
      std::size_t lo = SIZE_MAX;
      std::size_t hi = 0;
      for (std::uint32_t l : it->legs) {
        const std::size_t id = id_of(c.sites[c.legs[l].site].name);
        lo = std::min(lo, id);
        hi = std::max(hi, id);
      }
      fmt::format_to(out_it(body), "  Note over S{}{}: interaction {}\n", lo,
                     lo == hi ? std::string() : fmt::format(",S{}", hi), mermaid_text(it->id));
    }
    const MarkMap marks = recording_marks_of(c, *it);
    for (const auto& e : correlate::build_timeline(c, *it)) {
      const auto& leg = c.legs[e.leg];
      const auto& ev = leg.events[e.event];
      const std::size_t from = id_of(c.sites[leg.site].name);
      std::string mark;
      if (auto m = marks.find({e.leg, e.event}); m != marks.end()) {
        mark = fmt::format(
            " (recording {}{})", correlate::to_string(m->second.kind),
            m->second.status == correlate::RecordingMark::Status::Failed ? ", failed" : "");
      }
      fmt::format_to(out_it(body), "  Note over S{}: {} {} {}{}\n", from,
                     base::format_utc(e.corrected).substr(11, 12), labels.at(e.leg),
                     mermaid_text(c.str(ev.name)), mark);
      for (std::uint32_t li : e.links_out) {
        const Link& l = c.links[li];
        // A hint is drawn dashed, and only when it joined this interaction.
        const bool hint = l.kind == LinkKind::Hint;
        if (hint && (!l.paired() || labels.count(l.to) == 0)) continue;
        const std::string& to_site = l.to != kNoLeg           ? c.sites[c.legs[l.to].site].name
                                     : !l.remote_site.empty() ? l.remote_site
                                                              : c.sites[leg.site].name;
        const std::string text = fmt::format(
            "{} {}{}", correlate::to_string(l.kind),
            l.id.size() > 8 ? "…" + l.id.substr(l.id.size() - 6) : l.id,
            l.paired()
                ? fmt::format(" {}→{}", leg_label(labels, c, l.from), leg_label(labels, c, l.to))
                : fmt::format(" ({})", correlate::to_string(l.reason)));
        fmt::format_to(out_it(body), "  S{}{}S{}: {}\n", from,
                       hint                                                ? "-->>"
                       : l.paired() || l.reason == LinkReason::Unmonitored ? "->>"
                                                                           : "-x",
                       id_of(to_site), mermaid_text(text));
      }
    }
  }
  out += "sequenceDiagram\n";
  for (const Interaction* it : interactions)
    fmt::format_to(out_it(out), "  %% interaction {}\n", mermaid_text(it->id));
  out += declarations;
  out += body;
}

void append_site_text(std::string& out, const Correlation& c, std::uint32_t si) {
  const auto& s = c.sites[si];
  fmt::format_to(out_it(out), "{}  (name from {})\n", s.name, correlate::to_string(s.name_source));
  fmt::format_to(out_it(out), "  time        {} .. {}\n",
                 s.first_utc ? base::format_utc(*s.first_utc) : "-",
                 s.last_utc ? base::format_utc(*s.last_utc) : "-");
  fmt::format_to(out_it(out), "  utc offset  {}{}\n",
                 s.utc_offset ? base::format_offset(*s.utc_offset) : "unknown",
                 !s.utc_offset              ? ""
                 : s.utc_offset_from_header ? " (header)"
                                            : " (from events)");
  if (s.clock_offset) {
    fmt::format_to(out_it(out), "  clock       {:+.6f} s against {} ({} linked pair{})\n",
                   static_cast<double>(*s.clock_offset) / 1e6, c.sites[s.clock_reference].name,
                   s.clock_links, s.clock_links == 1 ? "" : "s");
  } else {
    out += "  clock       not linked to another site\n";
  }
  std::uint64_t missing = 0;
  for (std::uint32_t g : s.gaps)
    missing += c.gaps[g].missing();
  fmt::format_to(out_it(out), "  events      {} ({} on {} legs, {} unattached)\n", s.events,
                 s.call_events, s.legs, s.unattached_events);
  fmt::format_to(out_it(out), "  gaps        {} ({} events missing{})\n", s.gaps.size(), missing,
                 s.sequence_out_of_order == 0
                     ? std::string()
                     : fmt::format(", {} out of order", s.sequence_out_of_order));
  for (std::uint32_t f : s.files)
    fmt::format_to(out_it(out), "  file        {}\n", c.files[f].info.path);
}

namespace {

// {"interaction_id", "matched", "complete", "legs", "start"}: a match in the list.
correlate::Json match_json(const correlate::Correlation& c, const correlate::Match& m) {
  const auto& it = c.interactions[m.interaction];
  return {
      {"interaction_id", it.id},
      {"matched", m.matched},
      {"complete", it.complete},
      {"legs", it.legs.size()},
      {"start", it.timed ? correlate::Json(base::format_utc(it.start)) : correlate::Json(nullptr)}};
}

}  // namespace

void append_trace_json(std::string& out, const correlate::Correlation& c, const std::string& id,
                       const std::vector<correlate::Match>& matches, bool shown) {
  correlate::Json list = correlate::Json::array();
  for (const auto& m : matches)
    list.push_back(match_json(c, m));
  out += "{\"id\":";
  out += correlate::dump_json(id);
  out += ",\"matches\":";
  out += correlate::dump_json(std::move(list));
  out += ",\"interactions\":[";
  bool first = true;
  for (const auto& m : matches) {
    if (!shown) break;
    out += first ? "\n" : ",\n";
    first = false;
    correlate::append_interaction_json(out, c, c.interactions[m.interaction], {.timeline = true});
  }
  out += "]}\n";
}

}  // namespace calltrail::cli
