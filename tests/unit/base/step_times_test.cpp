// base::StepTimes: steps kept in the order they first ran, each under the step
// running when it started, a step run again adding up; base::timed runs the
// work with or without a StepTimes.
#include "calltrail/base/step_times.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace calltrail::base {
namespace {

// "name@depth" for each step in walk order.
std::vector<std::string> walked(const StepTimes& t) {
  std::vector<std::string> out;
  t.walk([&](const StepTimes::Step& s, unsigned depth) {
    out.push_back(s.name + "@" + std::to_string(depth) + "x" + std::to_string(s.runs));
  });
  return out;
}

TEST(StepTimes, NestsStepsUnderTheStepRunning) {
  StepTimes t;
  t.time("read", [] {});
  t.time("build", [&] {
    t.time("merge", [] {});
    t.time("form", [&] { t.time("sort", [] {}); });
  });
  t.time("output", [] {});
  EXPECT_EQ(walked(t), (std::vector<std::string>{"read@0x1", "build@0x1", "merge@1x1", "form@1x1",
                                                 "sort@2x1", "output@0x1"}));
}

TEST(StepTimes, AStepRunAgainAddsUpUnderItsOwnParent) {
  StepTimes t;
  t.time("build", [&] { t.time("merge", [] {}); });
  t.time("again", [&] { t.time("merge", [] {}); });
  t.time("build", [&] { t.time("merge", [] {}); });
  // The later runs of build and its merge join the first; again's merge is its own.
  EXPECT_EQ(walked(t),
            (std::vector<std::string>{"build@0x2", "merge@1x2", "again@0x1", "merge@1x1"}));
  EXPECT_EQ(t.steps().size(), 4u);
}

TEST(StepTimes, ReturnsWhatTheStepReturns) {
  StepTimes t;
  EXPECT_EQ(t.time("answer", [] { return 42; }), 42);
  EXPECT_EQ(timed(nullptr, "answer", [] { return 7; }), 7);
  EXPECT_EQ(timed(&t, "answer", [] { return 8; }), 8);
  EXPECT_EQ(walked(t), (std::vector<std::string>{"answer@0x2"}));
}

TEST(StepTimes, AStepThatThrowsEndsThere) {
  StepTimes t;
  EXPECT_THROW(t.time("failing", [&] { t.time("inner", [] { throw std::runtime_error("x"); }); }),
               std::runtime_error);
  t.time("next", [] {});
  // "next" is a step of the run, not of the step that threw.
  EXPECT_EQ(walked(t), (std::vector<std::string>{"failing@0x1", "inner@1x1", "next@0x1"}));
}

TEST(StepTimes, TopSecondsAreTheRunsOwnSteps) {
  StepTimes t;
  t.time("outer", [&] { t.time("inner", [] {}); });
  const auto& steps = t.steps();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_DOUBLE_EQ(t.top_seconds(), steps[0].seconds);
  EXPECT_GE(steps[0].seconds, steps[1].seconds);
  EXPECT_GE(t.elapsed(), t.top_seconds());
}

}  // namespace
}  // namespace calltrail::base
