// The command line: argv in, exit code out. The only place that prints.
#pragma once

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

int run(int argc, char** argv);

}  // namespace calltrail::cli
