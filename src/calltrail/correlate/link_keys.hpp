// Which identifiers link legs, and the 64-bit keys they are found by. One
// definition for trace's reach (reach.hpp), the store's identifier index and
// the union-find of `serve`, before and after a restart: where these keys
// meet, the three answer alike.
//
// A leg links by its CallUUID, its ConnIDs and First/LastTransferConnIDs, the
// transfer references (TransferConnID, PreviousConnID, Ref/Orig/NewCallUUID)
// and IS-Link ids its events carry, and its SIP dialogs: each Call-ID whole
// and before '@' (what users paste), and the CallUUID a received INVITE names
// in X-Genesys-CallUUID. ConnIDs are keyed by number, everything else by its
// text without ASCII case. The store keeps these keys (docs/storage.md):
// changing them needs a schema migration.
#pragma once

#include <cstdint>
#include <string_view>

#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/key_hash.hpp"
#include "calltrail/model/identifiers.hpp"

namespace calltrail::correlate {

using LinkKey = std::uint64_t;

// A ConnID by its number (mixed, so that numbers do not cluster).
inline LinkKey conn_key(std::uint64_t conn) {
  std::uint64_t x = conn ^ 0x436f6e6e4944ull;  // "ConnID"
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A CallUUID, IS-Link id, Call-ID (or any text searched by), without case.
inline LinkKey text_key(std::string_view s) {
  return fold_hash(s);
}

// Calls fn(LinkKey) for the keys of one Call-ID: whole, and before '@'.
template <typename Fn>
void for_each_call_id_key(std::string_view call_id, Fn&& fn) {
  if (call_id.empty()) return;
  fn(text_key(call_id));
  const std::size_t at = call_id.find('@');
  if (at != std::string_view::npos && at > 0) fn(text_key(call_id.substr(0, at)));
}

// A transfer reference: a ConnID by number, a CallUUID by text.
inline LinkKey transfer_key(TransferVia via, std::string_view value) {
  if (via == TransferVia::TransferConnID || via == TransferVia::PreviousConnID) {
    if (auto n = conn_number(value)) return conn_key(*n);
  }
  return text_key(value);
}

// Calls fn(LinkKey) for each key a leg links by through its own identifiers
// (CallUUID, ConnIDs, transfer ConnIDs, SIP dialogs). The transfer and
// IS-Link observations of its events add transfer_key() and text_key(id).
template <typename Fn>
void for_each_leg_key(const Leg& leg, Fn&& fn) {
  if (!leg.call_uuid.empty()) fn(text_key(leg.call_uuid));
  for (const std::uint64_t c : leg.conn_ids)
    fn(conn_key(c));
  for (const std::uint64_t c : leg.transfer_conn_ids.get())
    fn(conn_key(c));
  for (const SipDialog& d : leg.sip_dialogs) {
    for_each_call_id_key(d.call_id, fn);
    if (!d.remote_uuid.empty()) fn(text_key(d.remote_uuid));
  }
}

// The same for leg `leg` of a scan (ScanLegs keeps its SIP keys as made by
// for_each_call_id_key and text_key as the dialogs come).
template <typename Fn>
void for_each_leg_key(const ScanLegs& legs, std::uint32_t leg, Fn&& fn) {
  if (const std::string_view uuid = legs.call_uuid(leg); !uuid.empty()) fn(text_key(uuid));
  legs.for_each_conn(leg, [&](std::uint64_t c) { fn(conn_key(c)); });
  legs.for_each_transfer_conn(leg, [&](std::uint64_t c) { fn(conn_key(c)); });
  legs.for_each_sip_key(leg, fn);
}

// Calls fn(LinkKey) for each key events that carry a ConnID but no CallUUID
// link by: the ConnID and their transfer references.
template <typename Fn>
void for_each_orphan_key(std::uint64_t conn, const OrphanEvents& o, Fn&& fn) {
  fn(conn_key(conn));
  for (const auto& t : o.transfers)
    if (!t.value.empty()) fn(transfer_key(t.via, t.value));
}

// The keys an identifier a user gives is looked up by: its text, and its
// number when it reads as a ConnID. At most two; returns how many.
inline int query_keys(std::string_view id, LinkKey (&out)[2]) {
  int n = 0;
  out[n++] = text_key(id);
  if (auto c = conn_number(model::normalize_conn_id(id))) out[n++] = conn_key(*c);
  return n;
}

}  // namespace calltrail::correlate
