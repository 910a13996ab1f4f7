// Identifier forms and their normalisation.
#pragma once

#include <string>
#include <string_view>

#include "calltrail/model/event.hpp"

namespace calltrail::model {

// ConnIDs are 64-bit numbers printed as hex: lower-case them and left-pad to
// 16 digits so that "9A0218" and "00000000009a0218" compare equal. Returns
// an empty string when `s` is not a hex number of at most 16 digits.
std::string normalize_conn_id(std::string_view s);
// The same into a caller's buffer; false when `s` is not such a number.
bool normalize_conn_id(std::string_view s, char (&out)[16]);

// True for the attributes whose value is a ConnID.
bool is_conn_id(Attr attribute);
bool is_conn_id_attribute(std::string_view attribute_name);

// True for the attributes whose value is a CallUUID (own or referenced).
bool is_call_uuid_attribute(std::string_view attribute_name);

// True for attributes a user searches by: ConnIDs, CallUUIDs, DNs, ANI, DNIS.
bool is_identifier_attribute(std::string_view attribute_name);

}  // namespace calltrail::model
