// Simulated multi-site logs for data-driven correlation tests: a named case
// of `calltrail simulate` arguments, run into a fresh temporary folder.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace calltrail::correlate::testing {

struct SimulatedCase {
  std::string name;
  std::string args;  // for calltrail simulate
  // The logs whose file names begin with this are left out (a site without
  // logs); empty: none.
  std::string without = {};
};

// gtest parameter names: the case name with '-' as '_'.
inline std::string case_name(const ::testing::TestParamInfo<SimulatedCase>& p) {
  std::string n = p.param.name;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

// Runs `calltrail simulate` for the case into <tmp>/<prefix><name>; the
// folder, or empty when the binary is missing or simulate failed (the test
// has then already failed or is to be skipped).
inline std::filesystem::path simulate_case(const SimulatedCase& c, const std::string& prefix) {
  namespace fs = std::filesystem;
  const std::string binary = CALLTRAIL_BINARY;
  if (!fs::exists(binary)) return {};
  const fs::path dir = fs::temp_directory_path() / (prefix + c.name);
  fs::remove_all(dir);
  const std::string cmd =
      binary + " simulate -q --out " + dir.string() + " " + c.args + " > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return fs::exists(dir / "truth.json") ? dir : fs::path{};
}

// The log files of a simulated folder (everything but truth.json).
inline std::vector<std::string> simulated_logs(const std::filesystem::path& dir) {
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename() != "truth.json") paths.push_back(e.path().string());
  return paths;
}

}  // namespace calltrail::correlate::testing
