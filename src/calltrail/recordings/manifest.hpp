// A recorder's list of recordings (docs/recordings.md): one recording per
// call per site, keyed by that site's CallUUID. Read from JSON lines, CSV
// with a header row, or Genesys Interaction Recording's recording metadata
// (`recording.json`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace calltrail::recordings {

struct Recording {
  std::string recording_id;  // required
  std::string call_uuid;     // required: the CallUUID of the site that recorded it
  std::string conn_id;       // optional, as the recorder wrote them
  std::string site;
  std::string start;
  std::string end;
  std::string media;
  std::uint64_t line = 0;  // where in the manifest (1-based)
};

// A record of the manifest that was not taken, and why.
struct ManifestProblem {
  std::uint64_t line = 0;
  std::string message;
};

enum class ManifestForm { JsonLines, Csv, Gir };

struct Manifest {
  ManifestForm form = ManifestForm::JsonLines;
  std::vector<Recording> recordings;
  std::vector<ManifestProblem> problems;
  // Set when nothing could be read at all (a CSV without the required
  // columns, a document that is not a manifest).
  std::string error;
};

// Reads `text`, telling the form by its first bytes: '{' or '[' JSON (one
// document with `mediaFiles`: GIR metadata; else JSON lines), anything else
// CSV. A record without a recording id or CallUUID, or that cannot be read,
// is a problem and the rest still counts.
Manifest read_manifest(std::string_view text);

const char* to_string(ManifestForm f);

}  // namespace calltrail::recordings
