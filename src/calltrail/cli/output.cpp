#include "calltrail/cli/output.hpp"

#include <string_view>

#include "calltrail/base/utf8.hpp"

namespace calltrail::cli {

void Output::write(bool all) {
  const std::size_t end = all ? buffer_.size() : base::incomplete_utf8_tail(buffer_);
  const std::string_view out(buffer_.data(), end);
  if (ok_ && !out.empty()) {
    std::string repaired;
    std::string_view valid = out;
    if (!base::is_valid_utf8(out)) valid = repaired = base::valid_utf8(out);
    if (std::fwrite(valid.data(), 1, valid.size(), stream_) != valid.size() ||
        std::fflush(stream_) != 0)
      ok_ = false;
  }
  buffer_.erase(0, end);
}

}  // namespace calltrail::cli
