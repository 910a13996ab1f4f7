#include "calltrail/cli/interaction_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "calltrail/base/time.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/sip_note.hpp"
#include "calltrail/correlate/timeline.hpp"

namespace calltrail::cli {

using correlate::Correlation;
using correlate::Interaction;
using correlate::kNoLeg;
using correlate::Link;
using correlate::LinkKind;
using correlate::LinkReason;

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
  return c.legs[leg].call_uuid;  // a hint to another interaction
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
  if (ev.this_dn != 0) text += " " + c.str(ev.this_dn);
  if (ev.other_dn != 0) text += fmt::format(" {} {}", sent ? "to" : "from", c.str(ev.other_dn));
  if (!note.reason.empty()) text += fmt::format(" Reason={}", note.reason);
  text += fmt::format(" [Call-ID {}]", correlate::short_call_id(note.call_id));
  return text;
}

}  // namespace

void append_interaction_summary(std::string& out, const Correlation& c, const Interaction& it) {
  std::string path;
  std::uint32_t last_site = UINT32_MAX;
  for (std::uint32_t l : it.legs) {
    const std::uint32_t s = c.legs[l].site;
    if (s == last_site) continue;
    if (!path.empty()) path += " > ";
    path += c.sites[s].name;
    last_site = s;
  }
  fmt::format_to(out_it(out), "{}  {:<10}  {} leg{}  {}  {}{}\n", it.id,
                 it.complete ? "complete" : "incomplete", it.legs.size(),
                 it.legs.size() == 1 ? "" : "s", utc_text(it.timed, it.start), path,
                 it.gaps.empty() ? "" : "  [sequence gaps]");
}

void append_interaction_text(std::string& out, const Correlation& c, const Interaction& it,
                             const TextOptions& options) {
  const auto labels = leg_labels(it);
  std::size_t sites = 0;
  {
    std::vector<std::uint32_t> seen;
    for (std::uint32_t l : it.legs)
      if (std::find(seen.begin(), seen.end(), c.legs[l].site) == seen.end())
        seen.push_back(c.legs[l].site);
    sites = seen.size();
  }
  fmt::format_to(out_it(out), "Interaction {}: {}, {} leg{} on {} site{}, {} .. {}\n", it.id,
                 it.complete ? "complete" : "INCOMPLETE", it.legs.size(),
                 it.legs.size() == 1 ? "" : "s", sites, sites == 1 ? "" : "s",
                 utc_text(it.timed, it.start), utc_text(it.timed, it.end));
  std::size_t site_width = 4;
  for (std::uint32_t l : it.legs)
    site_width = std::max(site_width, c.sites[c.legs[l].site].name.size());

  out += "\nLegs:\n";
  for (std::uint32_t l : it.legs) {
    const auto& leg = c.legs[l];
    std::string conns;
    for (const std::uint64_t x : leg.conn_ids)
      conns.append(conns.empty() ? "" : ",").append(correlate::ConnText(x).view());
    fmt::format_to(out_it(out), "  {:<3} {:<{}}  {}  conn {}  {} event{}{}{}\n", labels.at(l),
                   c.sites[leg.site].name, site_width, leg.call_uuid, conns.empty() ? "-" : conns,
                   leg.events.size(), leg.events.size() == 1 ? "" : "s",
                   l == it.root ? "  (root)" : "", leg.ani.empty() ? "" : "  ani " + leg.ani);
    for (const auto& d : leg.sip_dialogs) {
      const char* origin = d.origin == correlate::SipDialog::Origin::Sent       ? "sent"
                           : d.origin == correlate::SipDialog::Origin::Received ? "received"
                                                                                : "seen";
      fmt::format_to(out_it(out), "      SIP Call-ID {}  ({})\n", d.call_id, origin);
    }
  }
  out += "\nLinks:\n";
  if (it.links.empty()) out += "  none\n";
  for (std::uint32_t li : it.links) {
    const Link& l = c.links[li];
    // file:line,line, other-file:line (lines of one file after its name)
    std::string evidence;
    for (std::size_t i = 0; i < l.evidence.size(); ++i) {
      const auto& e = l.evidence[i];
      if (i > 0 && l.evidence[i - 1].file == e.file) {
        fmt::format_to(out_it(evidence), ",{}", e.line);
      } else {
        fmt::format_to(out_it(evidence), "{}{}:{}", i == 0 ? "" : ", ",
                       base_name(c.files[e.file].info.path), e.line);
      }
    }
    fmt::format_to(out_it(out), "  {:<8} {}  {} --> {}  {}{}  [{}]\n", correlate::to_string(l.kind),
                   l.id, link_end_text(c, labels, l, true), link_end_text(c, labels, l, false),
                   correlate::to_string(l.confidence),
                   l.kind == LinkKind::IsLink ? "" : fmt::format(" via {}", l.via), evidence);
    if (l.kind != LinkKind::Sip && !l.sip_call_id.empty())
      fmt::format_to(out_it(out), "           also SIP Call-ID {}\n", l.sip_call_id);
    if (!l.skipped_location.empty())
      fmt::format_to(out_it(out), "           across {} (no logs given)\n", l.skipped_location);
  }
  if (!it.gaps.empty()) {
    out += "\nSequence gaps (events missing from the logs while these legs were alive):\n";
    for (std::uint32_t g : it.gaps) {
      const auto& gap = c.gaps[g];
      fmt::format_to(out_it(out), "  {}: {} missing ({:x}..{:x}) between {} and {}\n",
                     c.sites[gap.site].name, gap.missing(), gap.first_missing, gap.last_missing,
                     gap.after_utc ? base::format_utc(*gap.after_utc) : "?",
                     gap.before_utc ? base::format_utc(*gap.before_utc) : "?");
    }
  }

  out +=
      "\nTimeline (UTC corrected for site clock offsets; local time as the site logs it;\n"
      "* = shown after a later time to respect an IS-Link):\n";
  auto timeline = correlate::build_timeline(c, it);
  if (!options.sip) {
    std::erase_if(timeline, [&](const correlate::TimelineEntry& e) {
      return c.legs[e.leg].events[e.event].is_sip() && e.links_out.empty() && e.links_in.empty();
    });
  }
  std::size_t local_width = 5;
  for (const auto& e : timeline) {
    const auto& leg = c.legs[e.leg];
    local_width = std::max(local_width, local_text(c, leg.site, leg.events[e.event]).size());
  }
  fmt::format_to(out_it(out), "  {:<28} {:<{}}  {:<{}}  {:<3} {}\n", "UTC", "site", site_width,
                 "local", local_width, "leg", "event");
  for (const auto& e : timeline) {
    const auto& leg = c.legs[e.leg];
    const auto& ev = leg.events[e.event];
    std::string what;
    if (ev.is_sip()) {
      what = sip_event_text(c, ev);
    } else {
      what = c.str(ev.name);
      if (ev.this_dn != 0) what += " this=" + c.str(ev.this_dn);
      if (ev.other_dn != 0) what += " other=" + c.str(ev.other_dn);
      if (ev.note != 0) what += " " + c.str(ev.note);
    }
    fmt::format_to(out_it(out), " {}{:<28} {:<{}}  {:<{}}  {:<3} {}  ({}:{})\n",
                   e.reordered ? '*' : ' ', base::format_utc(e.corrected), c.sites[leg.site].name,
                   site_width, local_text(c, leg.site, ev), local_width, labels.at(e.leg), what,
                   base_name(c.files[ev.file].info.path), ev.line);
    const std::string pad(31, ' ');
    for (std::uint32_t li : e.links_out) {
      const Link& l = c.links[li];
      if (l.kind == LinkKind::Hint) continue;
      fmt::format_to(out_it(out), "{}`-- {} {} ==> {}  ({})\n", pad, correlate::to_string(l.kind),
                     l.id, link_end_text(c, labels, l, false), correlate::to_string(l.confidence));
    }
    for (std::uint32_t li : e.links_in) {
      const Link& l = c.links[li];
      if (l.kind == LinkKind::Hint || l.kind == LinkKind::Transfer) continue;
      fmt::format_to(out_it(out), "{}`<= {} {} from {}\n", pad, correlate::to_string(l.kind), l.id,
                     link_end_text(c, labels, l, true));
    }
  }
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
    for (const auto& e : correlate::build_timeline(c, *it)) {
      const auto& leg = c.legs[e.leg];
      const auto& ev = leg.events[e.event];
      const std::size_t from = id_of(c.sites[leg.site].name);
      fmt::format_to(out_it(body), "  Note over S{}: {} {} {}\n", from,
                     base::format_utc(e.corrected).substr(11, 12), labels.at(e.leg),
                     mermaid_text(c.str(ev.name)));
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

}  // namespace calltrail::cli
