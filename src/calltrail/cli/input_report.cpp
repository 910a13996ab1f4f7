#include "calltrail/cli/input_report.hpp"

#include <fmt/format.h>

namespace calltrail::cli {

InputSummary report_inputs(const parse::LogReader& reader, std::string_view command, bool quiet) {
  InputSummary s;
  for (const auto& e : reader.input_errors()) {
    fmt::print(stderr, "calltrail {}: cannot read {}: {}\n", command, e.path, e.message);
    ++s.unreadable;
  }
  const auto& d = reader.diagnostics();
  s.malformed = d.count();
  if (d.count() == 0) return s;
  if (!quiet) {
    for (const auto& p : d.first()) {
      fmt::print(stderr, "{}:{}: {}: {}\n", p.file, p.line, p.code, p.message);
    }
  }
  std::string kinds;
  for (const auto& [code, n] : d.by_code()) {
    fmt::format_to(std::back_inserter(kinds), "{}{} {}", kinds.empty() ? "" : ", ", n, code);
  }
  fmt::print(stderr, "calltrail {}: {} malformed record{} ({}){}; the rest of the input was read\n",
             command, d.count(), d.count() == 1 ? "" : "s", kinds,
             !quiet && d.count() > d.first().size()
                 ? fmt::format(", first {} shown", d.first().size())
                 : std::string());
  return s;
}

}  // namespace calltrail::cli
