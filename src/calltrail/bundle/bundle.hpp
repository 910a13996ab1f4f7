// One interaction as an archive for a ticket (docs/bundle.md): per site the
// raw lines of its events, the interaction JSON, the text timeline, the
// Mermaid diagram and a README, optionally masked (mask.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::bundle {

// The views of the interaction, as trace prints them (made by the caller).
struct Views {
  std::string json;      // trace --format json
  std::string timeline;  // trace (no colour)
  std::string mermaid;   // trace --format mermaid
};

struct BundleOptions {
  std::string out_path;  // FILE.tar.gz
  unsigned context = 0;  // lines around each message (widened to whole records)
  bool mask = false;
  std::vector<std::string> mask_keep;  // user-data keys whose values stay
  std::string command_line;            // for the README
  std::string created;                 // UTC time, for the README
};

// One log file of the interaction, and what of it is in the bundle.
struct BundleFile {
  std::string site;
  std::string path;
  std::size_t messages = 0;                                     // events of the interaction in it
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // line ranges taken
  std::string error;                                            // not (fully) read: why
  std::size_t moved = 0;     // events not at the byte offset the reader recorded
  std::size_t past_end = 0;  // events past the file's end
};

struct BundleReport {
  std::string root;                  // the archive's top folder
  std::vector<std::string> entries;  // the files in the archive
  std::vector<BundleFile> files;
  std::size_t masked[5] = {};  // tokens given, by MaskKind (mask only)
  std::string error;           // the archive could not be written
  // Whether every event's lines were read from an unchanged file.
  bool complete() const;
};

BundleReport write_bundle(const correlate::Correlation& c, const correlate::Interaction& it,
                          const Views& views, const BundleOptions& options);

}  // namespace calltrail::bundle
