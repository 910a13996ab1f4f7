// Compact binary forms of what the store keeps in BLOB columns: varints
// (LEB128, zig-zag for signed values) and length-prefixed strings. Decoding
// never trusts its input: a short or corrupt blob throws CodecError.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace calltrail::store {

class CodecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Writer {
 public:
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void i(std::int64_t v) {
    u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void str(std::string_view s) {
    u(s.size());
    out_.append(s);
  }
  void opt_u(const std::optional<std::uint64_t>& v) {
    u(v ? 1 : 0);
    if (v) u(*v);
  }
  void opt_i(const std::optional<std::int64_t>& v) {
    u(v ? 1 : 0);
    if (v) i(*v);
  }
  std::string& data() { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint64_t u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) throw CodecError("truncated value");
      const auto b = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw CodecError("overlong value");
  }
  std::int64_t i() {
    const std::uint64_t z = u();
    return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::uint32_t u32() {
    const std::uint64_t v = u();
    if (v > 0xffffffffu) throw CodecError("value out of range");
    return static_cast<std::uint32_t>(v);
  }
  // A count of items that each take at least one byte.
  std::size_t count() {
    const std::uint64_t n = u();
    if (n > in_.size() - pos_) throw CodecError("count larger than the data");
    return static_cast<std::size_t>(n);
  }
  std::string_view str() {
    const std::uint64_t n = u();
    if (n > in_.size() - pos_) throw CodecError("truncated string");
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::optional<std::uint64_t> opt_u() {
    if (u() == 0) return std::nullopt;
    return u();
  }
  std::optional<std::int64_t> opt_i() {
    if (u() == 0) return std::nullopt;
    return i();
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace calltrail::store
