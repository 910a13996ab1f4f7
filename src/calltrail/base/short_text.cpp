#include "calltrail/base/short_text.hpp"

#include <ostream>

namespace calltrail::base {

std::ostream& operator<<(std::ostream& out, const ShortText& t) {
  return out << t.view();
}

}  // namespace calltrail::base
