#include "calltrail/base/diagnostics.hpp"

namespace calltrail::base {

void Diagnostics::report(Diagnostic d) {
  ++count_;
  ++by_code_[d.code];
  if (first_.size() < keep_first_) first_.push_back(std::move(d));
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
