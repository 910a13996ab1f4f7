// libFuzzer target for recording manifests (recordings/manifest.hpp): any
// bytes as JSON lines, CSV or recording metadata. Nothing may crash; every
// recording taken has its id and CallUUID and a line inside the input; every
// problem names a line inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "calltrail/recordings/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : text)
    lines += c == '\n' ? 1 : 0;
  const auto m = calltrail::recordings::read_manifest(text);
  for (const auto& r : m.recordings)
    if (r.recording_id.empty() || r.call_uuid.empty() || r.line == 0 || r.line > lines)
      std::abort();
  for (const auto& p : m.problems)
    if (p.message.empty() || p.line == 0 || p.line > lines) std::abort();
  if (!m.error.empty() && !m.recordings.empty()) std::abort();
  return 0;
}
