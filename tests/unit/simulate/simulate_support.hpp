// Shared helpers for the simulate tests: run the simulator into a fresh
// folder, load its truth.json and its log text, and parse its logs back.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "calltrail/base/time.hpp"
#include "calltrail/simulate/simulator.hpp"

namespace calltrail::test {

namespace fs = std::filesystem;

// A fresh, empty folder under the test temp dir, unique per call.
fs::path fresh_dir(const std::string& name);

// Runs the simulator; fails the test on error.
simulate::SimulateResult run_simulation(simulate::SimulateOptions options);

simulate::SimulateOptions small_options(const fs::path& out, std::uint64_t interactions = 40);

nlohmann::json load_truth(const fs::path& dir);

// Every log file of the folder (decompressed when .gz), concatenated in name order.
std::string all_log_text(const fs::path& dir);

// Bytes of every file of the folder, by name.
std::map<std::string, std::string> folder_bytes(const fs::path& dir);

// One IS-Link entry read back from a parsed event.
struct ParsedLink {
  std::string id;
  std::string location;
  std::string role;
};

struct ParsedEvent {
  std::string app;
  std::string name;
  std::string call_uuid;
  std::string conn_id;
  std::optional<std::uint64_t> seq;
  std::optional<base::Micros> utc;
  base::Micros local = 0;
  bool local_dated = false;
  std::optional<std::int32_t> utc_offset;
  std::vector<ParsedLink> links;
  std::map<std::string, std::string> attributes;  // scalar attributes
};

struct ParsedLogs {
  std::vector<ParsedEvent> events;
  std::uint64_t diagnostics = 0;  // non-zero when the parser reported malformed input
  std::string first_diagnostic;
  std::size_t input_errors = 0;
};

ParsedLogs parse_folder(const fs::path& dir);

bool is_call_uuid(const std::string& s);
bool is_conn_id(const std::string& s);

}  // namespace calltrail::test
