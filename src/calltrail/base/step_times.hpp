// Where a run's time went, step by step: what `--stats` prints. A step may
// hold steps of its own (the build's, inside "build"); a step run again adds
// to its time. Not for threads: steps are timed on the thread that runs them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace calltrail::base {

class StepTimes {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kNone = SIZE_MAX;

  struct Step {
    std::string name;
    std::size_t parent = kNone;  // the step this one is part of
    double seconds = 0;
    std::uint64_t runs = 0;
  };

  StepTimes() : start_(Clock::now()) {}

  // Runs `f` as the step `name`, part of the step running now (if any).
  template <typename F>
  decltype(auto) time(std::string_view name, F&& f) {
    const std::size_t at = find_or_add(name, running_.empty() ? kNone : running_.back());
    running_.push_back(at);
    struct Done {
      StepTimes& t;
      std::size_t at;
      Clock::time_point begin;
      ~Done() {
        t.running_.pop_back();
        t.steps_[at].seconds += std::chrono::duration<double>(Clock::now() - begin).count();
        ++t.steps_[at].runs;
      }
    } done{*this, at, Clock::now()};
    return std::forward<F>(f)();
  }

  // The steps in the order they first ran.
  const std::vector<Step>& steps() const { return steps_; }
  // Each step with its depth (0 for the run's own), every step followed by
  // the steps it is made of.
  template <typename Visit>
  void walk(Visit&& visit) const {
    walk_from(kNone, 0, visit);
  }
  // Seconds since this was made.
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  // Seconds of the run's own steps, which do not overlap.
  double top_seconds() const {
    double sum = 0;
    for (const Step& s : steps_)
      if (s.parent == kNone) sum += s.seconds;
    return sum;
  }

 private:
  std::size_t find_or_add(std::string_view name, std::size_t parent) {
    for (std::size_t i = 0; i < steps_.size(); ++i)
      if (steps_[i].parent == parent && steps_[i].name == name) return i;
    steps_.push_back({std::string(name), parent, 0, 0});
    return steps_.size() - 1;
  }
  template <typename Visit>
  void walk_from(std::size_t parent, unsigned depth, Visit& visit) const {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      if (steps_[i].parent != parent) continue;
      visit(steps_[i], depth);
      walk_from(i, depth + 1, visit);
    }
  }

  Clock::time_point start_;
  std::vector<std::size_t> running_;
  std::vector<Step> steps_;
};

// `f` timed as the step `name` of `times`, or just run when there is none.
template <typename F>
decltype(auto) timed(StepTimes* times, std::string_view name, F&& f) {
  if (times == nullptr) return std::forward<F>(f)();
  return times->time(name, std::forward<F>(f));
}

}  // namespace calltrail::base
