// Human-readable views of a correlation: an interaction as a timeline across
// sites (text) or a sequence diagram (Mermaid), one-line summaries, sites.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/query.hpp"

namespace calltrail::cli {

// "00RP…317  complete  3 legs  start  Tserver2@Avaya_Switch1 > SIPServer1@SIP_Switch1 > …",
// between `lead` and `tail`, wrapped to kTextWidth (terminal_text.hpp).
void append_interaction_summary(std::string& out, const correlate::Correlation& c,
                                const correlate::Interaction& interaction,
                                std::string_view lead = {}, std::string_view tail = {});
struct TextOptions {
  bool sip = true;     // SIP messages on the timeline (trace --no-sip hides them)
  bool color = false;  // ANSI colours by site and by kind of event
};
// Legs, links, gaps, then every event on one UTC timeline with each hop
// drawn; lines fit kTextWidth (terminal_text.hpp), details wrapped under the
// event.
void append_interaction_text(std::string& out, const correlate::Correlation& c,
                             const correlate::Interaction& interaction,
                             const TextOptions& options = {});
// A Mermaid sequenceDiagram: one participant per site, an arrow per link.
// Labels are escaped (mermaid_text). Several interactions make one diagram,
// each opened by a note with its id.
void append_interaction_mermaid(std::string& out, const correlate::Correlation& c,
                                const correlate::Interaction& interaction);
void append_interactions_mermaid(std::string& out, const correlate::Correlation& c,
                                 std::span<const correlate::Interaction* const> interactions);
// `text` made safe as a Mermaid label: '#', ';', '%', '<' and '>' as entity
// codes (#35;), control characters as spaces.
std::string mermaid_text(std::string_view text);
void append_site_text(std::string& out, const correlate::Correlation& c, std::uint32_t site);

// The one JSON shape of trace (docs/correlation.md): the matches, and the
// interactions shown in full (none when several match and `shown` is false).
void append_trace_json(std::string& out, const correlate::Correlation& c, const std::string& id,
                       const std::vector<correlate::Match>& matches, bool shown);

}  // namespace calltrail::cli
