#include "calltrail/simulate/simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "calltrail/simulate/simulator_state.hpp"

namespace calltrail::simulate {

namespace detail {

namespace {

// Average log bytes per interaction with every scenario on; only used to
// spread interactions over --duration when --size is given.
constexpr std::uint64_t kBytesPerInteractionEstimate = 9300;

constexpr std::string_view kBase32 = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

}  // namespace

// ---------------------------------------------------------------- setup

bool Simulator::setup(std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(options_.out_dir, ec);
  if (ec) {
    error = fmt::format("cannot create {}: {}", options_.out_dir, ec.message());
    return false;
  }
  noise_ = options_.scenarios.has(Scenario::Noise);
  ha_ = options_.scenarios.has(Scenario::HaSync);
  lost_ = options_.scenarios.has(Scenario::LostEvents);
  if (options_.only == Scenario::LostEvents) lost_rate_ = 0.03;
  for (std::uint32_t i = 0; i < options_.sites.size(); ++i) {
    SiteState s;
    s.spec = options_.sites[i];
    s.number = i + 1;
    s.uuid_prefix = fmt::format("{}{}", kBase32[(i / 32) % 32], kBase32[i % 32]);
    while (s.uuid_prefix.size() < 26)
      s.uuid_prefix += kBase32[rng_.below(32)];
    s.uuid_counter = rng_.below(4096);
    s.conn_tag = static_cast<std::uint32_t>(0x10 + (i * 0x47 + 0x5a) % 0xe0);
    s.conn_counter = (rng_.below(0x7000000000ULL) + 0x1000000000ULL) & ~0xffULL;
    s.next_seq = 0x20000 + rng_.below(0x50000);
    s.reference_id = rng_.below(1000);
    const bool sip = s.spec.kind == ServerKind::SipServer;
    s.version = sip ? "8.1.001.03" : "8.1.001.05";
    s.emitter = sip ? "distribute_event" : "distribute call/party event";
    s.backup = s.spec.app + "_B";
    s.ip = fmt::format("10.{}.{}.{}", 20 + i, rng_.below(250) + 1, rng_.below(250) + 1);
    s.gateway_ip = fmt::format("10.{}.{}.{}", 20 + i, rng_.below(250) + 1, rng_.below(250) + 1);
    s.call_id_guid = guid();
    s.tag_guid = guid();
    s.branch_guid = guid();
    s.call_id_counter = rng_.below(100);
    // One site in four writes the shorter TAB header, so that both stay covered.
    s.header = s.spec.header != HeaderLayout::Auto ? s.spec.header
               : i % 4 == 1                        ? HeaderLayout::Tab
                                                   : HeaderLayout::Spaces;
    s.next_noise = options_.start;
    if (s.spec.monitored) {
      s.log = std::make_unique<SiteLog>(s.spec, s.header, options_.out_dir, options_.segment_size,
                                        options_.gzip);
      monitored_.push_back(i);
    } else {
      unmonitored_.push_back(i);
    }
    site_names_.push_back(s.spec.name());
    sites_.push_back(std::move(s));
  }
  truth_body_path_ = options_.out_dir + "/truth.json.part";
  truth_body_ = std::fopen(truth_body_path_.c_str(), "wb");
  if (!truth_body_) {
    error = fmt::format("cannot create {}: {}", truth_body_path_, std::strerror(errno));
    return false;
  }
  // Old outputs of another run would mix with ours: remove logs of our apps.
  for (const auto& entry : std::filesystem::directory_iterator(options_.out_dir, ec)) {
    const auto name = entry.path().filename().string();
    for (const auto& s : sites_) {
      if (name.starts_with(s.spec.app + ".") &&
          (name.ends_with(".log") || name.ends_with(".log.gz"))) {
        std::filesystem::remove(entry.path(), ec);
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------- identifiers

std::string Simulator::next_uuid(std::uint32_t site) {
  auto& s = sites_[site];
  std::string id = s.uuid_prefix;
  std::uint64_t n = ++s.uuid_counter;
  char tail[6];
  for (int i = 5; i >= 0; --i) {
    tail[i] = kBase32[n % 32];
    n /= 32;
  }
  id.append(tail, 6);
  return id;
}

std::string Simulator::next_conn_id(std::uint32_t site) {
  auto& s = sites_[site];
  s.conn_counter += 1 + rng_.below(3);
  return fmt::format("00{:02x}02{:010x}", s.conn_tag, s.conn_counter & 0xffffffffffULL);
}

Call Simulator::new_call(std::uint32_t site, std::string conn_id, const std::string& role) {
  Call c;
  c.site = site;
  c.conn_id = std::move(conn_id);
  c.uuid = next_uuid(site);
  c.leg = ia_.legs.size();
  TruthLeg leg;
  leg.site = site;
  leg.call_uuid = c.uuid;
  if (tlib(site)) leg.conn_ids = {c.conn_id};
  leg.true_start = std::numeric_limits<Micros>::max();  // set by the leg's events
  leg.true_end = std::numeric_limits<Micros>::min();
  leg.sip_start = std::numeric_limits<Micros>::max();  // set by its CID:CUUID lines
  leg.sip_end = std::numeric_limits<Micros>::min();
  leg.skew = sites_[site].spec.clock_skew_us;
  leg.role = role;
  ia_.legs.push_back(std::move(leg));
  return c;
}

// ---------------------------------------------------------------- run and truth

SimulateResult Simulator::run() {
  SimulateResult result;
  if (!setup(result.error)) return result;
  const std::uint64_t planned =
      options_.target_bytes > 0
          ? std::max<std::uint64_t>(1, options_.target_bytes / kBytesPerInteractionEstimate)
          : options_.interactions;
  const Micros mean_gap = std::max<Micros>(1, options_.duration / static_cast<Micros>(planned));
  Micros t = options_.start;
  std::uint64_t next_report = 0;
  while (true) {
    if (options_.target_bytes > 0 ? written_ + pending_bytes_ >= options_.target_bytes
                                  : interactions_ >= options_.interactions)
      break;
    t += rng_.between(0, 2 * mean_gap);
    emit_noise_until(t);
    flush_until(t);
    if (!io_error_.empty()) break;
    generate_interaction(t);
    if (progress_ && written_ >= next_report) {
      next_report = written_ + (4 << 20);
      Progress p;
      p.bytes = written_;
      p.interactions = interactions_;
      p.fraction = options_.target_bytes > 0 ? static_cast<double>(written_ + pending_bytes_) /
                                                   static_cast<double>(options_.target_bytes)
                                             : static_cast<double>(interactions_) /
                                                   static_cast<double>(options_.interactions);
      progress_(p);
    }
  }
  emit_noise_until(last_when_);
  flush_until(last_when_ + 1);
  for (auto& s : sites_) {
    if (s.log && !s.log->close() && io_error_.empty()) io_error_ = s.log->error();
  }
  if (!io_error_.empty()) {
    result.error = io_error_;
    return result;
  }
  if (!write_truth(result.error)) return result;
  for (const auto& s : sites_) {
    TruthSite ts;
    ts.spec = s.spec;
    if (s.log) {
      ts.files = s.log->files();
      ts.bytes = s.log->bytes();
    }
    ts.events = s.events;
    ts.gaps = s.gaps;
    result.events += s.events;
    result.sites.push_back(std::move(ts));
  }
  result.bytes = written_;
  result.interactions = interactions_;
  if (progress_) progress_(Progress{written_, interactions_, 1.0});
  return result;
}

bool Simulator::write_truth(std::string& error) {
  if (std::fclose(truth_body_) != 0) {
    truth_body_ = nullptr;
    error = fmt::format("cannot write {}", truth_body_path_);
    return false;
  }
  truth_body_ = nullptr;
  nlohmann::ordered_json generator;
  generator["version"] = kGeneratorVersion;
  generator["seed"] = options_.seed;
  generator["args"] = describe(options_);
  generator["scenarios"] =
      options_.only ? std::string(scenario_name(*options_.only)) : options_.scenarios.to_string();
  generator["start"] = base::format_utc(options_.start, 6);
  generator["style"] = style_name(options_.style);
  generator["gzip"] = options_.gzip;
  std::string head = "{\"generator\":" + generator.dump() + ",\n\"sites\":[";
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    const auto& s = sites_[i];
    nlohmann::ordered_json j;
    j["name"] = s.spec.name();
    j["app"] = s.spec.app;
    j["switch"] = s.spec.switch_name;
    j["type"] = s.spec.kind == ServerKind::SipServer ? "SIPServer" : "TServer";
    j["host"] = s.spec.host;
    j["utc_offset"] = s.spec.utc_offset;
    j["clock_skew_us"] = s.spec.clock_skew_us;
    j["time_form"] = time_form_name(s.spec.time_form);
    j["monitored"] = s.spec.monitored;
    j["tlib"] = s.spec.tlib;
    j["call_monitoring"] = s.spec.call_monitoring;
    j["header"] = header_layout_name(s.header);
    j["files"] = s.log ? s.log->files() : std::vector<std::string>{};
    j["bytes"] = s.log ? s.log->bytes() : 0;
    j["events"] = s.events;
    auto& gaps = j["gaps"] = nlohmann::ordered_json::array();
    for (const auto& g : s.gaps)
      gaps.push_back({{"after_seq", g.after_seq}, {"missing", g.missing}});
    head += i == 0 ? "\n" : ",\n";
    head += j.dump();
  }
  head += "\n],\n\"interactions\":[";
  const std::string path = options_.out_dir + "/truth.json";
  std::FILE* out = std::fopen(path.c_str(), "wb");
  std::FILE* body = std::fopen(truth_body_path_.c_str(), "rb");
  bool ok = out && body && std::fwrite(head.data(), 1, head.size(), out) == head.size();
  std::vector<char> buffer(1 << 20);
  while (ok) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), body);
    if (n == 0) break;
    ok = std::fwrite(buffer.data(), 1, n, out) == n;
  }
  ok = ok && std::fputs("\n]}\n", out) >= 0;
  if (body) std::fclose(body);
  if (out) ok = std::fclose(out) == 0 && ok;
  std::remove(truth_body_path_.c_str());
  if (!ok) error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
  return ok;
}

}  // namespace detail

std::string finalize_options(SimulateOptions& o) {
  if (o.out_dir.empty()) return "no output folder given (--out DIR)";
  if (o.sites.empty()) o.sites = default_sites(3);
  if (o.start == 0) o.start = kDefaultStart;
  if (o.only) {
    o.scenarios = ScenarioSet{};
    o.scenarios.add(*o.only);
  }
  if (o.scenarios.empty()) return "no scenario enabled";
  if (o.target_bytes == 0 && o.interactions == 0) return "--interactions must be at least 1";
  if (o.segment_size < 4096) return "--segment-size must be at least 4k";
  if (o.duration <= 0) return "--duration must be positive";
  std::size_t monitored = 0;
  std::size_t with_tlib = 0;  // monitored and printing T-Library messages
  bool unmonitored = false;
  for (std::size_t i = 0; i < o.sites.size(); ++i) {
    monitored += o.sites[i].monitored ? 1 : 0;
    with_tlib += o.sites[i].monitored && o.sites[i].tlib ? 1 : 0;
    unmonitored |= !o.sites[i].monitored;
    for (std::size_t j = 0; j < i; ++j) {
      if (o.sites[j].app == o.sites[i].app)
        return fmt::format("two sites share the application name '{}': their files would mix",
                           o.sites[i].app);
    }
  }
  if (monitored == 0) return "at least one site must be monitored (written)";
  if (o.scenarios.has(Scenario::Unmonitored) && !unmonitored) {
    auto extra = default_unmonitored_site();
    for (const auto& s : o.sites)
      if (s.app == extra.app) return "add an unmonitored site (…,unmonitored) for 'unmonitored'";
    o.sites.push_back(extra);
  }
  if (o.only && *o.only != Scenario::Single && *o.only != Scenario::ConnIdReuse &&
      *o.only != Scenario::Consult && *o.only != Scenario::Conference &&
      *o.only != Scenario::LostEvents && *o.only != Scenario::HaSync &&
      *o.only != Scenario::Noise && monitored < 2)
    return fmt::format("scenario '{}' needs at least two monitored sites", scenario_name(*o.only));
  if (o.only && *o.only == Scenario::ConnIdReuse && monitored < 2)
    return "scenario 'connid-reuse' needs at least two monitored sites";
  if (o.only) {
    // What these scenarios show is in T-Library messages (ConnIDs, transfer
    // attributes, IS-Link reports, sequence numbers, HA sync).
    std::size_t needed = 0;
    switch (*o.only) {
      case Scenario::Consult:
      case Scenario::Conference:
      case Scenario::MultisiteConsult:
      case Scenario::Unmonitored:
      case Scenario::LostEvents:
      case Scenario::HaSync:
        needed = 1;
        break;
      case Scenario::ConnIdReuse:
      case Scenario::ConnIdChange:
      case Scenario::LateIsLink:
      case Scenario::PostMortemIsLink:
      case Scenario::FailedTransfer:
        needed = 2;
        break;
      default:
        break;
    }
    if (with_tlib < needed)
      return fmt::format(
          "scenario '{}' needs {} monitored site{} that print T-Library messages (not tlib=off)",
          scenario_name(*o.only), needed, needed == 1 ? "" : "s");
  }
  return "";
}

SimulateResult simulate(SimulateOptions options, const ProgressFn& progress) {
  SimulateResult result;
  result.error = finalize_options(options);
  if (!result.error.empty()) return result;
  detail::Simulator simulator(options, progress);
  return simulator.run();
}

}  // namespace calltrail::simulate
