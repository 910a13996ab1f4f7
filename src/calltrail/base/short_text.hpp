// Text that is usually short (a DN, an ANI, a call type): 16 bytes, holding
// up to 15 bytes in place and longer text on the heap, where a std::string
// takes 32 bytes whatever it holds. A gigabyte's legs hold a few hundred
// thousand such values. Read as a std::string_view.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <string>
#include <string_view>

namespace calltrail::base {

class ShortText {
 public:
  ShortText() noexcept { set_inline_size(0); }
  // Implicit, as std::string's own constructors from text are.
  ShortText(std::string_view s) { assign_fresh(s); }    // NOLINT(google-explicit-constructor)
  ShortText(const std::string& s) { assign_fresh(s); }  // NOLINT(google-explicit-constructor)
  ShortText(const char* s) { assign_fresh(std::string_view(s)); }  // NOLINT
  ShortText(const ShortText& o) { assign_fresh(o.view()); }
  ShortText(ShortText&& o) noexcept {
    std::memcpy(bytes_, o.bytes_, sizeof bytes_);
    o.set_inline_size(0);
  }
  ~ShortText() { free_heap(); }

  ShortText& operator=(const ShortText& o) {
    if (this != &o) assign(o.view());
    return *this;
  }
  ShortText& operator=(ShortText&& o) noexcept {
    if (this != &o) {
      free_heap();
      std::memcpy(bytes_, o.bytes_, sizeof bytes_);
      o.set_inline_size(0);
    }
    return *this;
  }
  ShortText& operator=(std::string_view s) {
    assign(s);
    return *this;
  }
  ShortText& operator=(const std::string& s) {
    assign(s);
    return *this;
  }
  ShortText& operator=(const char* s) {
    assign(std::string_view(s));
    return *this;
  }

  std::size_t size() const { return on_heap() ? heap_size() : bytes_[kTag]; }
  bool empty() const { return size() == 0; }
  const char* data() const {
    return on_heap() ? heap_data() : reinterpret_cast<const char*>(bytes_);
  }
  std::string_view view() const { return {data(), size()}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  std::string str() const { return std::string(view()); }

  friend bool operator==(const ShortText& a, const ShortText& b) { return a.view() == b.view(); }
  friend bool operator==(const ShortText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const ShortText& a, const std::string& b) { return a.view() == b; }
  friend bool operator==(const ShortText& a, const char* b) { return a.view() == b; }
  friend auto operator<=>(const ShortText& a, const ShortText& b) { return a.view() <=> b.view(); }
  friend std::ostream& operator<<(std::ostream& out, const ShortText& t);

 private:
  static constexpr std::size_t kTag = 15;  // the last byte: the size in place, or kHeap
  static constexpr std::uint8_t kHeap = 0xff;
  static constexpr std::size_t kInline = kTag;  // bytes held in place
  static constexpr std::size_t kSizeAt = sizeof(char*);

  bool on_heap() const { return bytes_[kTag] == kHeap; }
  const char* heap_data() const {
    const char* p = nullptr;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }
  std::size_t heap_size() const {
    std::uint32_t n = 0;
    std::memcpy(&n, bytes_ + kSizeAt, sizeof n);
    return n;
  }
  void set_inline_size(std::size_t n) { bytes_[kTag] = static_cast<std::uint8_t>(n); }
  void free_heap() {
    if (on_heap()) delete[] heap_data();
  }
  // `s` may view this value's own text: the new text is made first.
  void assign(std::string_view s) {
    ShortText fresh(s);
    *this = std::move(fresh);
  }
  // Text past 4 GiB (no field of a log line comes near) is cut there.
  void assign_fresh(std::string_view s) {
    s = s.substr(0, UINT32_MAX);
    if (s.size() <= kInline) {
      if (!s.empty()) std::memcpy(bytes_, s.data(), s.size());
      set_inline_size(s.size());
      return;
    }
    auto* p = new char[s.size()];
    std::memcpy(p, s.data(), s.size());
    std::memcpy(bytes_, &p, sizeof p);
    const auto n = static_cast<std::uint32_t>(s.size());
    std::memcpy(bytes_ + kSizeAt, &n, sizeof n);
    bytes_[kTag] = kHeap;
  }

  alignas(8) std::uint8_t bytes_[16];
};

static_assert(sizeof(ShortText) == 16);

}  // namespace calltrail::base
