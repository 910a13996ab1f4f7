#include "calltrail/cli/input_report.hpp"

#include <fmt/format.h>

#include "calltrail/base/utf8.hpp"

namespace calltrail::cli {

bool report_not_logs(std::span<const parse::FileInfo> files, std::string_view command) {
  std::size_t logs = 0;
  for (const auto& f : files) {
    if (parse::is_log(f)) {
      ++logs;
      continue;
    }
    fmt::print(stderr,
               "calltrail {}: {}: not a log ({} bytes without a T-Library or SIP message, a log "
               "header or a line that begins with a time); skipped\n",
               command, base::valid_utf8(f.path), f.bytes);
  }
  if (logs > 0) return false;
  if (files.empty()) {
    fmt::print(stderr, "calltrail {}: nothing to read: no file was found\n", command);
  } else {
    fmt::print(stderr, "calltrail {}: nothing to read: {} file{} read, none of them a log\n",
               command, files.size(), files.size() == 1 ? "" : "s");
  }
  return true;
}

InputSummary report_inputs(const parse::LogReader& reader, std::string_view command, bool quiet) {
  InputSummary s;
  for (const auto& e : reader.input_errors()) {
    fmt::print(stderr, "calltrail {}: cannot read {}: {}\n", command, base::valid_utf8(e.path),
               base::valid_utf8(e.message));
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
