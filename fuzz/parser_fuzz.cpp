// libFuzzer target for the log parser: any bytes, in any chunking, must give
// events whose field tables are well formed and whose JSON renders, and must
// never crash. The first byte picks the chunk size. The same bytes read at
// the detail of a trace's scan (TlibDetail::Keys) must give the same events
// at the same places, the same problems and the same values of the
// attributes that detail keeps.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_parser.hpp"
#include "event_checks.hpp"

using calltrail::fuzz::check_fields;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  struct Seen {
    std::string name;
    std::uint64_t line = 0, offset = 0;
    std::string keys;  // the values of the attributes model::Attr names
  };
  auto read = [&](calltrail::parse::TlibDetail detail, std::vector<Seen>& seen,
                  calltrail::base::Diagnostics& diagnostics) {
    calltrail::parse::FileInfo info;
    info.path = "Fuzz.20121029_094100_000.log";
    std::string json;
    calltrail::parse::EventCallback sink = [&](calltrail::model::Event& e) {
      check_fields(e);
      json.clear();
      calltrail::model::append_event_json(json, e, info.path);
      Seen s{e.name, e.where.line, e.where.offset, {}};
      const auto fields = e.fields();
      for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
        if (e.attr(fields[i]) == calltrail::model::Attr::Other) continue;
        s.keys += e.key(fields[i]);
        s.keys += '=';
        if (fields[i].kind != calltrail::model::ValueKind::List) s.keys += e.value(fields[i]);
        s.keys += '\n';
      }
      seen.push_back(std::move(s));
    };
    calltrail::parse::LogParser parser(info, 0, diagnostics, sink, 4096);
    parser.set_tlib_detail(detail);
    for (std::size_t pos = 0; pos < text.size(); pos += chunk)
      parser.feed(text.substr(pos, chunk));
    parser.finish();
    if (info.bytes != text.size()) __builtin_trap();
  };
  std::vector<Seen> whole, keys;
  calltrail::base::Diagnostics whole_problems, keys_problems;
  read(calltrail::parse::TlibDetail::Whole, whole, whole_problems);
  read(calltrail::parse::TlibDetail::Keys, keys, keys_problems);
  if (whole.size() != keys.size() || whole_problems.count() != keys_problems.count())
    __builtin_trap();
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].name != keys[i].name || whole[i].line != keys[i].line ||
        whole[i].offset != keys[i].offset || whole[i].keys != keys[i].keys)
      __builtin_trap();
  }
  for (std::size_t i = 0; i < whole_problems.first().size(); ++i) {
    const auto& a = whole_problems.first()[i];
    const auto& b = keys_problems.first()[i];
    if (a.line != b.line || a.code != b.code || a.message != b.message) __builtin_trap();
  }
  return 0;
}
