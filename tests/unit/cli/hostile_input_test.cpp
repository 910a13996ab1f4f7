// The hostile-input corpus (tests/cases/hostile, plus inputs too big to
// commit, made here): every command that prints JSON is run on every input
// and must end on its own with the expected exit code, print JSON a real
// parser reads (valid UTF-8, nested no deeper than common readers take), and
// never report an internal error.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = fs::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/hostile";

// Generous: the biggest generated input takes a second or two; only a hang reaches it.
constexpr int kHangSeconds = 120;
// Python's json module and many others stop at a few hundred levels.
constexpr std::size_t kMaxJsonDepth = 200;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("calltrail-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

void write_file(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}

const std::string kHeader =
    "Application name:\tTserverG\nHost name:\tgen\nLocal time:\t2012-10-29T09:00:00.000\n"
    "Time zone:\t18000\n";
const std::string kMessage = "@09:41:00.5404 [0] 8.1.001.05 distribute_event: message ";

// What a run on an input must end with.
enum class Kind {
  Log,         // read: exit 0
  NotALog,     // nothing a log holds: reported, exit 3 ("nothing to read")
  Unreadable,  // an input error (a FIFO, a gzip stream cut short): exit 3
};

struct Case {
  std::string name;
  fs::path path;
  Kind kind = Kind::Log;
  std::string id = "009a021843038407";  // what trace looks for
};

// Throws (nlohmann type_error 316) unless `s` is valid UTF-8: dumping a
// string checks it, independently of calltrail's own rule.
void expect_valid_utf8(const std::string& s, const std::string& what) {
  EXPECT_NO_THROW((void)nlohmann::json(s).dump()) << what << " is not valid UTF-8";
}

std::size_t depth_of(const nlohmann::json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const nlohmann::json*, std::size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    auto [j, d] = todo.back();
    todo.pop_back();
    deepest = std::max(deepest, d);
    if (j->is_structured())
      for (const auto& child : *j)
        todo.emplace_back(&child, d + 1);
  }
  return deepest;
}

void expect_json_document(const std::string& text, const std::string& what) {
  nlohmann::json j;
  ASSERT_NO_THROW(j = nlohmann::json::parse(text)) << what << ": not JSON:\n"
                                                   << text.substr(0, 2000);
  EXPECT_LE(depth_of(j), kMaxJsonDepth) << what;
}

void expect_json_lines(const std::string& text, const std::string& what) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    expect_json_document(line, what);
}

// The checks every run gets: ended by itself, no internal error, stderr valid.
void expect_sane(const RunResult& r, const std::string& what) {
  EXPECT_NE(r.exit_code, 124) << what << ": hung (killed after " << kHangSeconds << " s)";
  EXPECT_NE(r.exit_code, 137) << what << ": hung (killed after " << kHangSeconds << " s)";
  EXPECT_NE(r.exit_code, 70) << what << ": " << r.err;
  EXPECT_NE(r.exit_code, -1) << what << ": died by a signal";
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << what << ": " << r.err;
  expect_valid_utf8(r.err, what + " stderr");
  expect_valid_utf8(r.out, what + " stdout");
}

int expected_exit(Kind k) {
  return k == Kind::Log ? 0 : 3;
}

RunResult run(const std::string& args) {
  return run_calltrail(args, {}, {}, kHangSeconds);
}

void run_every_command(const Case& c, const fs::path& work) {
  SCOPED_TRACE(c.name);
  const std::string path = shell_quote(c.path.string());
  const int want = expected_exit(c.kind);

  RunResult r = run("events " + path);
  expect_sane(r, "events");
  EXPECT_EQ(r.exit_code, want) << "events: " << r.err;
  expect_json_lines(r.out, "events");
  if (c.kind == Kind::NotALog) {
    EXPECT_NE(r.err.find("nothing to read"), std::string::npos) << r.err;
  }

  r = run("events --format text " + path);
  expect_sane(r, "events text");

  r = run("interactions --format jsonl " + path);
  expect_sane(r, "interactions");
  EXPECT_EQ(r.exit_code, want) << "interactions: " << r.err;
  expect_json_lines(r.out, "interactions");

  r = run("sites --format json " + path);
  expect_sane(r, "sites");
  EXPECT_EQ(r.exit_code, want) << "sites: " << r.err;
  expect_json_document(r.out, "sites");
  if (c.kind == Kind::NotALog && r.exit_code == want) {
    // Nothing that is not a log makes a site (a gzip cut short still has
    // the log it held up to the cut).
    EXPECT_TRUE(nlohmann::json::parse(r.out)["sites"].empty()) << r.out;
  }

  r = run("sites " + path);
  expect_sane(r, "sites text");

  r = run("trace --format json " + shell_quote(c.id) + " " + path);
  expect_sane(r, "trace");
  if (c.kind == Kind::Log) {
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "trace: " << r.exit_code << r.err;
  } else {
    EXPECT_EQ(r.exit_code, 3) << "trace: " << r.err;
  }
  if (r.exit_code == 0) expect_json_document(r.out, "trace");

  r = run("trace " + shell_quote(c.id) + " " + path);
  expect_sane(r, "trace text");

  const fs::path truth = work / "truth.json";
  write_file(truth, R"({"generator": {}, "sites": [], "interactions": []})");
  r = run("score --format json " + shell_quote(truth.string()) + " " + path);
  expect_sane(r, "score");
  EXPECT_EQ(r.exit_code, want) << "score: " << r.err;
  if (r.exit_code == 0) expect_json_document(r.out, "score");

  const fs::path db = work / (c.name + ".sqlite");
  r = run("ingest --db " + shell_quote(db.string()) + " " + path);
  expect_sane(r, "ingest");
  EXPECT_EQ(r.exit_code, want) << "ingest: " << r.err;
  r = run("trace --format json --db " + shell_quote(db.string()) + " " + shell_quote(c.id));
  expect_sane(r, "trace --db");
  if (c.kind != Kind::Unreadable || fs::exists(db)) {
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << "trace --db: " << r.exit_code << r.err;
  }
  if (r.exit_code == 0) expect_json_document(r.out, "trace --db");
  r = run("sites --format json --db " + shell_quote(db.string()));
  expect_sane(r, "sites --db");
  if (r.exit_code == 0) expect_json_document(r.out, "sites --db");
}

Kind committed_kind(const std::string& name) {
  static const std::set<std::string> not_logs = {"empty.log", "not_a_log.json", "not_a_log.bin",
                                                 "binary_inside.gz"};
  if (not_logs.count(name) != 0) return Kind::NotALog;
  if (name == "truncated.log.gz") return Kind::Unreadable;
  return Kind::Log;
}

TEST(HostileInput, CommittedCorpusThroughEveryCommand) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kCorpus))
    if (e.path().extension() != ".py") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 18u);
  for (const auto& f : files) {
    TempDir work;
    Case c{f.filename().string(), f, committed_kind(f.filename().string())};
    run_every_command(c, work.path());
  }
}

// 300,000 lists each opening the next on one line: the issue's SIGSEGV.
TEST(HostileInput, DeepNestingOnOneLine) {
  TempDir work;
  std::string text = kHeader + kMessage + "EventRinging AttributeConnID 009a021843038407 " +
                     "AttributeUserData [9] 00 01 00 00.. ";
  for (int i = 0; i < 300'000; ++i)
    text += "'a'(list) ";
  text += "'k' 'v'\n";
  write_file(work.path() / "deep_one_line.log", text);
  run_every_command({"deep_one_line", work.path() / "deep_one_line.log"}, work.path());
  const RunResult r = run("events " + shell_quote((work.path() / "deep_one_line.log").string()));
  EXPECT_NE(r.err.find("kv-depth"), std::string::npos) << r.err;
}

// 3,000 lists nested by indentation, one level a line.
TEST(HostileInput, DeepNestingByIndentation) {
  TempDir work;
  std::string text = kHeader + kMessage + "EventRinging\n\tAttributeConnID\t009a021843038407\n" +
                     "\tAttributeUserData\t[9] 00 01 00 00..\n";
  for (int i = 0; i < 3'000; ++i)
    text += std::string(static_cast<std::size_t>(i + 2), '\t') + "'a'(list)\n";
  text += std::string(3'002, '\t') + "'k'\t'v'\n";
  write_file(work.path() / "deep_indent.log", text);
  run_every_command({"deep_indent", work.path() / "deep_indent.log"}, work.path());
  const RunResult r = run("events " + shell_quote((work.path() / "deep_indent.log").string()));
  EXPECT_NE(r.err.find("kv-depth"), std::string::npos) << r.err;
}

// A million attributes in one message: cut at the limit and reported.
TEST(HostileInput, MillionAttributes) {
  TempDir work;
  std::string text = kHeader + kMessage + "EventRinging\n\tAttributeConnID\t009a021843038407\n";
  for (int i = 0; i < 1'000'000; ++i)
    text += "\tAttributeX\t" + std::to_string(i) + "\n";
  write_file(work.path() / "million.log", text);
  const fs::path f = work.path() / "million.log";
  const RunResult r = run("events " + shell_quote(f.string()));
  expect_sane(r, "events");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("message-size"), std::string::npos) << r.err;
  expect_json_lines(r.out, "events");
  run_every_command({"million", f}, work.path());
}

// A line of 20 MB (over the 16 MB limit), and 10 MB of NUL bytes without a newline.
TEST(HostileInput, HugeLines) {
  TempDir work;
  const fs::path f = work.path() / "huge_line.log";
  write_file(f, kHeader + std::string(20 << 20, 'x') + "\n" + kMessage +
                    "EventRinging AttributeConnID 009a021843038407\n" +
                    std::string(10 << 20, '\0'));
  run_every_command({"huge_line", f}, work.path());
}

// Invalid UTF-8 in the file name itself (it names the site and is echoed).
TEST(HostileInput, InvalidUtf8FileName) {
  TempDir work;
  const fs::path f = work.path() / "Ts\xff\xfe.20121029_090000_000.log";
  write_file(f, kMessage + "EventRinging\n\tAttributeConnID\t009a021843038407\n\tAttributeBad\t" +
                    "'\xc3\x28'\n");
  run_every_command({"utf8_name", f}, work.path());
  const RunResult r = run("sites --format json " + shell_quote(f.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto sites = nlohmann::json::parse(r.out)["sites"];
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["app"], "Ts\xEF\xBF\xBD\xEF\xBF\xBD");
}

// A FIFO given as a path is refused at once; standard input still works.
TEST(HostileInput, FifoIsRefused) {
  TempDir work;
  const fs::path fifo = work.path() / "pipe.log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Case c{"fifo", fifo, Kind::Unreadable};
  run_every_command(c, work.path());
  const RunResult r = run("events " + shell_quote(fifo.string()));
  EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.err;
  const RunResult piped =
      run_calltrail("events -", (kCorpus / "numbers.log").string(), {}, kHangSeconds);
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_FALSE(piped.out.empty());
}

// An empty folder, and a folder of nothing but files that are not logs.
TEST(HostileInput, FoldersWithoutLogs) {
  TempDir work;
  const fs::path empty = work.path() / "empty";
  fs::create_directories(empty);
  run_every_command({"empty_folder", empty, Kind::NotALog}, work.path());
  const RunResult r = run("events " + shell_quote(empty.string()));
  EXPECT_NE(r.err.find("no file was found"), std::string::npos) << r.err;

  const fs::path junk = work.path() / "junk";
  fs::create_directories(junk);
  fs::copy_file(kCorpus / "not_a_log.json", junk / "truth.json");
  fs::copy_file(kCorpus / "not_a_log.bin", junk / "core.bin");
  run_every_command({"junk_folder", junk, Kind::NotALog}, work.path());
}

// Non-logs next to a log: reported once each, not a site, the log still read.
TEST(HostileInput, NotALogBesideALog) {
  TempDir work;
  fs::copy_file(kCorpus / "header_only.log", work.path() / "header_only.log");
  fs::copy_file(kCorpus / "not_a_log.json", work.path() / "truth.json");
  const RunResult r = run("sites --format json " + shell_quote(work.path().string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto sites = nlohmann::json::parse(r.out)["sites"];
  ASSERT_EQ(sites.size(), 1u) << r.out;
  EXPECT_EQ(sites[0]["files"].size(), 1u);
  std::size_t reports = 0;
  for (std::size_t at = r.err.find("not a log"); at != std::string::npos;
       at = r.err.find("not a log", at + 1))
    ++reports;
  EXPECT_EQ(reports, 1u) << r.err;
  EXPECT_NE(r.err.find("truth.json: not a log"), std::string::npos) << r.err;
  // Not malformed input: --strict is not failed by it.
  EXPECT_EQ(run("sites --strict " + shell_quote(work.path().string())).exit_code, 0);
}

// ingest names a non-log beside a log once, stores no site for it, and
// names it again (once) when a later run finds it unchanged; a store fed
// nothing but non-logs is an input error ("nothing to read").
TEST(HostileInput, IngestNamesANotALog) {
  TempDir work;
  const fs::path logs = work.path() / "logs";
  fs::create_directories(logs);
  fs::copy_file(kCorpus / "header_only.log", logs / "header_only.log");
  fs::copy_file(kCorpus / "not_a_log.json", logs / "truth.json");
  const std::string db = shell_quote((work.path() / "store.sqlite").string());
  auto count_reports = [](const std::string& err) {
    std::size_t n = 0;
    for (std::size_t at = err.find("not a log"); at != std::string::npos;
         at = err.find("not a log", at + 1))
      ++n;
    return n;
  };
  for (const char* round : {"first", "again"}) {
    const RunResult r = run("ingest --db " + db + " " + shell_quote(logs.string()));
    EXPECT_EQ(r.exit_code, 0) << round << ": " << r.err;
    EXPECT_EQ(count_reports(r.err), 1u) << round << ": " << r.err;
    EXPECT_NE(r.err.find("calltrail ingest: " + (logs / "truth.json").string() + ": not a log"),
              std::string::npos)
        << round << ": " << r.err;
  }
  const RunResult sites = run("sites --format json --db " + db);
  ASSERT_EQ(sites.exit_code, 0) << sites.err;
  EXPECT_EQ(nlohmann::json::parse(sites.out)["sites"].size(), 1u) << sites.out;

  const RunResult alone =
      run("ingest --db " + shell_quote((work.path() / "other.sqlite").string()) + " " +
          shell_quote((logs / "truth.json").string()));
  EXPECT_EQ(alone.exit_code, 3) << alone.err;
  EXPECT_EQ(count_reports(alone.err), 1u) << alone.err;
  EXPECT_NE(alone.err.find("nothing to read"), std::string::npos) << alone.err;
}

// A Genesys trace with timed lines but no message and no header (URS's
// strategy trace, as published) is a log: read without a report, exit 0.
// Files read on several threads report their problems in file order: the
// same stderr whatever thread read which file first.
TEST(HostileInput, ProblemsOfManyFilesAreReportedInFileOrder) {
  std::string paths;
  for (const char* f :
       {"glued_and_junk.log", "kv_overflow.log", "numbers.log", "out_of_order_sequence.log",
        "years_out_of_range.log", "crlf_and_mixed.log"})
    paths += " " + shell_quote((kCorpus / f).string());
  const RunResult one = run("interactions --threads 1" + paths);
  expect_sane(one, "interactions --threads 1");
  ASSERT_NE(one.err.find("malformed"), std::string::npos) << one.err;
  for (int i = 0; i < 8; ++i) {
    const RunResult two = run("interactions --threads 2" + paths);
    EXPECT_EQ(two.err, one.err) << "run " << i;
    EXPECT_EQ(two.out, one.out) << "run " << i;
  }
}

TEST(HostileInput, TimedTraceWithoutMessagesIsALog) {
  TempDir work;
  const fs::path urs = work.path() / "urs.log";
  {
    std::ofstream out(urs);
    out << "16:56:45.741 Int 20001 interaction 006c02462a161006 is started\n"
           "_I_I_006c02462a161006 [01:14] current call classification: media=voice(100)\n"
           "16:56:45.741_I_I_006c02462a161006 [09:06] >>>>>>>>>>>>start interpretator\n";
  }
  const RunResult r = run("events " + shell_quote(urs.string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("not a log"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("nothing to read"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace calltrail::test

namespace calltrail::test {
namespace {

nlohmann::json sites_of(const std::string& file) {
  const RunResult r = run_calltrail("sites --format json " + shell_quote((kCorpus / file).string()),
                                    {}, {}, kHangSeconds);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out)["sites"];
}

// The cases of the issue, each with what it now gives.
TEST(HostileInput, AllOnesConnIdIsRecordedAndTraced) {
  const std::string file = shell_quote((kCorpus / "numbers.log").string());
  const RunResult r = run_calltrail("trace --format json ffffffffffffffff " + file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["interactions"][0];
  EXPECT_EQ(j["legs"][0]["conn_ids"][0], "ffffffffffffffff") << r.out;
}

TEST(HostileInput, TimesOutOfRangeAreReportedNotPrinted) {
  const RunResult r = run_calltrail("events " + shell_quote((kCorpus / "numbers.log").string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("between 1970 and 2200"), std::string::npos) << r.err;
  for (const auto& e : json_lines(r.out)) {
    ASSERT_TRUE(e["utc"].is_string()) << e;  // from the line's local time
    EXPECT_EQ(e["utc"].get<std::string>().substr(0, 4), "2012") << e;
  }
  const RunResult years =
      run_calltrail("events " + shell_quote((kCorpus / "years_out_of_range.log").string()));
  EXPECT_EQ(years.exit_code, 0) << years.err;
  EXPECT_NE(years.err.find("time-range"), std::string::npos) << years.err;
  for (const auto& e : json_lines(years.out)) {
    if (e["utc"].is_string()) {
      EXPECT_EQ(e["utc"].get<std::string>().size(), 27u) << e;
    }
  }
}

TEST(HostileInput, UnknownTimesAreNull) {
  const auto sites = sites_of("no_time_at_all.log");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_TRUE(sites[0]["start"].is_null()) << sites;
  EXPECT_TRUE(sites[0]["end"].is_null()) << sites;
}

TEST(HostileInput, SequenceNumbersOutOfOrderAreNotMissing) {
  const auto sites = sites_of("out_of_order_sequence.log");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["missing_events"], 0) << sites;
  EXPECT_TRUE(sites[0]["gaps"].empty()) << sites;
  EXPECT_GT(sites[0]["sequence_out_of_order"], 0) << sites;
}

TEST(HostileInput, NonUtf8ApplicationNameInSites) {
  const auto sites = sites_of("invalid_utf8_everywhere.log");
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["app"].get<std::string>().substr(0, 2), "Ts") << sites;
}

}  // namespace
}  // namespace calltrail::test
