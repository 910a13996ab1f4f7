// The JSON form of an event (one object per line in `calltrail events`);
// the schema is documented in docs/events-json.md.
#pragma once

#include <string>
#include <string_view>

#include "calltrail/model/event.hpp"

namespace calltrail::model {

void append_event_json(std::string& out, const Event& event, std::string_view file_path);

// A KV list (or any field) value as JSON: pairs as [key, value] arrays.
void append_field_value_json(std::string& out, const Event& event, std::uint32_t index);

}  // namespace calltrail::model
