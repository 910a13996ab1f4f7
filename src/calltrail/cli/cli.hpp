// The command line: argv in, exit code out. The only place that prints.
#pragma once

#include <cstdint>
#include <functional>

namespace calltrail::store {
struct IngestOptions;
}

namespace calltrail::cli {

// Exit codes, documented in `calltrail --help`.
enum ExitCode : int {
  kExitOk = 0,         // done; malformed input, if any, was reported on stderr
  kExitNoMatch = 1,    // nothing matched the query (trace, --id filters)
  kExitUsage = 2,      // bad command line
  kExitInput = 3,      // an input path could not be read (the others were still processed)
  kExitMalformed = 4,  // --strict and malformed records were found
  kExitInternal = 70,  // a bug: please report it with the command line
};

// Where a test binary steps into the commands (tests/support/seamed_main.cpp
// builds one for the crash tests); the calltrail binary sets none.
struct Seams {
  // Adjusts the options of every ingest (small parts, a call after each
  // commit).
  std::function<void(store::IngestOptions&)> ingest;
  // Called after each commit of `serve --db`, with the commits so far.
  std::function<void(std::uint64_t commits)> serve_commit;
};

int run(int argc, char** argv);
int run(int argc, char** argv, const Seams& seams);

}  // namespace calltrail::cli
