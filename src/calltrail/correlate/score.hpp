// Accuracy of correlation against a simulation's truth.json: pairwise
// precision and recall over legs grouped into interactions, links (IS-Links
// and SIP links directed, transfers as unordered pairs, hints ignored),
// completeness, interaction ids, site names and each leg's SIP Call-IDs.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace calltrail::correlate {

struct Ratio {
  std::uint64_t hit = 0;
  std::uint64_t total = 0;
  // 1.0 when there is nothing to count.
  double value() const { return total == 0 ? 1.0 : static_cast<double>(hit) / total; }
};

struct ScoreReport {
  Ratio pair_precision;  // predicted same-interaction leg pairs that are true
  Ratio pair_recall;     // true pairs that were predicted
  Ratio leg_recall;      // truth legs (on monitored sites) found at all
  Ratio link_precision;  // predicted islink/transfer/sip links that are true
  Ratio link_recall;     // true links that were predicted
  Ratio exact;           // truth interactions predicted with exactly their legs
  Ratio complete;        // truth interactions exactly predicted with the right `complete`
  Ratio ids;             // ... and the right interaction_id
  Ratio site_names;      // legs found whose site name matches
  // Truth legs whose predicted leg has exactly their set of SIP Call-IDs
  // (legs[].sip_call_ids; a missing leg is a miss, truth without the field
  // is not counted).
  Ratio sip_call_ids;
  std::vector<std::string> mistakes;  // the first few, readable

  bool perfect() const;
};

// `truth` is truth.json; `predicted` is one interaction JSON per element (the
// `interactions --format jsonl` lines). Throws nlohmann::json::exception on
// JSON that does not have the documented shape.
ScoreReport score(const nlohmann::json& truth, const std::vector<nlohmann::json>& predicted,
                  std::size_t keep_mistakes = 20);

// Marks as without logs (`monitored: false`) each site of `truth` none of
// whose files is among `paths` (compared by file name), so a subset of the
// logs can be scored: that site's legs are not expected, and a link across it
// (`skipped_location`) is true when the truth's hops lead through it. Returns
// the names of the sites marked.
std::vector<std::string> mark_sites_without_logs(nlohmann::json& truth,
                                                 const std::vector<std::string>& paths);

}  // namespace calltrail::correlate
