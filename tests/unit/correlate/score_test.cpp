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

}  // namespace
}  // namespace calltrail::correlate
