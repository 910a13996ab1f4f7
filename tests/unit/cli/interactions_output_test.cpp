// calltrail interactions renders its output in blocks on several threads and
// writes them in order: the bytes are the same as with one thread, in every
// format, with filters that leave whole blocks empty, and a JSON document
// stays one valid document holding every interaction once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;

class InteractionsOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("calltrail-interactions-out-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    // Several hundred interactions: many blocks of the renderer.
    const RunResult sim = run_calltrail("simulate -q --sites 3 --interactions 700 --seed 5 --out " +
                                        shell_quote(dir_.string()));
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    fs::remove(dir_ / "truth.json");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static std::string logs() { return " " + shell_quote(dir_.string()); }

  static fs::path dir_;
};
fs::path InteractionsOutput::dir_;

TEST_F(InteractionsOutput, SameBytesOnOneThreadAndOnMany) {
  for (const std::string args :
       {"--format jsonl", "--format json", "--format text", "--format json --incomplete",
        "--format json --from 2012-10-29T13:50Z --to 2012-10-29T14:00Z"}) {
    const RunResult one = run_calltrail("interactions -q --threads 1 " + args + logs());
    const RunResult many = run_calltrail("interactions -q --threads 3 " + args + logs());
    ASSERT_EQ(one.exit_code, many.exit_code) << args << "\n" << many.err;
    if (args.find("--incomplete") == std::string::npos) {
      EXPECT_FALSE(one.out.empty()) << args;
    }
    EXPECT_EQ(one.out, many.out) << args;
  }
}

TEST_F(InteractionsOutput, DocumentHoldsEveryInteractionOnce) {
  const RunResult lines = run_calltrail("interactions -q --threads 2" + logs());
  const RunResult doc = run_calltrail("interactions -q --threads 2 --format json" + logs());
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  ASSERT_EQ(doc.exit_code, 0) << doc.err;
  const auto each = json_lines(lines.out);
  ASSERT_GT(each.size(), 3 * 64u) << "expected interactions enough for several blocks";
  const auto all = nlohmann::json::parse(doc.out)["interactions"];
  ASSERT_EQ(all.size(), each.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i], each[i]) << i;
    ids.insert(all[i]["interaction_id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), all.size());
}

}  // namespace
}  // namespace calltrail::test
