// The ground truth of a simulation: what really happened, written as
// truth.json beside the logs (schema in docs/simulate.md).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "calltrail/base/time.hpp"
#include "calltrail/simulate/options.hpp"

namespace calltrail::simulate {

// A SIP Call-ID the leg's site mapped to the leg (CID:CUUID line), and when
// it first did (true time).
struct TruthSipDialog {
  std::string call_id;
  base::Micros first = 0;
};

// A recording the simulator asked for on a leg: kind (start, stop) and, for a
// start, the recording's id (the MSML <record id>).
struct TruthRecording {
  std::string kind;
  std::string id;
};

struct TruthLeg {
  std::uint32_t site = 0;
  std::string call_uuid;
  std::vector<std::string> conn_ids;  // empty on a site without T-Library messages
  base::Micros true_start = 0;        // first event, true time
  base::Micros true_end = 0;          // last event, true time
  std::int64_t skew = 0;              // the site's clock skew: logged = true + skew
  std::uint32_t events = 0;           // T-Library events carrying this CallUUID
  std::string role;                   // "inbound", "islink-target", "consult"
  std::vector<TruthSipDialog> sip_dialogs;
  std::vector<TruthRecording> recordings;  // in order
  // First and last CID:CUUID line of the leg (true time): its life when the
  // site prints no T-Library message.
  base::Micros sip_start = 0;
  base::Micros sip_end = 0;
};

// Sip: a hop between two SIP Server sites that print no T-Library message,
// known only from the SIP dialog both map. Iscc: a hop between two sites
// without call monitoring (no IS-Link reported), known from the ISCC call
// history of the arriving call; its id is the origin's ConnID.
enum class LinkKind : std::uint8_t { IsLink, Transfer, Sip, Iscc };

struct TruthLink {
  LinkKind kind = LinkKind::IsLink;
  std::string id;      // IS-Link id, the Call-ID of a sip link, the ConnID of an iscc link
  std::string from;    // call_uuid of the source / main call
  std::string to;      // call_uuid of the target / consult call; empty when never reported
  std::string reason;  // "", "unmonitored", "partner-missing"
  std::uint32_t from_site = 0;
  std::uint32_t to_site = 0;
  std::string survivor;       // transfers: the call that survives the merge
  bool conference = false;    // transfers: completed as a conference
  bool conn_id_kept = false;  // IS-Links: the target kept the source's ConnID
  // Hops between two SIP Server sites: the Call-ID of the INVITE that
  // carried the call, which both sites map to their leg.
  std::string sip_call_id;
};

struct TruthInteraction {
  std::string interaction_id;  // CallUUID of the first leg
  std::vector<Scenario> scenarios;
  std::vector<TruthLeg> legs;
  std::vector<TruthLink> links;
  std::string ani;
  std::string dnis;
  std::string customer_id;
  std::string reused_conn_id_from;  // connid-reuse: interaction whose ConnID this one reuses

  bool complete() const {
    for (const auto& l : links)
      if (l.to.empty() && l.reason != "unmonitored") return false;
    return true;
  }
};

struct SequenceGap {
  std::uint64_t after_seq = 0;
  std::uint64_t missing = 0;
};

struct TruthSite {
  SiteSpec spec;
  std::vector<std::string> files;
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;
  std::vector<SequenceGap> gaps;
};

// One interaction as a single JSON line (no trailing newline).
// `site_names` maps the site indices of legs and links to APP@SWITCH.
std::string interaction_json(const TruthInteraction& ia,
                             const std::vector<std::string>& site_names);

}  // namespace calltrail::simulate
