// Buffered output to a stream, written in large blocks. Whatever is written
// leaves as valid UTF-8 (base/utf8.hpp): text output echoes log content,
// which may be any bytes.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace calltrail::cli {

class Output {
 public:
  explicit Output(std::FILE* stream, std::size_t flush_at = 1 << 16)
      : stream_(stream), flush_at_(flush_at) {}
  ~Output() { flush(); }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= flush_at_) write(false);
  }
  void flush() { write(true); }
  // Writes whole text (complete characters) after what is buffered, without
  // copying it into the buffer first.
  void write_whole(std::string_view text);
  // False once a write failed (e.g. the reader of a pipe went away).
  bool ok() const { return ok_; }

 private:
  // Writes the buffer; unless `all`, a character cut by the buffer's end
  // waits for the rest of its bytes.
  void write(bool all);
  // Writes `out` to the stream, its invalid UTF-8 repaired.
  void put(std::string_view out);

  std::FILE* stream_;
  std::size_t flush_at_;
  std::string buffer_;
  bool ok_ = true;
};

}  // namespace calltrail::cli
