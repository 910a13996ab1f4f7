// Simulated logs for the live tests: `calltrail simulate` into a temporary
// folder, and the file-based correlation of the same logs to compare with.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/io/byte_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::test {

namespace fs = std::filesystem;

struct SimulatedLogs {
  fs::path dir;
  std::vector<std::string> files;  // sorted
};

inline SimulatedLogs simulate_logs(const std::string& name, const std::string& args) {
  SimulatedLogs s;
  s.dir =
      fs::temp_directory_path() / ("calltrail_serve_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(s.dir);
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " simulate -q --out " + s.dir.string() +
                          " " + args + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  for (const auto& e : fs::directory_iterator(s.dir))
    if (e.path().filename() != "truth.json") s.files.push_back(e.path().string());
  std::sort(s.files.begin(), s.files.end());
  return s;
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A log's text, decompressed when it is gzip.
inline std::string read_log(const std::string& path) {
  std::string text;
  auto opened = io::open_source(path);
  EXPECT_TRUE(opened.source) << path << ": " << opened.error;
  if (!opened.source) return text;
  std::string buffer(1 << 20, '\0');
  for (;;) {
    const io::ReadOutcome r = opened.source->read(buffer.data(), buffer.size());
    EXPECT_EQ(r.error, "") << path;
    if (r.size == 0 || !r.error.empty()) break;
    text.append(buffer.data(), r.size);
  }
  return text;
}

// The real SIP Server log (tests/cases/real/): seven calls, each a leg that
// calls 1003 (192.168.210.81:5090) then 1002 (192.168.210.54:5061); call 1's
// second dialog is answered 403 Forbidden.
inline const std::string kRealSipLog =
    (fs::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/real/SIP_P-001.20260202_135459_850.log.gz")
        .string();
inline const std::string kRealSipCall1 = "TTL7J9EM750GP936CFL0EOACN8000001";

// Interaction id -> sorted lower-case CallUUIDs of its legs, and completeness.
struct Grouping {
  std::map<std::string, std::pair<std::set<std::string>, bool>> by_id;
};

inline std::string lower_case(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return s;
}

// What differs between two groupings, for failure messages.
inline std::string difference(const Grouping& got, const Grouping& want) {
  std::string out;
  auto legs = [](const std::set<std::string>& s) {
    std::string t;
    for (const auto& x : s)
      t += x + " ";
    return t;
  };
  for (const auto& [id, v] : got.by_id) {
    auto it = want.by_id.find(id);
    if (it == want.by_id.end()) {
      out += "\n  unexpected " + id + ": " + legs(v.first) + (v.second ? "complete" : "incomplete");
    } else if (it->second != v) {
      out += "\n  differs " + id + ": " + legs(v.first) + (v.second ? "complete" : "incomplete") +
             " instead of " + legs(it->second.first) +
             (it->second.second ? "complete" : "incomplete");
    }
  }
  for (const auto& [id, v] : want.by_id)
    if (!got.by_id.contains(id)) out += "\n  missing " + id + ": " + legs(v.first);
  return out;
}

inline Grouping file_grouping(const std::vector<std::string>& files) {
  Grouping g;
  correlate::Loaded l = correlate::load(files, {}, {});
  for (const auto& it : l.correlation.interactions) {
    auto& [legs, complete] = g.by_id[it.id];
    for (auto leg : it.legs)
      legs.insert(lower_case(l.correlation.legs[leg].call_uuid.str()));
    complete = it.complete;
  }
  return g;
}

// The same from what the live correlation holds.
inline Grouping live_grouping(serve::LiveCorrelation& live) {
  Grouping g;
  serve::SearchQuery all;
  all.limit = SIZE_MAX;
  for (const auto& hit : live.search(all)) {
    auto& [legs, complete] = g.by_id[hit.interaction.id];
    legs.insert(hit.interaction.leg_keys.begin(), hit.interaction.leg_keys.end());
    complete = hit.interaction.complete;
  }
  return g;
}

}  // namespace calltrail::test
