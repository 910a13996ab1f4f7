// Bad input is an outcome, not an exception: every malformed record is
// counted and the first few are kept in full with file, line and what was
// expected. The parser keeps going.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace calltrail::base {

struct Diagnostic {
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
  std::string code;     // short stable key, e.g. "kv-list-header"
  std::string message;  // what was found and what was expected
};

class Diagnostics {
 public:
  explicit Diagnostics(std::size_t keep_first = 20) : keep_first_(keep_first) {}

  void report(Diagnostic d);
  // Adds another collector's findings (e.g. from a parser run on another thread).
  void merge(const Diagnostics& other);

  std::uint64_t count() const { return count_; }
  const std::vector<Diagnostic>& first() const { return first_; }
  const std::map<std::string, std::uint64_t>& by_code() const { return by_code_; }

 private:
  std::size_t keep_first_;
  std::uint64_t count_ = 0;
  std::vector<Diagnostic> first_;
  std::map<std::string, std::uint64_t> by_code_;
};

}  // namespace calltrail::base
