#include "calltrail/model/identifiers.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "calltrail/base/hex.hpp"

namespace calltrail::model {

bool normalize_conn_id(std::string_view s, char (&out)[16]) {
  if (s.size() == 16) return base::lower_hex16(s.data(), out);  // as servers print them
  if (s.empty() || s.size() > 16) return false;
  const std::size_t pad = 16 - s.size();
  std::memset(out, '0', pad);
  std::uint8_t bad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::uint8_t d = base::kHexDigitValues[static_cast<unsigned char>(s[i])];
    bad |= d & 0xF0;
    out[pad + i] = "0123456789abcdef"[d & 0x0F];
  }
  return bad == 0;
}

std::string normalize_conn_id(std::string_view s) {
  char out[16];
  return normalize_conn_id(s, out) ? std::string(out, sizeof out) : std::string();
}

namespace {

constexpr std::uint64_t bits(std::initializer_list<Attr> attrs) {
  std::uint64_t m = 0;
  for (Attr a : attrs)
    m |= std::uint64_t{1} << static_cast<unsigned>(a);
  return m;
}
static_assert(static_cast<unsigned>(Attr::Unclassified) < 64);
constexpr std::uint64_t kConnIds =
    bits({Attr::ConnID, Attr::TransferConnID, Attr::PreviousConnID, Attr::FirstTransferConnID,
          Attr::LastTransferConnID, Attr::OtherConnID});
constexpr std::uint64_t kCallUuids =
    bits({Attr::CallUUID, Attr::RefCallUUID, Attr::OrigCallUUID, Attr::NewCallUUID});

bool in(std::uint64_t set, Attr a) {
  return ((set >> static_cast<unsigned>(a)) & 1u) != 0;
}

}  // namespace

bool is_conn_id(Attr a) {
  return in(kConnIds, a);
}

bool is_conn_id_attribute(std::string_view n) {
  return is_conn_id(classify_attribute(n));
}

bool is_call_uuid_attribute(std::string_view n) {
  return in(kCallUuids, classify_attribute(n));
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
