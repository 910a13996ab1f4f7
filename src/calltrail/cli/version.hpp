// The version `calltrail --version` prints: from `git describe` when the
// binary was built (packaging/version.cmake writes the definition).
#pragma once

#include <string_view>

namespace calltrail::cli {

std::string_view version();

}  // namespace calltrail::cli
