// Masking personal data for a bundle sent outside (docs/bundle.md, "Masking"):
// phone numbers, SIP user parts and display names, user-data values and IP
// addresses are replaced by stable tokens (the same value gives the same
// token in every file of the bundle: PHONE-1, IP-2, UDATA-3, USER-4, NAME-5);
// identifiers (CallUUID, ConnID, IS-Link ids, the part of a SIP Call-ID
// before '@') are kept.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/model/event.hpp"

namespace calltrail::bundle {

enum class MaskKind : std::uint8_t { Phone, Ip, UserData, SipUser, Name };
std::string_view token_prefix(MaskKind kind);  // "PHONE", "IP", ...

// A value that looks like a phone number: an optional '+', then digits with
// at most '-', '.', ' ', '(' or ')' between them; 5 to 15 digits (to 20
// after '+').
bool looks_like_phone(std::string_view value);

class Masker {
 public:
  // `keep_keys`: user-data keys whose values are kept (--mask-keep).
  explicit Masker(std::vector<std::string> keep_keys = {});

  // The personal values of a parsed message: ANI, DNIS, the DN attributes
  // that look like phone numbers, and every value of its user data (at any
  // depth).
  void learn(const model::Event& event);
  void add_phone(std::string_view value);
  void add_user_data(std::string_view key, std::string_view value);
  // An identifier to keep as written wherever it appears (the part before
  // '@' of a SIP Call-ID; not one that is itself a personal value).
  void add_identifier(std::string_view id);

  // `text` with every personal value (learned or found by its shape)
  // replaced by its token.
  std::string mask_text(std::string_view text);
  // A JSON document with its strings masked as text, and the values of
  // "user_data" objects, "ani", "dnis" and "dns" as values of their kind.
  // Numbers, booleans and keys of objects stay. Text that is not JSON is
  // masked as text.
  std::string mask_json(std::string_view json, int indent = -1);

  // How many distinct values of each kind were given a token.
  std::size_t count(MaskKind kind) const { return counts_[static_cast<std::size_t>(kind)]; }
  const std::vector<std::string>& keep_keys() const { return keep_keys_; }

 private:
  struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string replacement;
  };
  bool kept_key(std::string_view key) const;
  const std::string& token(MaskKind kind, std::string_view value);
  void pair_spans(std::string_view text, std::vector<Span>& spans);
  void literal_spans(std::string_view text, std::vector<Span>& spans);
  void shape_spans(std::string_view text, std::vector<Span>& spans);
  std::vector<std::pair<std::size_t, std::size_t>> protected_ranges(std::string_view text) const;

  std::vector<std::string> keep_keys_;
  std::map<std::string, std::string, std::less<>> tokens_;  // normalised value -> token
  std::size_t counts_[5] = {};
  std::size_t next_[5] = {};
  // Learned values: user-data pairs, and literals (phones, user-data values)
  // with their kind.
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::map<std::string, MaskKind, std::less<>> literals_;
  std::vector<std::string> identifiers_;
};

}  // namespace calltrail::bundle
