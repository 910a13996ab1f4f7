// calltrail as the crash tests run it: the command line of the shipped
// binary, plus the seams (cli::Seams) those tests need, set from this
// process's environment. The shipped binary reads none of these variables.
//
//   CALLTRAIL_INGEST_PART_BYTES=N          ingest commits every N bytes of a file
//   CALLTRAIL_INGEST_EXIT_AFTER_COMMITS=N  ingest ends abruptly (exit 86) after N parts
//   CALLTRAIL_INGEST_STOP_AFTER_COMMITS=N  ingest stops itself (SIGSTOP) after N parts
//   CALLTRAIL_SERVE_EXIT_AFTER_COMMITS=N   serve --db ends abruptly (exit 86) after N commits
#include <csignal>
#include <cstdint>
#include <cstdlib>

#include "calltrail/cli/cli.hpp"
#include "calltrail/store/ingest.hpp"

namespace {

std::uint64_t number(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? 0 : std::strtoull(v, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  calltrail::cli::Seams seams;
  const std::uint64_t part_bytes = number("CALLTRAIL_INGEST_PART_BYTES");
  const std::uint64_t exit_after = number("CALLTRAIL_INGEST_EXIT_AFTER_COMMITS");
  const std::uint64_t stop_after = number("CALLTRAIL_INGEST_STOP_AFTER_COMMITS");
  if (part_bytes != 0 || exit_after != 0 || stop_after != 0) {
    seams.ingest = [=](calltrail::store::IngestOptions& o) {
      if (part_bytes != 0) o.part_bytes = part_bytes;
      if (exit_after == 0 && stop_after == 0) return;
      o.after_commit = [=](std::uint64_t commits) {
        if (exit_after != 0 && commits >= exit_after) std::_Exit(86);
        if (stop_after != 0 && commits == stop_after) std::raise(SIGSTOP);
      };
    };
  }
  if (const std::uint64_t serve_exit = number("CALLTRAIL_SERVE_EXIT_AFTER_COMMITS")) {
    seams.serve_commit = [=](std::uint64_t commits) {
      if (commits >= serve_exit) std::_Exit(86);
    };
  }
  return calltrail::cli::run(argc, argv, seams);
}
