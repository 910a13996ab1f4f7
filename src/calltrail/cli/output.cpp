#include "calltrail/cli/output.hpp"

#include <string_view>

#include "calltrail/base/utf8.hpp"

namespace calltrail::cli {

void Output::write(bool all) {
  const std::size_t end = all ? buffer_.size() : base::incomplete_utf8_tail(buffer_);
  put(std::string_view(buffer_.data(), end));
  buffer_.erase(0, end);
}

void Output::write_whole(std::string_view text) {
  if (buffer_.size() + text.size() < flush_at_) {
    buffer_ += text;
    return;
  }
  write(true);
  put(text);
}

void Output::put(std::string_view out) {
  if (!ok_ || out.empty()) return;
  std::string repaired;
  std::string_view valid = out;
  if (!base::is_valid_utf8(out)) valid = repaired = base::valid_utf8(out);
  if (std::fwrite(valid.data(), 1, valid.size(), stream_) != valid.size() ||
      std::fflush(stream_) != 0)
    ok_ = false;
}

}  // namespace calltrail::cli
