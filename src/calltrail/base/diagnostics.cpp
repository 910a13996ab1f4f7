#include "calltrail/base/diagnostics.hpp"

#include "calltrail/base/utf8.hpp"

namespace calltrail::base {

void Diagnostics::report(Diagnostic d) {
  ++count_;
  ++by_code_[d.code];
  if (first_.size() >= keep_first_) return;
  // Kept to be shown: a message quotes the input, a file name may be any
  // bytes, and either may be cut inside a character.
  if (!is_valid_utf8(d.file)) d.file = valid_utf8(d.file);
  if (!is_valid_utf8(d.message)) d.message = valid_utf8(d.message);
  first_.push_back(std::move(d));
}

void Diagnostics::merge(const Diagnostics& other) {
  count_ += other.count_;
  for (const auto& [code, n] : other.by_code_)
    by_code_[code] += n;
  for (const auto& d : other.first_) {
    if (first_.size() >= keep_first_) break;
    first_.push_back(d);
  }
}

}  // namespace calltrail::base
