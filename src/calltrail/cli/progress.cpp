#include "calltrail/cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace calltrail::cli {

ProgressLine::ProgressLine() : enabled_(::isatty(STDERR_FILENO) != 0) {}

bool ProgressLine::due() {
  if (!enabled_) return false;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  return std::chrono::steady_clock::now() - last_ >= std::chrono::milliseconds(200);
}

void ProgressLine::show(std::string_view text) {
  if (!enabled_) return;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  // Pad over what a longer earlier line left.
  fmt::print(stderr, "\r{:<{}}", text, std::max(shown_, text.size()));
  std::fflush(stderr);
  shown_ = text.size();
}

void ProgressLine::clear() {
  std::lock_guard lock(mutex_);
  if (shown_ == 0) return;
  fmt::print(stderr, "\r{:{}}\r", "", shown_);
  std::fflush(stderr);
  shown_ = 0;
}

std::string megabytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

}  // namespace calltrail::cli
