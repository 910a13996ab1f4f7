#include "calltrail/cli/output.hpp"

namespace calltrail::cli {

void Output::flush() {
  if (ok_ && !buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), stream_) != buffer_.size() ||
        std::fflush(stream_) != 0)
      ok_ = false;
  }
  buffer_.clear();
}

}  // namespace calltrail::cli
