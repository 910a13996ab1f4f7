// libFuzzer target for the store's BLOB decoders: a BLOB read back from a
// store (a damaged file, a hand-edited row, another version) must decode or
// throw store::CodecError, never crash or allocate without bound. What
// decodes must encode and decode again to the same bytes. The first byte
// picks the decoder.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "calltrail/store/codec.hpp"
#include "calltrail/store/records.hpp"

namespace store = calltrail::store;

namespace {

template <typename Decode, typename Encode>
void round_trip(std::string_view blob, Decode decode, Encode encode) {
  std::string first;
  try {
    first = encode(decode(blob));
  } catch (const store::CodecError&) {
    return;  // rejected: fine
  }
  // A decoded record encodes to a BLOB that decodes to the same record.
  if (encode(decode(first)) != first) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view blob(reinterpret_cast<const char*>(data + 1), size - 1);
  store::StringPool pool;
  switch (data[0] % 6) {
    case 0:
      round_trip(
          blob, [&](std::string_view b) { return store::decode_leg(b, 0, pool); },
          [&](const store::LegRecord& r) {
            return store::encode_leg(r.leg, r.transfers, r.islink_ids, pool);
          });
      break;
    case 1:
      round_trip(
          blob, [&](std::string_view b) { return store::decode_islink(b, 0, pool); },
          [&](const calltrail::correlate::IsLinkObservation& o) {
            return store::encode_islink(o, pool);
          });
      break;
    case 2:
      round_trip(
          blob, [&](std::string_view b) { return store::decode_orphans(b, 0, pool); },
          [&](const calltrail::correlate::OrphanEvents& o) {
            return store::encode_orphans(o, pool);
          });
      break;
    case 3:
      round_trip(
          blob, [](std::string_view b) { return store::decode_summary(b, 0); },
          [](const store::PartSummary& s) { return store::encode_summary(s); });
      break;
    case 4:
      round_trip(
          blob, [](std::string_view b) { return store::decode_info(b); },
          [](const calltrail::parse::FileInfo& i) { return store::encode_info(i); });
      break;
    default:
      round_trip(
          blob, [](std::string_view b) { return store::decode_resume(b); },
          [](const store::ResumeState& s) { return store::encode_resume(s); });
      break;
  }
  return 0;
}
