// A progress line for long work: "\r"-rewritten on stderr when stderr is a
// terminal (never in a pipe or a file), at most every 200 ms, and cleared
// before anything else is printed. Safe to call from several threads: a call
// that finds another one printing skips its turn.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace calltrail::cli {

class ProgressLine {
 public:
  ProgressLine();
  bool enabled() const { return enabled_; }
  // Whether a new line is due (so that the text is built only then).
  bool due();
  void show(std::string_view text);
  void clear();

 private:
  bool enabled_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  std::size_t shown_ = 0;  // width of the line on screen
};

// "12.3 MB"
std::string megabytes(std::uint64_t bytes);

}  // namespace calltrail::cli
