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

// Reading T-Library messages at less detail (ReadOptions::tlib_detail: a
// trace's scan reads Keys, a correlation Call) finds every case's events at
// the same places with the same times and problems, and the same value of
// every attribute model::Attr names, AttributeISLinkList with its pairs and,
// at Call, the pairs of AttributeUserData and AttributeExtensions. Other
// lists keep the shape of their pairs (their count was checked) without text.
TEST(GoldenCases, TlibDetailLevelsKeepWhatACorrelationReads) {
  using model::Attr;
  // The top-level fields a level keeps whatever it is, in order.
  auto named = [](const model::Event& e) {
    std::vector<std::uint32_t> out;
    const auto fields = e.fields();
    for (std::uint32_t i = 0; i < fields.size(); i = std::max(fields[i].end, i + 1))
      if (e.attr(fields[i]) != Attr::Other) out.push_back(i);
    return out;
  };
  // A list's pairs: with their text, or their shape alone.
  auto pairs = [](const model::Event& e, std::uint32_t list, bool text) {
    std::string out;
    const auto fields = e.fields();
    for (std::uint32_t c = list + 1; c < fields[list].end; ++c) {
      const model::Field& f = fields[c];
      out += std::to_string(f.depth) + (f.kind == model::ValueKind::List ? "L" : "S");
      if (text) out += std::string(e.key(f)) + "=" + std::string(e.value(f));
      out += ";";
    }
    return out;
  };
  std::size_t whole_text = 0, keys_text = 0, call_text = 0, compared = 0;
  for (const auto& name : case_names()) {
    const fs::path log = kCases / (name + ".log");
    const std::string text = read_file(log);
    const std::string file = log.filename().string();
    const Parsed whole = parse_text(text, file);
    const Rendered expected = render(whole, file);
    for (const auto level : {parse::TlibDetail::Call, parse::TlibDetail::Keys}) {
      const bool call = level == parse::TlibDetail::Call;
      const Parsed lite = parse_text(text, file, {}, true, level);
      EXPECT_EQ(render(lite, file).diagnostics, expected.diagnostics) << name;
      ASSERT_EQ(lite.events.size(), whole.events.size()) << name;
      for (std::size_t i = 0; i < whole.events.size(); ++i) {
        const model::Event& w = whole.events[i];
        const model::Event& l = lite.events[i];
        (call ? call_text : keys_text) += l.text().size();
        if (call) whole_text += w.text().size();
        EXPECT_EQ(l.name, w.name) << name << " " << i;
        EXPECT_EQ(l.where.line, w.where.line) << name << " " << i;
        EXPECT_EQ(l.where.offset, w.where.offset) << name << " " << i;
        EXPECT_EQ(l.times.local, w.times.local) << name << " " << i;
        EXPECT_EQ(l.times.utc_stamp, w.times.utc_stamp) << name << " " << i;
        const auto wn = named(w);
        const auto ln = named(l);
        ASSERT_EQ(ln.size(), wn.size()) << name << " " << i;
        for (std::size_t k = 0; k < wn.size(); ++k) {
          const model::Field& wf = w.fields()[wn[k]];
          const model::Field& lf = l.fields()[ln[k]];
          ++compared;
          EXPECT_EQ(l.key(lf), w.key(wf)) << name << " " << i;
          EXPECT_EQ(lf.kind, wf.kind) << name << " " << i << " " << w.key(wf);
          if (wf.kind != model::ValueKind::List) {
            EXPECT_EQ(l.value(lf), w.value(wf)) << name << " " << i << " " << w.key(wf);
            continue;
          }
          const Attr a = w.attr(wf);
          const bool text_kept =
              a == Attr::ISLinkList || (call && (a == Attr::UserData || a == Attr::Extensions));
          EXPECT_EQ(pairs(l, ln[k], text_kept), pairs(w, wn[k], text_kept))
              << name << " " << i << " " << w.key(wf);
        }
      }
    }
  }
  EXPECT_GT(compared, 100u);
  // The levels do spare the copying of text.
  EXPECT_LT(call_text, whole_text);
  EXPECT_LT(keys_text, call_text);
}

}  // namespace
}  // namespace calltrail::test
