// Runs the parser over text in memory, in chunks of a chosen size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/log_parser.hpp"

namespace calltrail::test {

struct Parsed {
  std::vector<model::Event> events;
  base::Diagnostics diagnostics{1000};
  parse::FileInfo info;
};

// Feeds `text` in pieces of the given sizes (cycled; empty = all at once).
// `header_details` and `tlib` as parse::ReadOptions::header_details and
// tlib_detail.
inline Parsed parse_text(std::string_view text, std::string path = "test.log",
                         std::vector<std::size_t> chunks = {}, bool header_details = true,
                         parse::TlibDetail tlib = parse::TlibDetail::Whole) {
  Parsed out;
  out.info.path = std::move(path);
  parse::EventCallback sink = [&](model::Event& e) { out.events.push_back(e); };
  parse::LogParser parser(out.info, 0, out.diagnostics, sink);
  parser.set_header_details(header_details);
  parser.set_tlib_detail(tlib);
  std::size_t pos = 0, k = 0;
  while (pos < text.size()) {
    std::size_t n = chunks.empty() ? text.size() : chunks[k++ % chunks.size()];
    if (n == 0) n = 1;
    parser.feed(text.substr(pos, n));
    pos += n;
  }
  parser.finish();
  return out;
}

}  // namespace calltrail::test
