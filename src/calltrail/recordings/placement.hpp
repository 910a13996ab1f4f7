// Each recording placed on its leg and interaction (docs/recordings.md): the
// leg of the recording's site with its CallUUID, that leg's interaction, its
// position there, and the other recordings of the same interaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/recordings/manifest.hpp"

namespace calltrail::recordings {

struct Placement {
  std::optional<std::uint32_t> leg;          // in the correlation
  std::optional<std::uint32_t> interaction;  // in the correlation
  std::string reason;                        // why there is none
  std::uint32_t position = 0;                // 1-based, among the interaction's legs
  std::optional<bool> conn_id_matches;       // when the recording gives a ConnID
};

struct Placed {
  std::vector<Placement> placements;  // one per recording, in the same order
  // Per interaction (index into the correlation's), its recordings by
  // position, then recording id.
  std::vector<std::vector<std::size_t>> by_interaction;
};

Placed place_recordings(const correlate::Correlation& c, const std::vector<Recording>& recordings);

// One recording as a JSON object (no newline).
void append_recording_json(std::string& out, const correlate::Correlation& c,
                           const std::vector<Recording>& recordings, const Placed& placed,
                           std::size_t i);

// Text: the recordings grouped by interaction, then those not placed.
void append_recordings_text(std::string& out, const correlate::Correlation& c,
                            const std::vector<Recording>& recordings, const Placed& placed);

}  // namespace calltrail::recordings
