#include "calltrail/model/identifiers.hpp"

#include <array>

namespace calltrail::model {

bool normalize_conn_id(std::string_view s, char (&out)[16]) {
  if (s.empty() || s.size() > 16) return false;
  const std::size_t pad = 16 - s.size();
  for (std::size_t i = 0; i < pad; ++i)
    out[i] = '0';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      out[pad + i] = c;
    } else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
      out[pad + i] = static_cast<char>(c | 0x20);
    } else {
      return false;
    }
  }
  return true;
}

std::string normalize_conn_id(std::string_view s) {
  char out[16];
  return normalize_conn_id(s, out) ? std::string(out, sizeof out) : std::string();
}

bool is_conn_id_attribute(std::string_view n) {
  // Runs for every scalar the parser reads: reject by the suffix first.
  if (n.size() < 15 || n.substr(n.size() - 6) != "ConnID") return false;
  static constexpr std::array<std::string_view, 6> kNames = {"AttributeConnID",
                                                             "AttributeTransferConnID",
                                                             "AttributePreviousConnID",
                                                             "AttributeFirstTransferConnID",
                                                             "AttributeLastTransferConnID",
                                                             "AttributeOtherConnID"};
  for (auto k : kNames)
    if (n == k) return true;
  return false;
}

bool is_call_uuid_attribute(std::string_view n) {
  if (n.size() < 17 || n.substr(n.size() - 8) != "CallUUID") return false;
  static constexpr std::array<std::string_view, 4> kNames = {
      "AttributeCallUUID", "AttributeRefCallUUID", "AttributeOrigCallUUID", "AttributeNewCallUUID"};
  for (auto k : kNames)
    if (n == k) return true;
  return false;
}

bool is_identifier_attribute(std::string_view n) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "AttributeThisDN", "AttributeOtherDN",   "AttributeThirdPartyDN", "AttributeANI",
      "AttributeDNIS",   "AttributeThisQueue", "AttributeOtherQueue"};
  if (is_conn_id_attribute(n) || is_call_uuid_attribute(n)) return true;
  for (auto k : kNames)
    if (n == k) return true;
  return false;
}

}  // namespace calltrail::model
