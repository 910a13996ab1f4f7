// Whether a --site-name FILE=app@switch names a file: what the build
// applies, for the commands that tell the user when one named none.
#pragma once

#include <string>

#include "calltrail/correlate/correlation.hpp"

namespace calltrail::correlate {

// `path` is FILE, its base name is FILE, or it lies in the folder FILE.
bool site_override_matches(const SiteOverride& site, const std::string& path);

}  // namespace calltrail::correlate
