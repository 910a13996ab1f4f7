// Secrets in text that is shown to someone: database passwords in a
// connection string and bearer tokens. Every message that may quote a store
// URL or a request goes through redact_secrets() before it leaves the
// process (stderr, HTTP bodies, the access log).
#pragma once

#include <string>
#include <string_view>

namespace calltrail::base {

// `text` with the password of every `scheme://user:password@host` URI and
// every `password=...` keyword (libpq's conninfo form, URI query
// parameters) replaced by `***`, and the value of every `token=` query
// parameter too.
std::string redact_secrets(std::string_view text);

// Whether `given` equals `secret`, in a time that depends on the length of
// `given` only (a token compared byte by byte would tell an attacker how
// many leading bytes were right).
bool equal_constant_time(std::string_view given, std::string_view secret);

}  // namespace calltrail::base
