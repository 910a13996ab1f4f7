#include "calltrail/model/identifiers.hpp"

#include <array>

namespace calltrail::model {

std::string normalize_conn_id(std::string_view s) {
  if (s.empty() || s.size() > 16) return {};
  std::string out(16 - s.size(), '0');
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      out.push_back(c);
    } else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
      out.push_back(static_cast<char>(c | 0x20));
    } else {
      return {};
    }
  }
  return out;
}

bool is_conn_id_attribute(std::string_view n) {
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
