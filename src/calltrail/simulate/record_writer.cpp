// Records: T-Library events and requests, plain lines, HA sync messages,
// held in true-time order across sites and written to the site logs with
// their sequence numbers; the sites' background lines.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "calltrail/simulate/simulator_state.hpp"

namespace calltrail::simulate::detail {

// ---------------------------------------------------------------- records

namespace {

// The switch's own number for a call: the low bits of its ConnID (a value
// of the call, drawn from no random stream, so that the logs keep their
// other values).
std::int64_t switch_call_id(std::string_view conn_id) {
  const std::string_view low = conn_id.substr(conn_id.size() > 6 ? conn_id.size() - 6 : 0);
  std::int64_t id = 0;
  std::from_chars(low.data(), low.data() + low.size(), id, 16);
  return id;
}

}  // namespace

MessageText Simulator::begin_event(Call& call, Micros t, std::string_view name) {
  auto& site = sites_[call.site];
  current_ = Record{};
  current_.when = t;
  current_.site = call.site;
  // Call-based events go to clients that monitor calls only.
  drop_current_ = !site.spec.tlib || (!site.spec.call_monitoring && name.starts_with("EventCall"));
  MessageText m(current_.text, message_style());
  const Micros local = local_time(call.site, t);
  const Micros logged = t + site.spec.clock_skew_us;
  m.tlib_header(local, site.version, site.emitter, name);
  current_.seq_offset = static_cast<std::int64_t>(m.attr_sequence_placeholder());
  const bool secs = site.spec.time_form == TimeForm::Secs ||
                    (site.spec.time_form == TimeForm::Mixed && rng_.chance(0.5));
  if (secs) {
    m.attr_time_in_secs(logged, local);
  } else {
    m.attr_time_stamp(logged);
  }
  m.attr_bare("AttributeConnID", call.conn_id);
  m.attr_str("AttributeCallUUID", call.uuid);
  // What servers print beside the identifiers: the switch's call id and the
  // tenant, and on a DN-based event (not EventCallCreated, -DataChanged,
  // -Deleted) the call's state and this DN's role (CallID and ThisDNRole
  // are mandatory there).
  m.attr_int("AttributeCallID", switch_call_id(call.conn_id));
  if (!name.starts_with("EventCall")) {
    m.attr_int("AttributeCallState", 0);
    m.attr_int("AttributeThisDNRole", 2);
  }
  m.attr_str("AttributeCustomerID", "Resources");
  if (!drop_current_) {
    auto& leg = ia_.legs[call.leg];
    leg.events += 1;
    leg.true_start = std::min(leg.true_start, t);
    leg.true_end = std::max(leg.true_end, t);
  }
  return m;
}

MessageText Simulator::begin_request(std::uint32_t site, Micros t, std::string_view name,
                                     std::string_view client, int handle) {
  current_ = Record{};
  current_.when = t;
  current_.site = site;
  drop_current_ = !tlib(site);
  MessageText m(current_.text, message_style());
  m.request_header(local_time(site, t), name, handle, client);
  m.attr_int("AttributeReferenceID", static_cast<std::int64_t>(++sites_[site].reference_id));
  return m;
}

void Simulator::write(MessageText& m, std::initializer_list<Attr> attrs) {
  for (const Attr& a : attrs) {
    switch (a.kind) {
      case Attr::Kind::Str:
        m.attr_str(a.name, a.text);
        break;
      case Attr::Kind::Bare:
        m.attr_bare(a.name, a.text);
        break;
      case Attr::Kind::Int:
        m.attr_int(a.name, a.number);
        break;
      case Attr::Kind::UserData:
        user_data(m);
        break;
    }
  }
  m.end();
  finish();
}

void Simulator::event(Call& call, Micros t, std::string_view name,
                      std::initializer_list<Attr> attrs) {
  auto m = begin_event(call, t, name);
  write(m, attrs);
}

void Simulator::request(std::uint32_t site, Micros t, std::string_view name,
                        std::string_view client, int handle, std::initializer_list<Attr> attrs) {
  auto r = begin_request(site, t, name, client, handle);
  write(r, attrs);
}

std::string& Simulator::begin_plain(std::uint32_t site, Micros t) {
  current_ = Record{};
  current_.when = t;
  current_.site = site;
  drop_current_ = false;
  append_time_of_day(current_.text, local_time(site, t), 3);
  return current_.text;
}

void Simulator::finish() {
  if (current_.text.empty() || current_.text.back() != '\n') current_.text += '\n';
  if (!sites_[current_.site].log) return;  // unmonitored: exists in truth only
  if (drop_current_) return;               // tlib=off: no T-Library message
  current_.order = order_++;
  last_when_ = std::max(last_when_, current_.when);
  pending_bytes_ += current_.text.size();
  pending_.push(std::move(current_));
}

void Simulator::user_data(MessageText& m) {
  const KvPair pairs[] = {
      {"CustomerId", customer_.customer_id},      {"Segment", customer_.segment},
      {"Language", customer_.language},           {"CaseId", customer_.case_id},
      {"Priority", {}, customer_.priority, true}, {"Notes", ""},
  };
  m.attr_kv_list("AttributeUserData", pairs);
}

void Simulator::ha_sync(const Call& call, Micros t, std::string_view dn) {
  if (!ha_ || !tlib(call.site)) return;
  const auto& s = sites_[call.site];
  current_ = Record{};
  current_.when = t;
  current_.site = call.site;
  drop_current_ = false;
  MessageText m(current_.text, message_style());
  m.bsync_header(local_time(call.site, t), s.backup, "RequestSetCallInfo");
  m.attr_bare("AttributeConnID", call.conn_id);
  m.attr_str("AttributeCallUUID", call.uuid);
  m.attr_str("AttributeThisDN", dn);
  m.end();
  finish();
}

// ---------------------------------------------------------------- output

void Simulator::write_record(Record& r) {
  auto& site = sites_[r.site];
  if (r.seq_offset >= 0) {
    if (lost_ && flush_rng_.chance(lost_rate_)) {
      const std::uint64_t missing = 1 + flush_rng_.below(3);
      site.gaps.push_back({site.next_seq - 1, missing});
      site.next_seq += missing;
    }
    patch_sequence(r.text, static_cast<std::size_t>(r.seq_offset), site.next_seq++);
    ++site.events;
  }
  pending_bytes_ -= r.text.size();
  if (r.cti_counter) r.text.insert(r.text.size() - 1, fmt::format("{}", ++site.cti_counter));
  written_ += r.text.size();
  if (!site.log->write(r.when + site.spec.clock_skew_us, r.text) && io_error_.empty()) {
    io_error_ = site.log->error();
  }
}

void Simulator::flush_until(Micros t) {
  while (!pending_.empty() && pending_.top().when < t) {
    Record r = std::move(const_cast<Record&>(pending_.top()));
    pending_.pop();
    write_record(r);
  }
}

void Simulator::emit_noise_until(Micros t) {
  static constexpr std::string_view kLines[] = {
      " Std 20003 Check point: {} calls in progress, {} clients connected",
      " Trc 04542 Registration of DN {}{:03} accepted for client [{}]",
      " Int 04544 Statistics: queue length {}, longest wait {} ms",
      " Std 04503 Connection to [StatServer] 10.1.{}.{}:3520 is alive",
  };
  for (const auto i : monitored_) {
    auto& s = sites_[i];
    while (s.next_noise < t) {
      const Micros when = s.next_noise;
      s.next_noise += ms(500, 20000);
      if (!noise_) continue;
      if (s.spec.kind == ServerKind::SipServer && rng_.chance(0.2)) {
        sip_noise(i, when);
        continue;
      }
      std::string& out = begin_plain(i, when);
      const auto a = rng_.below(400);
      const auto b = rng_.below(200);
      switch (rng_.below(4)) {
        case 0:
          fmt::format_to(std::back_inserter(out), fmt::runtime(kLines[0]), a, b);
          break;
        case 1:
          fmt::format_to(std::back_inserter(out), fmt::runtime(kLines[1]), s.number, b, a % 64);
          break;
        case 2:
          fmt::format_to(std::back_inserter(out), fmt::runtime(kLines[2]), b, a * 97);
          break;
        default:
          fmt::format_to(std::back_inserter(out), fmt::runtime(kLines[3]), a % 250, b);
          break;
      }
      finish();
    }
  }
}

}  // namespace calltrail::simulate::detail
