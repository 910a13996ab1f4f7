// libFuzzer target for the events JSON a site collector POSTs to `calltrail
// serve`: serve::read_event_json must accept a line or say why not, never
// crash. An accepted line, written back with model::append_event_json, must
// read again and write the same bytes (the writer and reader agree).
// An input starting with '{' is the line; otherwise its first byte says how
// many bytes (modulo 64) to cut from the end of the rest, as a POST cut short
// would (the corpus replay prefixes 0, 6 and 63).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calltrail/model/event_json.hpp"
#include "calltrail/serve/event_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  if (!line.empty() && line.front() != '{') {
    const std::size_t cut = static_cast<std::uint8_t>(line.front()) % 64;
    line.remove_prefix(1);
    line.remove_suffix(std::min(cut, line.size()));
  }
  calltrail::model::Event event;
  if (!calltrail::serve::read_event_json(line, event).empty()) return 0;
  std::string first;
  calltrail::model::append_event_json(first, event, "f.log");
  calltrail::model::Event again;
  if (!calltrail::serve::read_event_json(first, again).empty()) __builtin_trap();
  std::string second;
  calltrail::model::append_event_json(second, again, "f.log");
  if (second != first) __builtin_trap();
  return 0;
}
