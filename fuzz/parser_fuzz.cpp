// libFuzzer target for the log parser: any bytes, in any chunking, must give
// events whose field tables are well formed and whose JSON renders, and must
// never crash. The first byte picks the chunk size.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "event_checks.hpp"

using calltrail::fuzz::check_fields;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  calltrail::parse::FileInfo info;
  info.path = "Fuzz.20121029_094100_000.log";
  calltrail::base::Diagnostics diagnostics;
  std::string json;
  calltrail::parse::EventCallback sink = [&](calltrail::model::Event& e) {
    check_fields(e);
    json.clear();
    calltrail::model::append_event_json(json, e, info.path);
  };
  calltrail::parse::LogParser parser(info, 0, diagnostics, sink, 4096);
  for (std::size_t pos = 0; pos < text.size(); pos += chunk)
    parser.feed(text.substr(pos, chunk));
  parser.finish();
  if (info.bytes != text.size()) __builtin_trap();
  return 0;
}
