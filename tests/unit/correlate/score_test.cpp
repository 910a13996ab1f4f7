#include "calltrail/correlate/score.hpp"

#include <gtest/gtest.h>

namespace calltrail::correlate {
namespace {

using nlohmann::json;

const json kTruth = json::parse(R"({
  "sites": [{"name": "A@a", "monitored": true}, {"name": "B@b", "monitored": true},
            {"name": "X@x", "monitored": false}],
  "interactions": [
    {"interaction_id": "a1", "complete": true,
     "legs": [{"site": "A@a", "call_uuid": "a1"}, {"site": "B@b", "call_uuid": "b1"},
              {"site": "A@a", "call_uuid": "a2"}],
     "links": [{"kind": "islink", "id": "L1", "from": "a1", "to": "b1", "reason": null},
               {"kind": "transfer", "from": "a1", "to": "a2", "reason": null}]},
    {"interaction_id": "b2", "complete": true,
     "legs": [{"site": "B@b", "call_uuid": "b2"}],
     "links": [{"kind": "islink", "id": "L2", "from": "b2", "to": null, "reason": "unmonitored"}]}
  ]})");

json interaction(const char* text) {
  return json::parse(text);
}

TEST(Score, PerfectWhenEqualTransfersUnordered) {
  std::vector<json> p = {interaction(R"({"interaction_id": "a1", "complete": true,
        "legs": [{"site": "A@a", "call_uuid": "a1"}, {"site": "B@b", "call_uuid": "b1"},
                 {"site": "A@a", "call_uuid": "a2"}],
        "links": [{"kind": "islink", "id": "L1", "from": "a1", "to": "b1", "reason": null},
                  {"kind": "transfer", "from": "a2", "to": "a1", "reason": null},
                  {"kind": "hint", "id": "c", "from": "a1", "to": "zz", "reason": null}]})"),
                         interaction(R"({"interaction_id": "b2", "complete": true,
        "legs": [{"site": "B@b", "call_uuid": "b2"}],
        "links": [{"kind": "islink", "id": "L2", "from": "b2", "to": null,
                   "reason": "unmonitored"}]})")};
  ScoreReport r = score(kTruth, p);
  EXPECT_TRUE(r.perfect());
  EXPECT_EQ(r.pair_precision.total, 3u);
  EXPECT_EQ(r.link_recall.total, 3u);
}

TEST(Score, CountsSplitsMergesWrongDirectionAndCompleteness) {
  std::vector<json> p = {interaction(R"({"interaction_id": "a1", "complete": true,
        "legs": [{"site": "A@a", "call_uuid": "a1"}, {"site": "A@a", "call_uuid": "a2"}],
        "links": [{"kind": "transfer", "from": "a1", "to": "a2", "reason": null}]})"),
                         interaction(R"({"interaction_id": "b1", "complete": true,
        "legs": [{"site": "B@b", "call_uuid": "b1"}, {"site": "B@b", "call_uuid": "b2"}],
        "links": [{"kind": "islink", "id": "L1", "from": "b1", "to": "a1", "reason": null}]})")};
  ScoreReport r = score(kTruth, p);
  EXPECT_FALSE(r.perfect());
  EXPECT_EQ(r.pair_precision.hit, 1u);  // a1~a2 right, b1~b2 wrong
  EXPECT_EQ(r.pair_precision.total, 2u);
  EXPECT_EQ(r.pair_recall.hit, 1u);  // a1~b1 and b1~a2 missed
  EXPECT_EQ(r.pair_recall.total, 3u);
  EXPECT_EQ(r.link_precision.hit, 1u);  // the islink has the wrong direction
  EXPECT_EQ(r.link_recall.hit, 1u);
  EXPECT_EQ(r.exact.hit, 0u);
  EXPECT_FALSE(r.mistakes.empty());
}

// A -> B -> [M, no logs] -> C, and a second chain D -> C2 with no hidden leg.
const json kChainTruth = json::parse(R"({
  "sites": [{"name": "A@a", "files": ["A.1.log"]}, {"name": "B@b", "files": ["B.1.log"]},
            {"name": "M@m", "files": ["M.1.log", "M.2.log"]}, {"name": "C@c", "files": ["C.1.log"]}],
  "interactions": [
    {"interaction_id": "a1", "complete": true,
     "legs": [{"site": "A@a", "call_uuid": "a1"}, {"site": "B@b", "call_uuid": "b1"},
              {"site": "M@m", "call_uuid": "m1"}, {"site": "C@c", "call_uuid": "c1"}],
     "links": [{"kind": "iscc", "id": "1", "from": "a1", "to": "b1", "reason": null},
               {"kind": "iscc", "id": "1", "from": "b1", "to": "m1", "reason": null},
               {"kind": "iscc", "id": "1", "from": "m1", "to": "c1", "reason": null}]},
    {"interaction_id": "m2", "complete": true,
     "legs": [{"site": "M@m", "call_uuid": "m2"}, {"site": "C@c", "call_uuid": "c2"}],
     "links": [{"kind": "iscc", "id": "2", "from": "m2", "to": "c2", "reason": null}]}
  ]})");

TEST(Score, LinksAcrossASiteWithoutLogs) {
  json truth = kChainTruth;
  EXPECT_EQ(mark_sites_without_logs(truth, {"logs/A.1.log", "B.1.log", "C.1.log"}),
            std::vector<std::string>{"M@m"});
  auto found = [](const char* from) {
    return std::vector<json>{
        interaction((std::string(R"({"interaction_id": "a1", "complete": true,
        "legs": [{"site": "A@a", "call_uuid": "a1"}, {"site": "B@b", "call_uuid": "b1"},
                 {"site": "C@c", "call_uuid": "c1"}],
        "links": [{"kind": "iscc", "id": "1", "from": "a1", "to": "b1", "reason": null},
                  {"kind": "iscc", "id": "1", "from": ")") +
                     from + R"(", "to": "c1", "reason": null, "skipped_location": "m"}]})")
                        .c_str()),
        interaction(R"({"interaction_id": "c2", "complete": true,
        "legs": [{"site": "C@c", "call_uuid": "c2"}], "links": []})")};
  };
  // The chain's first leg and the leg just before the site both lead there
  // through it; the hop into c1 is expected once, the hops touching m1 not.
  for (const char* from : {"a1", "b1"}) {
    ScoreReport r = score(truth, found(from));
    EXPECT_TRUE(r.perfect()) << from;
    EXPECT_EQ(r.link_recall.total, 2u);
    EXPECT_EQ(r.ids.total, 1u);  // m2 began where there are no logs
  }
  // c2 is not reached from a1: a link across from there is false.
  auto wrong = found("a1");
  wrong[0]["links"][1]["to"] = "c2";
  ScoreReport r = score(truth, wrong);
  EXPECT_EQ(r.link_precision.hit, 1u);
  EXPECT_EQ(r.link_recall.hit, 1u);
  // Without marking, every hop is expected and none across is true.
  ScoreReport all = score(kChainTruth, found("a1"));
  EXPECT_EQ(all.link_recall.total, 4u);
  EXPECT_EQ(all.link_precision.hit, 1u);
}

}  // namespace
}  // namespace calltrail::correlate
