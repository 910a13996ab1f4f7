// Data-driven cases: every tests/cases/events/<name>.log is parsed and its
// events (JSON lines) and diagnostics ("line code" lines) are compared with
// <name>.jsonl and <name>.diagnostics. Each case is also parsed in random
// chunk sizes, which must not change a byte of the output.
// CALLTRAIL_UPDATE_GOLDEN=1 rewrites the expected files (review the diff!).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "../golden_support.hpp"
#include "calltrail/model/event_json.hpp"
#include "parse_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(CALLTRAIL_SOURCE_DIR) / "tests" / "cases" / "events";

struct Rendered {
  std::string events;
  std::string diagnostics;
};

Rendered render(const Parsed& parsed, const std::string& name) {
  Rendered r;
  for (const auto& e : parsed.events) {
    model::append_event_json(r.events, e, name);
    r.events.push_back('\n');
  }
  for (const auto& d : parsed.diagnostics.first()) {
    r.diagnostics += std::to_string(d.line) + " " + d.code + "\n";
  }
  return r;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.path().extension() == ".log") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenCase : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCase, EventsAndDiagnosticsMatch) {
  const std::string name = GetParam();
  const fs::path log = kCases / (name + ".log");
  const std::string text = read_file(log);
  // The file name may carry the date, so parse under the case's own name.
  const Rendered got = render(parse_text(text, log.filename().string()), log.filename().string());
  const fs::path events_path = kCases / (name + ".jsonl");
  const fs::path diag_path = kCases / (name + ".diagnostics");
  if (std::getenv("CALLTRAIL_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(events_path, std::ios::binary) << got.events;
    std::ofstream(diag_path, std::ios::binary) << got.diagnostics;
  }
  ASSERT_TRUE(fs::exists(events_path)) << events_path << " is missing";
  EXPECT_EQ(got.events, read_file(events_path)) << "events of " << log;
  EXPECT_EQ(got.diagnostics, fs::exists(diag_path) ? read_file(diag_path) : std::string())
      << "diagnostics of " << log;
}

TEST_P(GoldenCase, ChunkSizeDoesNotChangeTheOutput) {
  const std::string name = GetParam();
  const fs::path log = kCases / (name + ".log");
  const std::string text = read_file(log);
  const std::string file = log.filename().string();
  const Rendered whole = render(parse_text(text, file), file);
  std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(name)));
  for (int round = 0; round < 8; ++round) {
    std::vector<std::size_t> chunks;
    std::uniform_int_distribution<std::size_t> size(1, round < 4 ? 7 : 300);
    for (int i = 0; i < 64; ++i)
      chunks.push_back(size(rng));
    const Rendered pieces = render(parse_text(text, file, chunks), file);
    ASSERT_EQ(whole.events, pieces.events) << "round " << round;
    ASSERT_EQ(whole.diagnostics, pieces.diagnostics) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCase, ::testing::ValuesIn(case_names()), GoldenCaseName());

// A reader that asks for no header details (the scan of trace) gets every
// event and diagnostic as before, without emitter, peer, thread and version.
TEST(GoldenCases, WithoutHeaderDetailsOnlyThoseAreMissing) {
  // Events with any detail, counted before they are cleared.
  auto clear_details = [](Parsed& p) {
    std::size_t with = 0;
    for (auto& e : p.events) {
      if (!e.emitter.empty() || !e.peer.empty() || !e.thread.empty() || !e.version.empty()) ++with;
      e.emitter.clear();
      e.peer.clear();
      e.thread.clear();
      e.version.clear();
    }
    return with;
  };
  std::size_t with_full = 0;
  std::size_t with_lite = 0;
  for (const auto& name : case_names()) {
    const fs::path log = kCases / (name + ".log");
    const std::string text = read_file(log);
    const std::string file = log.filename().string();
    Parsed full = parse_text(text, file);
    Parsed lite = parse_text(text, file, {}, false);
    with_full += clear_details(full);
    with_lite += clear_details(lite);
    const Rendered a = render(full, file);
    const Rendered b = render(lite, file);
    EXPECT_EQ(a.events, b.events) << name;
    EXPECT_EQ(a.diagnostics, b.diagnostics) << name;
  }
  // The option does spare the work for most messages of the cases.
  EXPECT_LT(with_lite * 2, with_full);
}

}  // namespace
}  // namespace calltrail::test
