// The attribute keys of SIP events (docs/events-json.md): what the parser
// names the parts of a SIP message, and what events read back from JSON carry.
#pragma once

#include <string_view>

namespace calltrail::model {

namespace sip_keys {
inline constexpr std::string_view kDirection = "Direction";
inline constexpr std::string_view kTransport = "Transport";
inline constexpr std::string_view kMethod = "Method";
inline constexpr std::string_view kRequestUri = "Request-URI";
inline constexpr std::string_view kStatus = "Status";
inline constexpr std::string_view kReasonPhrase = "Reason-Phrase";
inline constexpr std::string_view kCallId = "Call-ID";
inline constexpr std::string_view kCSeq = "CSeq";
inline constexpr std::string_view kFrom = "From";
inline constexpr std::string_view kFromTag = "From-Tag";
inline constexpr std::string_view kTo = "To";
inline constexpr std::string_view kToTag = "To-Tag";
inline constexpr std::string_view kGenesysCallUuid = "X-Genesys-CallUUID";
inline constexpr std::string_view kReason = "Reason";
inline constexpr std::string_view kContentType = "Content-Type";
inline constexpr std::string_view kSdpAddress = "SDP-Address";
inline constexpr std::string_view kSdpPort = "SDP-Port";
inline constexpr std::string_view kSdpCodecs = "SDP-Codecs";
// "<kind>/<source>[;<params>]" of a recording request (parse/recording.hpp).
inline constexpr std::string_view kRecording = "Recording";
inline constexpr std::string_view kCallUuid = "CallUUID";  // of a mapping
inline constexpr std::string_view kMappingName = "CID:CUUID";
}  // namespace sip_keys

}  // namespace calltrail::model
