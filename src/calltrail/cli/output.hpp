// Buffered output to a stream, written in large blocks.
#pragma once

#include <cstdio>
#include <string>

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
    if (buffer_.size() >= flush_at_) flush();
  }
  void flush();
  // False once a write failed (e.g. the reader of a pipe went away).
  bool ok() const { return ok_; }

 private:
  std::FILE* stream_;
  std::size_t flush_at_;
  std::string buffer_;
  bool ok_ = true;
};

}  // namespace calltrail::cli
