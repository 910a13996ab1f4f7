#include "calltrail/simulate/simulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>

#include "calltrail/simulate/message_text.hpp"
#include "calltrail/simulate/rng.hpp"
#include "calltrail/simulate/sip_text.hpp"
#include "calltrail/simulate/site_log.hpp"

namespace calltrail::simulate {

namespace {

using base::Micros;

constexpr Micros kMs = 1000;
constexpr Micros kSecond = base::kMicrosPerSecond;
// Average log bytes per interaction with every scenario on; only used to
// spread interactions over --duration when --size is given.
constexpr std::uint64_t kBytesPerInteractionEstimate = 9300;

constexpr std::string_view kBase32 = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

// What a SIP Server puts in the BYE that ends a call.
constexpr std::string_view kNormalClearing = "Q.850;cause=16;text=\"Normal call clearing\"";
constexpr std::string_view kGatewayAgent = "Mediant 4000/v.7.20A.258.459";
constexpr std::string_view kPhoneAgent = "Genesys-Softphone/9.0.014.13 (Windows 10.0.17763)";
// Share of calls whose agent is first tried on a phone that refuses the call.
constexpr double kFailedAttemptRate = 0.08;

// One record waiting to be written: kept in true-time order across sites.
struct Record {
  Micros when = 0;  // true time
  std::uint64_t order = 0;
  std::uint32_t site = 0;
  std::int64_t seq_offset = -1;  // offset of the sequence number; -1 for non-events
  // A "$*:SIP:CTI:...:" trace: the site's next CTI counter goes before the
  // final newline when written, so that the counters increase in the file.
  bool cti_counter = false;
  std::string text;
};

struct Later {
  bool operator()(const Record& a, const Record& b) const {
    return a.when != b.when ? a.when > b.when : a.order > b.order;
  }
};

struct SiteState {
  SiteSpec spec;
  std::unique_ptr<SiteLog> log;  // null when unmonitored
  std::uint32_t number = 0;      // 1-based, used in DNs
  std::string uuid_prefix;       // 26 chars of 0-9A-V
  std::uint64_t uuid_counter = 0;
  std::uint32_t conn_tag = 0;
  std::uint64_t conn_counter = 0;
  std::uint64_t next_seq = 0;
  std::uint64_t reference_id = 0;
  std::string version;
  std::string emitter;
  std::string backup;
  std::string ip;          // the server's SIP address
  std::string gateway_ip;  // the trunk gateway: customers' calls, calls to and from T-Server sites
  HeaderLayout header = HeaderLayout::Spaces;
  // A SIP Server builds its Call-IDs, tags and branches from a GUID of its
  // own and a counter, as the real log shows.
  std::string call_id_guid;
  std::string tag_guid;
  std::string branch_guid;
  std::uint64_t call_id_counter = 0;
  std::uint64_t tag_counter = 0;
  std::uint64_t branch_counter = 0;
  std::uint64_t cti_counter = 0;  // $*:SIP:CTI:...:N
  Micros next_noise = 0;
  std::uint64_t events = 0;
  std::vector<SequenceGap> gaps;
};

enum class Kind : std::uint8_t { Single, Multisite, Consult, Conference, MultisiteConsult };
enum class Ending : std::uint8_t { Normal, Unmonitored, Failed };
enum class Report : std::uint8_t { Normal, Late, PostMortem };

struct Plan {
  Kind kind = Kind::Single;
  Ending ending = Ending::Normal;
  Report report = Report::Normal;
  bool pingpong = false;
  bool connid_change = false;  // may change ConnIDs across hops
  bool connid_change_forced = false;
  bool reuse = false;
};

struct LinkEntry {
  std::string id;
  std::uint32_t remote = 0;
  bool source = false;
};

// One end of a SIP dialog: a SIP Server (genesys) or a gateway or phone.
struct DialogEnd {
  std::string user;  // user part of its URI: a DN, the ANI, a number
  std::string host;  // ip:port
  std::string tag;
  bool tagged = false;  // its tag has been sent (the callee's, with its first answer)
  bool genesys = false;
  std::string agent;  // gateways and phones: User-Agent / Server
  // A SIP Server's call: the CallUUID it maps the dialog to (CID:CUUID) and
  // names in X-Genesys-CallUUID, its site and the call's leg in truth.
  std::string uuid;
  std::uint32_t site = 0;
  std::size_t leg = 0;
  bool logs = false;  // the site writes this dialog's messages
  std::uint32_t cseq = 0;
};

// One request, kept for its responses.
struct Txn {
  bool from_caller = true;
  std::string method;
  std::uint32_t cseq = 0;
  std::string via;
};

struct Dialog {
  std::string call_id;
  DialogEnd caller;  // sent the INVITE
  DialogEnd callee;
  Txn invite;
  bool answered = false;  // 2xx to the INVITE
  bool active() const { return !call_id.empty(); }
};

// "sip:user@host" in a From or To header: bare from a SIP Server, in angle
// brackets from others; with the tag once it is known.
void party(std::string& out, const DialogEnd& e, bool genesys_style, bool with_tag) {
  if (!genesys_style) out += '<';
  out += "sip:";
  out += e.user;
  out += '@';
  out += e.host;
  if (!genesys_style) out += '>';
  if (with_tag) {
    out += ";tag=";
    out += e.tag;
  }
}

std::string_view ip_of(std::string_view host) {
  return host.substr(0, host.find(':'));
}

// A call on one site while it is being generated.
struct Call {
  std::uint32_t site = 0;
  std::string conn_id;
  std::string uuid;
  std::size_t leg = 0;
  std::vector<LinkEntry> links;
  std::string agent;
  std::string point;  // route point or external routing point the call arrived at
  // SIP dialogs on a SIP Server site: with the customer's side (received),
  // with the agent's phone (sent).
  Dialog customer;
  Dialog agent_dialog;
};

struct Customer {
  std::string ani;
  std::string dnis;
  std::string customer_id;
  std::string segment;
  std::string language;
  std::string case_id;
  std::int64_t priority = 0;
};

class Simulator {
 public:
  Simulator(const SimulateOptions& options, const ProgressFn& progress)
      : options_(options),
        progress_(progress),
        rng_(options.seed),
        flush_rng_(~options.seed),
        style_rng_(options.seed ^ 0x5157u) {}
  ~Simulator() {
    if (truth_body_) std::fclose(truth_body_);
  }
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  SimulateResult run();

 private:
  // Setup and output.
  bool setup(std::string& error);
  void flush_until(Micros t);
  void write_record(Record& r);
  void emit_noise_until(Micros t);
  bool write_truth(std::string& error);

  // Identifiers.
  std::string next_uuid(std::uint32_t site);
  std::string next_conn_id(std::uint32_t site);
  Call new_call(std::uint32_t site, std::string conn_id, const std::string& role);

  // Records.
  Micros local_time(std::uint32_t site, Micros t) const {
    const auto& s = sites_[site].spec;
    return t + s.clock_skew_us + Micros{s.utc_offset} * kSecond;
  }
  MessageText begin_event(Call& call, Micros t, std::string_view name);
  // One attribute of a message written whole by event() or request().
  struct Attr {
    enum class Kind : std::uint8_t { Str, Bare, Int, UserData };
    Kind kind;
    std::string_view name;
    std::string_view text;
    std::int64_t number = 0;
  };
  static Attr str(std::string_view name, std::string_view value) {
    return {Attr::Kind::Str, name, value};
  }
  static Attr bare(std::string_view name, std::string_view value) {
    return {Attr::Kind::Bare, name, value};
  }
  static Attr integer(std::string_view name, std::int64_t value) {
    return {Attr::Kind::Int, name, {}, value};
  }
  static Attr customer_data() { return {Attr::Kind::UserData, {}, {}}; }
  // An event (or request) with these attributes after its standard ones,
  // written and finished. Attribute values are read before the message is
  // begun, so they must not draw random numbers.
  void event(Call& call, Micros t, std::string_view name, std::initializer_list<Attr> attrs);
  void request(std::uint32_t site, Micros t, std::string_view name, std::string_view client,
               int handle, std::initializer_list<Attr> attrs);
  void write(MessageText& m, std::initializer_list<Attr> attrs);
  MessageText begin_request(std::uint32_t site, Micros t, std::string_view name,
                            std::string_view client, int handle);
  std::string& begin_plain(std::uint32_t site, Micros t);
  void finish();
  void user_data(MessageText& m);
  void ha_sync(const Call& call, Micros t, std::string_view dn);

  // SIP. Identifiers as a SIP Server, a gateway or a phone makes them.
  std::string server_call_id(std::uint32_t site);
  std::string endpoint_uuid();  // lowercase 8-4-4-4-12 hex
  std::string guid();           // uppercase 8-4-4-4-12 hex
  DialogEnd server_end(const Call& call, std::string user);
  DialogEnd gateway_end(std::uint32_t site, std::string user);
  DialogEnd phone_end(std::uint32_t site, const std::string& dn);
  // A request of dialog `d` sent at `t` by its caller (or callee), logged by
  // each end that writes SIP (the receiver a moment later), each with its
  // CID:CUUID line. ACK and CANCEL take the CSeq of `invite` (CANCEL and the
  // ACK of a refusal its Via too). `uri` replaces the Request-URI (REGISTER,
  // OPTIONS); `extra` are further header lines.
  Txn sip_request(Micros t, Dialog& d, bool from_caller, std::string_view method, bool sdp,
                  std::string_view reason = {}, const Txn* invite = nullptr,
                  std::string_view uri = {}, std::string_view extra = {});
  // The answer to `txn`, sent at `t` by the other end.
  void sip_response(Micros t, Dialog& d, const Txn& txn, std::string_view status, bool sdp,
                    std::string_view reason = {}, std::string_view extra = {});
  void log_sip(const DialogEnd& end, Micros t, bool sent, std::string_view peer,
               std::string_view message, std::string_view call_id);
  // BYE from one end at `t`, 200 OK from the other.
  void bye(Micros t, Dialog& d, bool from_caller);
  // The site's SIP Server end of `d` now belongs to `owner` (merged calls).
  void hand_over(Dialog& d, const Call& owner);
  // "HH:MM:SS.mmm SIPCONN(<dn>): main dialog 0 created, flags 0x21f" (no
  // colon after the time, as the real log has it).
  void dialog_created(std::uint32_t site, Micros t, std::string_view dn);
  // "HH:MM:SS.mmm: $*:SIP:CTI:<what>:<N>".
  void cti(std::uint32_t site, Micros t, std::string_view what);
  // The agent's phone refuses the call (busy, forbidden, or rings unanswered
  // until cancelled). Returns the time the server is done with it.
  Micros failed_attempt(Call& call, Micros t);
  // The call leaves `from`'s site at `arrival` toward `target` over SIP: to
  // the target's SIP Server (`to`: the target's leg) or to the trunk
  // gateway. Returns the Call-ID.
  std::string pass_call(Call& from, Call* to, std::uint32_t target, Micros arrival,
                        std::string_view remote_point);
  void sip_noise(std::uint32_t site, Micros t);

  // Call flows.
  Plan choose_plan();
  void generate_interaction(Micros t);
  Micros arrive(Call& call, Micros t, bool inbound);
  void report_incoming(Call& call, Micros t);
  Micros route_to_agent(Call& call, Micros t);
  // `handed_off`: the call went on to another site; the customer's side of
  // it stays up.
  Micros release(Call& call, Micros t, std::string_view dn, bool handed_off = false);
  Micros hop_out(Call& call, Micros t, std::uint32_t target, const std::string& link_id,
                 bool from_agent, std::string_view remote_point);
  void consult_same_site(Call& main, Micros t, bool conference);
  void consult_multisite(Call& main, Micros t, std::uint32_t target);
  void run_single(Micros t);
  void run_multisite(Micros t);
  std::vector<std::uint32_t> plan_journey(std::size_t hops);
  // One of the monitored sites other than `not_this` that `ok` accepts, at
  // random; nullopt when there is none.
  std::optional<std::uint32_t> pick_site(std::uint32_t not_this,
                                         const std::function<bool(std::uint32_t)>& ok);

  std::string agent_dn(std::uint32_t site) {
    return fmt::format("{}7{:03}", sites_[site].number, rng_.below(200));
  }
  std::string route_point(std::uint32_t site) {
    return fmt::format("{}50{}", sites_[site].number, rng_.below(10));
  }
  std::string external_point(std::uint32_t site) {
    return fmt::format("{}60{}", sites_[site].number, rng_.below(10));
  }
  bool tlib(std::uint32_t site) const { return sites_[site].spec.tlib; }
  bool is_sip(std::uint32_t site) const { return sites_[site].spec.kind == ServerKind::SipServer; }
  // The site writes the SIP of its calls: with `noise`, or when it prints no
  // T-Library message (then SIP is all it says of its calls).
  bool sip_logged(std::uint32_t site) const {
    const auto& s = sites_[site].spec;
    return s.monitored && s.kind == ServerKind::SipServer && (noise_ || !s.tlib);
  }
  // A hop from `a` to `b` that a correct tool can see: reported as an
  // IS-Link by both sites, or by one and completed by the SIP dialog both
  // log, or by neither and seen in the SIP dialog alone. A hop to an
  // unmonitored site is seen only in the source's IS-Link.
  bool hop_visible(std::uint32_t a, std::uint32_t b) const {
    if (!sites_[b].spec.monitored) return tlib(a);
    return (tlib(a) && tlib(b)) || (sip_logged(a) && sip_logged(b));
  }
  Micros ms(std::int64_t lo, std::int64_t hi) { return rng_.between(lo, hi) * kMs; }
  // The print style of the next message; --style mixed draws it from a
  // generator of its own, so that the logs say the same in every style.
  PrintStyle message_style() {
    if (options_.style != PrintStyle::Mixed) return options_.style;
    const auto pick = style_rng_.below(20);
    return pick < 14 ? PrintStyle::Tab : pick < 17 ? PrintStyle::Spaces : PrintStyle::Flat;
  }

  const SimulateOptions& options_;
  const ProgressFn& progress_;
  Rng rng_;
  Rng flush_rng_;  // decisions taken when records are written (sequence gaps)
  Rng style_rng_;  // --style mixed
  std::vector<SiteState> sites_;
  std::vector<std::string> site_names_;
  std::vector<std::uint32_t> monitored_;
  Micros last_when_ = 0;
  std::vector<std::uint32_t> unmonitored_;
  std::priority_queue<Record, std::vector<Record>, Later> pending_;
  std::uint64_t pending_bytes_ = 0;
  std::uint64_t order_ = 0;
  Record current_;
  bool drop_current_ = false;  // a T-Library message on a site that prints none
  bool noise_ = false;
  bool ha_ = false;
  bool lost_ = false;
  double lost_rate_ = 0.002;  // per event; higher when lost events are the point of the run

  // The interaction being generated.
  TruthInteraction ia_;
  Customer customer_;
  Plan plan_;

  // ConnIDs of recent single-site calls, for unrelated calls to reuse.
  struct Donor {
    std::uint32_t site;
    std::string conn_id;
    std::string interaction;
  };
  std::vector<Donor> donors_;

  std::FILE* truth_body_ = nullptr;
  std::string truth_body_path_;
  std::uint64_t interactions_ = 0;
  std::uint64_t written_ = 0;
  std::string io_error_;
};

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

// ---------------------------------------------------------------- records

MessageText Simulator::begin_event(Call& call, Micros t, std::string_view name) {
  auto& site = sites_[call.site];
  current_ = Record{};
  current_.when = t;
  current_.site = call.site;
  drop_current_ = !site.spec.tlib;
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

// ---------------------------------------------------------------- SIP

std::string Simulator::guid() {
  const std::uint64_t a = rng_.next();
  const std::uint64_t b = rng_.next();
  return fmt::format("{:08X}-{:04X}-{:04X}-{:04X}-{:012X}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::string Simulator::endpoint_uuid() {
  const std::uint64_t a = rng_.next();
  const std::uint64_t b = rng_.next();
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xffff,
                     b >> 48, b & 0xffffffffffffULL);
}

std::string Simulator::server_call_id(std::uint32_t site) {
  auto& s = sites_[site];
  return fmt::format("{}-{}@{}", s.call_id_guid, ++s.call_id_counter, s.ip);
}

DialogEnd Simulator::server_end(const Call& call, std::string user) {
  auto& s = sites_[call.site];
  DialogEnd e;
  e.user = std::move(user);
  e.host = s.ip + ":5060";
  e.tag = fmt::format("{}-{}", s.tag_guid, ++s.tag_counter);
  e.genesys = true;
  e.uuid = call.uuid;
  e.site = call.site;
  e.leg = call.leg;
  e.logs = sip_logged(call.site);
  return e;
}

DialogEnd Simulator::gateway_end(std::uint32_t site, std::string user) {
  DialogEnd e;
  e.user = std::move(user);
  e.host = sites_[site].gateway_ip + ":5060";
  e.tag = endpoint_uuid();
  e.agent = kGatewayAgent;
  e.site = site;
  return e;
}

DialogEnd Simulator::phone_end(std::uint32_t site, const std::string& dn) {
  // The agent's softphone, at an address that follows from its DN.
  std::uint32_t n = 0;
  for (char c : dn)
    n = n * 10 + static_cast<std::uint32_t>(c - '0');
  DialogEnd e;
  e.user = dn;
  e.host = fmt::format("10.{}.{}.{}:5090", 120 + site % 100, n / 250 % 250, n % 250 + 1);
  e.tag = guid() + "-1";
  e.agent = kPhoneAgent;
  e.site = site;
  return e;
}

Txn Simulator::sip_request(Micros t, Dialog& d, bool from_caller, std::string_view method, bool sdp,
                           std::string_view reason, const Txn* invite, std::string_view uri,
                           std::string_view extra) {
  DialogEnd& sender = from_caller ? d.caller : d.callee;
  const DialogEnd& receiver = from_caller ? d.callee : d.caller;
  Txn txn;
  txn.from_caller = from_caller;
  txn.method = std::string(method);
  txn.cseq = invite ? invite->cseq : ++sender.cseq;
  // CANCEL, and the ACK of a refusal, belong to the INVITE's transaction.
  const bool same_transaction = method == "CANCEL" || (method == "ACK" && !d.answered);
  if (same_transaction) {
    txn.via = invite->via;
  } else if (sender.genesys) {
    auto& s = sites_[sender.site];
    txn.via = fmt::format("SIP/2.0/UDP {};branch=z9hG4bK{}-{}", sender.host, s.branch_guid,
                          ++s.branch_counter);
  } else {
    txn.via = fmt::format("SIP/2.0/UDP {};rport;branch=z9hG4bKPj{}", sender.host, endpoint_uuid());
  }
  if (method == "INVITE") d.invite = txn;
  std::string from, to, contact, body;
  party(from, sender, sender.genesys, true);
  // A CANCEL repeats the INVITE's To, which had no tag yet.
  party(to, receiver, sender.genesys, receiver.tagged && method != "CANCEL");
  sender.tagged = true;  // its From carries its tag
  if (method == "INVITE") contact = fmt::format("<sip:{}@{}>", sender.user, sender.host);
  if (sdp) {
    if (sender.genesys) {
      append_sdp(body, "Genesys", "GSept-8.1.103.45", static_cast<std::uint64_t>(t / kSecond),
                 ip_of(sender.host), static_cast<int>(8000 + 2 * rng_.below(5000)));
    } else {
      append_sdp(body, "-", "-", rng_.below(1000000000), ip_of(sender.host),
                 static_cast<int>(10000 + 2 * rng_.below(5000)));
    }
  }
  SipHeaders h;
  h.via = txn.via;
  h.from = from;
  h.to = to;
  h.call_id = d.call_id;
  h.cseq = txn.cseq;
  h.cseq_method = method;
  h.contact = contact;
  h.agent = sender.agent;
  // A SIP Server names its call in the requests it sends, but not in those
  // of the INVITE's transaction.
  if (sender.genesys && !same_transaction) h.genesys_uuid = sender.uuid;
  h.reason = reason;
  h.extra = extra;
  h.body = body;
  const std::string start =
      uri.empty() ? fmt::format("{} sip:{}@{} SIP/2.0", method, receiver.user, receiver.host)
                  : fmt::format("{} {} SIP/2.0", method, uri);
  std::string message;
  append_sip_message(message, sender.genesys ? SipStyle::Genesys : SipStyle::Endpoint, start, true,
                     h);
  const Micros latency = rng_.between(200, 1500);
  if (sender.logs) log_sip(sender, t, true, receiver.host, message, d.call_id);
  if (receiver.logs) log_sip(receiver, t + latency, false, sender.host, message, d.call_id);
  return txn;
}

void Simulator::sip_response(Micros t, Dialog& d, const Txn& txn, std::string_view status, bool sdp,
                             std::string_view reason, std::string_view extra) {
  DialogEnd& responder = txn.from_caller ? d.callee : d.caller;
  const DialogEnd& requester = txn.from_caller ? d.caller : d.callee;
  if (!status.starts_with("100")) responder.tagged = true;
  const bool to_invite = txn.method == "INVITE";
  if (to_invite && status.starts_with("2")) d.answered = true;
  // From and To as the request wrote them (the To with the responder's tag).
  std::string from, to, contact, body;
  party(from, requester, requester.genesys, true);
  party(to, responder, requester.genesys, responder.tagged);
  // A SIP Server notes where the request came from in the Via it returns.
  const std::string via =
      responder.genesys ? fmt::format("{};received={}", txn.via, ip_of(requester.host)) : txn.via;
  if (to_invite && (status.starts_with("18") || status.starts_with("2")))
    contact = fmt::format("<sip:{}@{}>", responder.user, responder.host);
  if (sdp) {
    if (responder.genesys) {
      append_sdp(body, "Genesys", "GSept-8.1.103.45", static_cast<std::uint64_t>(t / kSecond),
                 ip_of(responder.host), static_cast<int>(8000 + 2 * rng_.below(5000)));
    } else {
      append_sdp(body, "-", "-", rng_.below(1000000000), ip_of(responder.host),
                 static_cast<int>(10000 + 2 * rng_.below(5000)));
    }
  }
  SipHeaders h;
  h.via = via;
  h.from = from;
  h.to = to;
  h.call_id = d.call_id;
  h.cseq = txn.cseq;
  h.cseq_method = txn.method;
  h.contact = contact;
  h.agent = responder.agent;
  h.reason = reason;
  h.extra = extra;
  h.body = body;
  std::string message;
  append_sip_message(message, responder.genesys ? SipStyle::Genesys : SipStyle::Endpoint,
                     fmt::format("SIP/2.0 {}", status), false, h);
  const Micros latency = rng_.between(200, 1500);
  if (responder.logs) log_sip(responder, t, true, requester.host, message, d.call_id);
  if (requester.logs) log_sip(requester, t + latency, false, responder.host, message, d.call_id);
}

void Simulator::log_sip(const DialogEnd& end, Micros t, bool sent, std::string_view peer,
                        std::string_view message, std::string_view call_id) {
  current_ = Record{};
  current_.when = t;
  current_.site = end.site;
  drop_current_ = false;
  std::string hms;
  append_time_of_day(hms, local_time(end.site, t), 3);
  std::string& out = current_.text;
  append_sip_transport(out, hms, sent, wire_bytes(message), peer);
  out += message;
  out += '\n';
  if (!end.uuid.empty()) {
    // The message belongs to a call: the server says which.
    fmt::format_to(std::back_inserter(out), "{}: CID:CUUID>{}:{}:\n", hms, call_id, end.uuid);
    auto& leg = ia_.legs[end.leg];
    const auto known = std::find_if(leg.sip_dialogs.begin(), leg.sip_dialogs.end(),
                                    [&](const TruthSipDialog& x) { return x.call_id == call_id; });
    if (known == leg.sip_dialogs.end()) {
      leg.sip_dialogs.push_back({std::string(call_id), t});
    } else {
      known->first = std::min(known->first, t);
    }
    leg.sip_start = std::min(leg.sip_start, t);
    leg.sip_end = std::max(leg.sip_end, t);
  }
  finish();
}

void Simulator::bye(Micros t, Dialog& d, bool from_caller) {
  const DialogEnd& sender = from_caller ? d.caller : d.callee;
  // A SIP Server says why; phones and gateways do not bother.
  const Txn txn =
      sip_request(t, d, from_caller, "BYE", false, sender.genesys ? kNormalClearing : "");
  sip_response(t + ms(2, 30), d, txn, "200 OK", false);
}

void Simulator::hand_over(Dialog& d, const Call& owner) {
  for (DialogEnd* e : {&d.caller, &d.callee}) {
    if (!e->genesys || e->site != owner.site) continue;
    e->uuid = owner.uuid;
    e->leg = owner.leg;
  }
}

void Simulator::dialog_created(std::uint32_t site, Micros t, std::string_view dn) {
  std::string& out = begin_plain(site, t);
  fmt::format_to(std::back_inserter(out), " SIPCONN({}): main dialog 0 created, flags 0x21f", dn);
  finish();
}

void Simulator::cti(std::uint32_t site, Micros t, std::string_view what) {
  std::string& out = begin_plain(site, t);
  fmt::format_to(std::back_inserter(out), ": $*:SIP:CTI:{}:", what);
  current_.cti_counter = true;
  finish();
}

Micros Simulator::failed_attempt(Call& call, Micros t) {
  const auto site = call.site;
  const std::string dn = agent_dn(site);
  dialog_created(site, t, dn);
  Dialog d;
  d.call_id = server_call_id(site);
  d.caller = server_end(call, customer_.ani);
  d.callee = phone_end(site, dn);
  const Txn invite = sip_request(t, d, true, "INVITE", true);
  t += ms(5, 40);
  switch (rng_.below(3)) {
    case 0:
      sip_response(t, d, invite, "486 Busy Here", false);
      break;
    case 1:
      sip_response(t, d, invite, "180 Ringing", false);
      t += ms(2, 20);
      sip_response(t, d, invite, "403 Forbidden", false, "Q.850;cause=21");
      break;
    default: {
      // Nobody answers: the server gives up and cancels.
      sip_response(t, d, invite, "180 Ringing", false);
      t += ms(4000, 9000);
      const Txn cancel = sip_request(t, d, true, "CANCEL", false, {}, &invite);
      t += ms(2, 10);
      sip_response(t, d, cancel, "200 OK", false);
      sip_response(t + ms(0, 1), d, invite, "487 Request Terminated", false);
      t += ms(1, 2);
      break;
    }
  }
  t += ms(2, 4);
  sip_request(t, d, true, "ACK", false, {}, &invite);
  return t + ms(1, 5);
}

std::string Simulator::pass_call(Call& from, Call* to, std::uint32_t target, Micros arrival,
                                 std::string_view remote_point) {
  // Between two SIP Servers the dialog runs from one to the other; toward a
  // T-Server's switch or an unmonitored site it goes out through the trunk.
  const bool between_servers = to != nullptr && is_sip(from.site) && is_sip(target);
  Dialog d;
  d.call_id = server_call_id(from.site);
  d.caller = server_end(from, customer_.ani);
  d.callee = between_servers ? server_end(*to, std::string(remote_point))
                             : gateway_end(from.site, std::string(remote_point));
  Micros t = arrival - ms(3, 12);
  const Txn invite = sip_request(t, d, true, "INVITE", true);
  t += ms(2, 4);
  sip_response(t, d, invite, "100 Trying", false);
  t += ms(3, 8);
  sip_response(t, d, invite, "200 OK", true);
  t += ms(2, 4);
  sip_request(t, d, true, "ACK", false, {}, &invite);
  if (between_servers) {
    // The target's side of the dialog; later messages are logged there only.
    d.caller.logs = false;
    to->customer = std::move(d);
    return to->customer.call_id;
  }
  return d.call_id;
}

void Simulator::sip_noise(std::uint32_t site, Micros t) {
  auto& s = sites_[site];
  Dialog d;
  d.callee.genesys = true;
  d.callee.host = s.ip + ":5060";
  d.callee.tag = fmt::format("{}-{}", s.tag_guid, ++s.tag_counter);
  d.callee.site = site;
  d.callee.logs = true;
  d.call_id = endpoint_uuid();
  const auto r = rng_.below(100);
  if (r < 40) {
    // A phone renews its registration.
    const std::string dn = agent_dn(site);
    d.caller = phone_end(site, dn);
    d.callee.user = dn;
    d.caller.cseq = static_cast<std::uint32_t>(rng_.below(60000));
    const Txn reg =
        sip_request(t, d, true, "REGISTER", false, {}, nullptr, fmt::format("sip:{}", s.ip),
                    fmt::format("Contact: <sip:{}@{}>\nExpires: 1800\n", dn, d.caller.host));
    sip_response(
        t + ms(2, 4), d, reg, "200 OK", false, {},
        fmt::format("Expires: 1800\nContact: <sip:{}@{}>;expires=1800\n", dn, d.caller.host));
  } else if (r < 85) {
    // The gateway checks that the server is alive.
    d.caller = gateway_end(site, "ping");
    d.callee.user = "ping";
    const Txn options =
        sip_request(t, d, true, "OPTIONS", false, {}, nullptr, fmt::format("sip:{}:5060", s.ip));
    sip_response(t + ms(2, 4), d, options, "200 OK", false);
  } else {
    // A call to a number nobody serves: no call, no CID:CUUID line.
    d.caller = gateway_end(site, fmt::format("+1555{:07}", rng_.below(10000000)));
    d.callee.user = fmt::format("9{:03}", rng_.below(1000));
    const Txn invite = sip_request(t, d, true, "INVITE", true);
    t += ms(2, 4);
    sip_response(t, d, invite, "100 Trying", false);
    t += ms(1, 3);
    sip_response(t, d, invite, "404 Not Found", false);
    sip_request(t + ms(2, 10), d, true, "ACK", false, {}, &invite);
  }
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

// ---------------------------------------------------------------- plans

Plan Simulator::choose_plan() {
  Plan p;
  const auto& sc = options_.scenarios;
  const bool multi_possible = monitored_.size() >= 2;
  const bool ms_modifier = sc.has(Scenario::PingPong) || sc.has(Scenario::ConnIdChange) ||
                           sc.has(Scenario::LateIsLink) || sc.has(Scenario::PostMortemIsLink) ||
                           sc.has(Scenario::Unmonitored) || sc.has(Scenario::FailedTransfer);
  if (options_.only) {
    switch (*options_.only) {
      case Scenario::Multisite:
        p.kind = Kind::Multisite;
        break;
      case Scenario::Consult:
        p.kind = Kind::Consult;
        break;
      case Scenario::Conference:
        p.kind = Kind::Conference;
        break;
      case Scenario::MultisiteConsult:
        p.kind = Kind::MultisiteConsult;
        break;
      case Scenario::PingPong:
        p.kind = Kind::Multisite, p.pingpong = true;
        break;
      case Scenario::ConnIdChange:
        p.kind = Kind::Multisite, p.connid_change = p.connid_change_forced = true;
        break;
      case Scenario::LateIsLink:
        p.kind = Kind::Multisite, p.report = Report::Late;
        break;
      case Scenario::PostMortemIsLink:
        p.kind = Kind::Multisite, p.report = Report::PostMortem;
        break;
      case Scenario::Unmonitored:
        p.kind = Kind::Multisite, p.ending = Ending::Unmonitored;
        break;
      case Scenario::FailedTransfer:
        p.kind = Kind::Multisite, p.ending = Ending::Failed;
        break;
      case Scenario::ConnIdReuse:
        p.reuse = true;
        break;
      default:
        break;  // single, and the site-wide scenarios over single calls
    }
    return p;
  }
  struct Weighted {
    Kind kind;
    bool enabled;
    int weight;
  };
  const Weighted bases[] = {
      {Kind::Single, sc.has(Scenario::Single) || sc.has(Scenario::ConnIdReuse), 70},
      {Kind::Multisite, multi_possible && (sc.has(Scenario::Multisite) || ms_modifier), 16},
      {Kind::Consult, sc.has(Scenario::Consult), 6},
      {Kind::Conference, sc.has(Scenario::Conference), 3},
      {Kind::MultisiteConsult, multi_possible && sc.has(Scenario::MultisiteConsult), 5},
  };
  int total = 0;
  for (const auto& b : bases)
    total += b.enabled ? b.weight : 0;
  if (total > 0) {
    auto r = static_cast<int>(rng_.below(static_cast<std::uint64_t>(total)));
    for (const auto& b : bases) {
      if (!b.enabled) continue;
      if (r < b.weight) {
        p.kind = b.kind;
        break;
      }
      r -= b.weight;
    }
  }
  if (p.kind == Kind::Single && sc.has(Scenario::ConnIdReuse)) {
    p.reuse = rng_.chance(sc.has(Scenario::Single) ? 0.04 : 1.0);
  }
  if (p.kind == Kind::Multisite || p.kind == Kind::MultisiteConsult) {
    p.connid_change = sc.has(Scenario::ConnIdChange);
  }
  if (p.kind == Kind::Multisite) {
    p.pingpong = sc.has(Scenario::PingPong) && rng_.chance(0.25);
    const double r = rng_.unit();
    if (sc.has(Scenario::Unmonitored) && !unmonitored_.empty() && r < 0.06) {
      p.ending = Ending::Unmonitored;
    } else if (sc.has(Scenario::FailedTransfer) && r >= 0.06 && r < 0.11) {
      p.ending = Ending::Failed;
    }
    if (p.ending == Ending::Normal) {
      const double q = rng_.unit();
      if (sc.has(Scenario::LateIsLink) && q < 0.15) {
        p.report = Report::Late;
      } else if (sc.has(Scenario::PostMortemIsLink) && q >= 0.15 && q < 0.21) {
        p.report = Report::PostMortem;
      }
    }
  }
  return p;
}

std::optional<std::uint32_t> Simulator::pick_site(std::uint32_t not_this,
                                                  const std::function<bool(std::uint32_t)>& ok) {
  std::vector<std::uint32_t> choices;
  for (auto i : monitored_)
    if (i != not_this && ok(i)) choices.push_back(i);
  if (choices.empty()) return std::nullopt;
  return choices[rng_.below(choices.size())];
}

std::vector<std::uint32_t> Simulator::plan_journey(std::size_t hops) {
  // Failed and unmonitored endings and late reports are seen in IS-Links
  // only: such journeys stay on sites that print T-Library messages.
  const bool needs_tlib = plan_.ending != Ending::Normal || plan_.report != Report::Normal;
  const auto none = static_cast<std::uint32_t>(sites_.size());
  auto reachable = [&](std::uint32_t from, std::uint32_t to) {
    return to != from && (!needs_tlib || tlib(to)) && hop_visible(from, to);
  };
  auto has_next = [&](std::uint32_t i) {
    if (plan_.ending == Ending::Unmonitored) return true;
    return std::any_of(monitored_.begin(), monitored_.end(),
                       [&](std::uint32_t j) { return reachable(i, j); });
  };
  const auto first =
      pick_site(none, [&](std::uint32_t i) { return (!needs_tlib || tlib(i)) && has_next(i); });
  if (!first) return {};
  std::vector<std::uint32_t> path{*first};
  if (plan_.pingpong) {
    if (const auto back =
            pick_site(*first, [&](std::uint32_t j) { return reachable(*first, j); })) {
      hops = std::max<std::size_t>(hops, 2);
      path.push_back(*back);
      path.push_back(path[0]);  // back to the site it came from, as in the seed
    }
  }
  while (path.size() < hops + 1) {
    const auto from = path.back();
    const auto next = pick_site(from, [&](std::uint32_t j) {
      return reachable(from, j) &&
             (plan_.pingpong || std::find(path.begin(), path.end(), j) == path.end());
    });
    if (!next) break;
    path.push_back(*next);
  }
  if (plan_.ending == Ending::Unmonitored) {
    path.back() = unmonitored_[rng_.below(unmonitored_.size())];
    if (path.size() < 2) path.push_back(unmonitored_[0]);
  }
  return path;
}

// ---------------------------------------------------------------- call flows

// The call appears on a route point (inbound) or an external routing point
// (arrived over an IS-Link or SIP). Returns the time routing starts.
Micros Simulator::arrive(Call& call, Micros t, bool inbound) {
  const auto site = call.site;
  if (call.point.empty()) call.point = inbound ? route_point(site) : external_point(site);
  if (sip_logged(site)) {
    if (!call.customer.active()) {
      // From the trunk: the customer's carrier, or the switch of the site
      // that sent the call.
      Dialog& d = call.customer;
      d.call_id = endpoint_uuid();
      d.caller = gateway_end(site, customer_.ani);
      d.callee = server_end(call, inbound ? customer_.dnis : call.point);
      const Txn invite = sip_request(t, d, true, "INVITE", true);
      sip_response(t + ms(2, 4), d, invite, "100 Trying", false);
    }
    cti(site, t + ms(2, 4), "CALL_CREATED");
    t += ms(4, 8);
  }
  auto m = begin_event(call, t, "EventRouteRequest");
  m.attr_str("AttributeThisDN", call.point);
  m.attr_str("AttributeOtherDN", customer_.ani);
  m.attr_str("AttributeANI", customer_.ani);
  m.attr_str("AttributeDNIS", customer_.dnis);
  m.attr_int("AttributeCallType", 2);
  if (!inbound) user_data(m);
  m.end();
  finish();
  if (!inbound && plan_.report == Report::Normal) report_incoming(call, t + ms(1, 15));
  if (inbound) {
    t += ms(20, 60);
    request(site, t, "RequestAttachUserData", "00000e85 URS 10.1.2.3:49280", 12,
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
             customer_data()});
    t += ms(1, 4);
    event(call, t, "EventAttachedDataChanged",
          {str("AttributeThisDN", call.point), customer_data()});
  }
  return t + ms(300, 8000);
}

void Simulator::report_incoming(Call& call, Micros t) {
  auto m = begin_event(call, t, "EventCallDataChanged");
  m.attr_str("AttributeThisDN", call.point);
  std::vector<IsLinkEntry> entries;
  for (const auto& l : call.links)
    entries.push_back({l.id, site_names_[l.remote], l.source});
  m.attr_islink_list(entries);
  m.end();
  finish();
}

// URS routes the call from its route point to an agent, who answers.
// Returns the time the call is established.
Micros Simulator::route_to_agent(Call& call, Micros t) {
  const auto site = call.site;
  call.agent = agent_dn(site);
  request(site, t, "RequestRouteCall", "00000e85 URS 10.1.2.3:49280", 12,
          {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
           str("AttributeOtherDN", call.agent)});
  t += ms(1, 5);
  event(call, t, "EventRouteUsed",
        {str("AttributeThisDN", call.point), str("AttributeOtherDN", call.agent)});
  const bool sip = sip_logged(site);
  Txn invite;
  if (sip) {
    Micros s = t + ms(1, 3);
    if (rng_.chance(kFailedAttemptRate)) s = failed_attempt(call, s);
    dialog_created(site, s, call.agent);
    Dialog& d = call.agent_dialog;
    d.call_id = server_call_id(site);
    d.caller = server_end(call, customer_.ani);
    d.callee = phone_end(site, call.agent);
    invite = sip_request(s, d, true, "INVITE", true);
    s += ms(5, 40);
    sip_response(s, d, invite, "180 Ringing", false);
    t = s + ms(2, 4);
  } else {
    t += ms(5, 40);
  }
  event(call, t, "EventRinging",
        {str("AttributeThisDN", call.agent), str("AttributeOtherDN", customer_.ani),
         str("AttributeANI", customer_.ani), str("AttributeDNIS", customer_.dnis),
         integer("AttributeCallType", 2), customer_data()});
  t += ms(2000, 12000);
  if (sip) {
    Dialog& d = call.agent_dialog;
    sip_response(t - ms(6, 12), d, invite, "200 OK", true);
    sip_request(t - ms(2, 4), d, true, "ACK", false, {}, &invite);
    Dialog& c = call.customer;
    if (c.active() && !c.answered) {
      // The customer's side is answered once the agent is.
      const Txn customer_invite = c.invite;
      sip_response(t + ms(1, 2), c, customer_invite, "200 OK", true);
      sip_request(t + ms(6, 30), c, true, "ACK", false, {}, &customer_invite);
    }
  }
  event(call, t, "EventEstablished",
        {str("AttributeThisDN", call.agent), str("AttributeOtherDN", customer_.ani)});
  ha_sync(call, t + ms(1, 10), call.agent);
  return t;
}

// The party at `dn` hangs up and the call is deleted. Returns the deletion time.
Micros Simulator::release(Call& call, Micros t, std::string_view dn, bool handed_off) {
  if (sip_logged(call.site)) {
    // The agent's phone hangs up; then the server ends the customer's side,
    // unless the call went on to another site over it.
    if (call.agent_dialog.active()) {
      bye(t - ms(40, 80), call.agent_dialog, false);
      call.agent_dialog = Dialog{};
    }
    if (!handed_off && call.customer.active()) {
      // The server is the callee of the customer's dialog.
      bye(t - ms(2, 6), call.customer, false);
      call.customer = Dialog{};
    }
    cti(call.site, t + ms(1, 3), "CALL_DELETED");
  }
  event(call, t, "EventReleased",
        {str("AttributeThisDN", dn), str("AttributeOtherDN", customer_.ani)});
  t += ms(1, 20);
  event(call, t, "EventCallDeleted", {});
  ha_sync(call, t + ms(1, 5), dn);
  return t;
}

// The call leaves its site over an IS-Link, routed from its route point or
// transferred by its agent. Returns the time the source reports the link.
Micros Simulator::hop_out(Call& call, Micros t, std::uint32_t target, const std::string& link_id,
                          bool from_agent, std::string_view remote_point) {
  const auto site = call.site;
  const std::string& target_name = site_names_[target];
  if (from_agent) {
    request(site, t, "RequestSingleStepTransfer",
            fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", call.agent.size() * 97, call.agent,
                        call.leg + 10),
            40 + static_cast<int>(call.leg),
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.agent),
             str("AttributeOtherDN", remote_point), str("AttributeLocation", target_name)});
  } else {
    request(site, t, "RequestRouteCall", "00000e85 URS 10.1.2.3:49280", 12,
            {bare("AttributeConnID", call.conn_id), str("AttributeThisDN", call.point),
             str("AttributeOtherDN", remote_point), str("AttributeLocation", target_name)});
  }
  t += ms(2, 30);
  call.links.push_back({link_id, target, true});
  auto m = begin_event(call, t, "EventCallDataChanged");
  m.attr_bare("AttributeFirstTransferConnID", call.conn_id);
  m.attr_bare("AttributeLastTransferConnID", call.conn_id);
  std::vector<IsLinkEntry> entries;
  for (const auto& l : call.links)
    entries.push_back({l.id, site_names_[l.remote], l.source});
  m.attr_islink_list(entries);
  m.end();
  finish();
  if (!from_agent) {
    event(call, t + ms(1, 5), "EventRouteUsed",
          {str("AttributeThisDN", call.point), str("AttributeOtherDN", remote_point),
           str("AttributeLocation", target_name)});
  }
  return t;
}

void Simulator::consult_same_site(Call& main, Micros t, bool conference) {
  const auto site = main.site;
  const std::string agent2 = agent_dn(site);
  Call consult = new_call(site, next_conn_id(site), "consult");
  const auto client = fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", main.agent.size() * 97,
                                  main.agent, main.leg + 10);
  request(site, t, conference ? "RequestInitiateConference" : "RequestInitiateTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), str("AttributeThisDN", main.agent),
           str("AttributeOtherDN", agent2)});
  t += ms(2, 10);
  event(main, t, "EventHeld", {str("AttributeThisDN", main.agent)});
  t += ms(1, 10);
  auto consult_event = [&](std::string_view name, std::string_view dn, std::string_view other) {
    event(consult, t, name,
          {str("AttributeThisDN", dn), str("AttributeOtherDN", other),
           integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  };
  consult_event("EventDialing", main.agent, agent2);
  // The consult call rings the second agent's phone.
  const bool sip = sip_logged(site);
  Txn invite;
  Dialog& second = consult.agent_dialog;
  if (sip) {
    second.call_id = server_call_id(site);
    second.caller = server_end(consult, main.agent);
    second.callee = phone_end(site, agent2);
    invite = sip_request(t + ms(1, 3), second, true, "INVITE", true);
    sip_response(t + ms(5, 30), second, invite, "180 Ringing", false);
  }
  t += ms(35, 60);
  consult_event("EventRinging", agent2, main.agent);
  t += ms(2000, 9000);
  if (sip) {
    sip_response(t - ms(6, 12), second, invite, "200 OK", true);
    sip_request(t - ms(2, 4), second, true, "ACK", false, {}, &invite);
  }
  consult_event("EventEstablished", agent2, main.agent);
  t += ms(1, 10);
  consult_event("EventEstablished", main.agent, agent2);
  t += ms(5000, 60000);
  request(site, t, conference ? "RequestCompleteConference" : "RequestCompleteTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), bare("AttributeTransferConnID", consult.conn_id),
           str("AttributeThisDN", main.agent)});
  t += ms(2, 15);
  // Which call survives the merge depends on the switch: mostly the main call.
  const bool main_survives = conference || rng_.chance(0.7);
  Call& survivor = main_survives ? main : consult;
  Call& merged = main_survives ? consult : main;
  TruthLink link;
  link.kind = LinkKind::Transfer;
  link.from = main.uuid;
  link.to = consult.uuid;
  link.from_site = link.to_site = site;
  link.survivor = survivor.uuid;
  link.conference = conference;
  ia_.links.push_back(link);
  // The survivor takes over the dialogs that stay up: the customer's and the
  // second agent's. The first agent leaves now (transfer) or later.
  Dialog first_agent = std::move(main.agent_dialog);
  main.agent_dialog = Dialog{};
  if (sip) {
    if (main_survives) {
      main.agent_dialog = std::move(second);
      consult.agent_dialog = Dialog{};
    } else {
      consult.customer = std::move(main.customer);
      main.customer = Dialog{};
    }
    hand_over(survivor.customer, survivor);
    hand_over(survivor.agent_dialog, survivor);
    if (!conference && first_agent.active()) bye(t - ms(1, 2), first_agent, false);
  }
  auto released = [&](Call& c, const Call& other) {
    event(c, t, "EventReleased",
          {str("AttributeThisDN", main.agent), bare("AttributeTransferConnID", other.conn_id)});
    t += ms(1, 4);
  };
  if (conference) {
    released(consult, main);
    event(main, t, "EventRetrieved", {str("AttributeThisDN", main.agent)});
    t += ms(1, 4);
    event(main, t, "EventPartyAdded",
          {str("AttributeThisDN", main.agent), str("AttributeOtherDN", customer_.ani),
           str("AttributeThirdPartyDN", agent2)});
  } else {
    released(main, consult);
    released(consult, main);
  }
  t += ms(1, 4);
  event(survivor, t, "EventPartyChanged",
        {str("AttributeThisDN", agent2), bare("AttributePreviousConnID", merged.conn_id),
         str("AttributeOtherDN", customer_.ani), str("AttributeThirdPartyDN", main.agent)});
  t += ms(1, 6);
  event(merged, t, "EventCallDeleted", {str("AttributeRefCallUUID", survivor.uuid)});
  t += ms(10000, 150000);
  if (conference) {
    if (sip && first_agent.active()) {
      hand_over(first_agent, main);
      bye(t - ms(40, 80), first_agent, false);
    }
    event(main, t, "EventReleased", {str("AttributeThisDN", main.agent)});
    t += ms(1000, 30000);
  }
  release(survivor, t, agent2);
}

void Simulator::consult_multisite(Call& main, Micros t, std::uint32_t target) {
  const auto site = main.site;
  const std::string remote_point = external_point(target);
  Call consult = new_call(site, next_conn_id(site), "consult");
  const std::string link_id = next_uuid(site);
  const auto client = fmt::format("0000{:04x} WDE_{} 10.8.0.{}:3000", main.agent.size() * 97,
                                  main.agent, main.leg + 10);
  request(site, t, "RequestInitiateTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), str("AttributeThisDN", main.agent),
           str("AttributeOtherDN", remote_point),
           str("AttributeLocation", sites_[target].spec.name())});
  t += ms(2, 10);
  event(main, t, "EventHeld", {str("AttributeThisDN", main.agent)});
  t += ms(1, 10);
  event(consult, t, "EventDialing",
        {str("AttributeThisDN", main.agent), str("AttributeOtherDN", remote_point),
         integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  // The IS-Link attaches to the consult call.
  t += ms(5, 30);
  consult.point = main.agent;
  consult.links.push_back({link_id, target, true});
  {
    auto m = begin_event(consult, t, "EventCallDataChanged");
    m.attr_str("AttributeThisDN", main.agent);
    std::vector<IsLinkEntry> entries{{link_id, site_names_[target], true}};
    m.attr_islink_list(entries);
    m.end();
    finish();
  }
  const bool kept = !(plan_.connid_change && rng_.chance(0.5));
  const auto arrival = t + ms(20, 400);
  Call remote = new_call(target, kept ? consult.conn_id : next_conn_id(target), "islink-target");
  remote.links.push_back({link_id, site, false});
  remote.point = remote_point;
  if (!kept) ia_.scenarios.push_back(Scenario::ConnIdChange);
  TruthLink link;
  link.kind = LinkKind::IsLink;
  link.id = link_id;
  link.from = consult.uuid;
  link.to = remote.uuid;
  link.from_site = site;
  link.to_site = target;
  link.conn_id_kept = kept;
  const bool between_servers = is_sip(site) && is_sip(target);
  if (sip_logged(site) || (between_servers && sip_logged(target))) {
    const std::string call_id = pass_call(consult, &remote, target, arrival, remote_point);
    if (between_servers) link.sip_call_id = call_id;
  }
  const Micros routed = arrive(remote, arrival, false);
  const Micros established = route_to_agent(remote, routed);
  t = established + ms(20, 400);
  event(consult, t, "EventEstablished",
        {str("AttributeThisDN", main.agent), str("AttributeOtherDN", remote_point),
         integer("AttributeCallType", 4), str("AttributeOrigCallUUID", main.uuid)});
  t += ms(5000, 60000);
  request(site, t, "RequestCompleteTransfer", client, 41,
          {bare("AttributeConnID", main.conn_id), bare("AttributeTransferConnID", consult.conn_id),
           str("AttributeThisDN", main.agent)});
  t += ms(2, 15);
  const bool main_survives = rng_.chance(0.5);
  Call& survivor = main_survives ? main : consult;
  Call& merged = main_survives ? consult : main;
  TruthLink transfer;
  transfer.kind = LinkKind::Transfer;
  transfer.from = main.uuid;
  transfer.to = consult.uuid;
  transfer.from_site = transfer.to_site = site;
  transfer.survivor = survivor.uuid;
  ia_.links.push_back(transfer);
  ia_.links.push_back(link);
  if (sip_logged(site)) {
    // The first agent hangs up to complete; the customer's dialog stays with
    // the survivor, joined to the one toward the other site.
    if (main.agent_dialog.active()) bye(t - ms(1, 2), main.agent_dialog, false);
    main.agent_dialog = Dialog{};
    if (!main_survives) {
      consult.customer = std::move(main.customer);
      main.customer = Dialog{};
    }
    hand_over(survivor.customer, survivor);
  }
  for (Call* c : {&main, &consult}) {
    event(*c, t, "EventReleased",
          {str("AttributeThisDN", main.agent),
           bare("AttributeTransferConnID", (c == &main ? consult : main).conn_id)});
    t += ms(1, 4);
  }
  event(merged, t, "EventCallDeleted", {str("AttributeRefCallUUID", survivor.uuid)});
  // The customer talks to the remote agent; the surviving call stays up as
  // the trunk-to-trunk tandem until then.
  const Micros remote_end = t + ms(10000, 150000);
  release(remote, remote_end, remote.agent);
  const Micros end = remote_end + ms(20, 300);
  if (sip_logged(site) && survivor.customer.active()) bye(end - ms(2, 6), survivor.customer, false);
  event(survivor, end, "EventCallDeleted", {});
}

void Simulator::run_single(Micros t) {
  const auto none = static_cast<std::uint32_t>(sites_.size());
  // Transfers and ConnIDs are seen in T-Library messages: such calls are on
  // sites that print them.
  std::optional<std::uint32_t> chosen;
  switch (plan_.kind) {
    case Kind::Consult:
    case Kind::Conference:
      chosen = pick_site(none, [&](std::uint32_t i) { return tlib(i); });
      break;
    case Kind::MultisiteConsult:
      chosen = pick_site(none, [&](std::uint32_t i) {
        return tlib(i) && std::any_of(monitored_.begin(), monitored_.end(),
                                      [&](std::uint32_t j) { return j != i && hop_visible(i, j); });
      });
      break;
    default:
      break;
  }
  if (!chosen) plan_.kind = Kind::Single;
  std::uint32_t site = chosen ? *chosen : monitored_[rng_.below(monitored_.size())];
  std::string conn_id;
  if (plan_.reuse && !donors_.empty()) {
    // An unrelated call on another site that happens to have the same ConnID.
    const Donor donor = donors_.back();
    if (const auto other = pick_site(donor.site, [&](std::uint32_t i) { return tlib(i); })) {
      donors_.pop_back();
      site = *other;
      conn_id = donor.conn_id;
      ia_.reused_conn_id_from = donor.interaction;
      ia_.scenarios.push_back(Scenario::ConnIdReuse);
    }
  }
  const bool donor = conn_id.empty();
  if (donor) conn_id = next_conn_id(site);
  Call call = new_call(site, conn_id, "inbound");
  ia_.interaction_id = call.uuid;
  if (plan_.kind == Kind::Single) ia_.scenarios.push_back(Scenario::Single);
  if (donor && plan_.kind == Kind::Single && tlib(site)) {
    donors_.push_back({site, conn_id, call.uuid});
    if (donors_.size() > 64) donors_.erase(donors_.begin());
  }
  const Micros routed = arrive(call, t, true);
  const Micros established = route_to_agent(call, routed);
  const Micros talk = established + ms(15000, 200000);
  switch (plan_.kind) {
    case Kind::Consult:
      ia_.scenarios.push_back(Scenario::Consult);
      consult_same_site(call, talk, false);
      break;
    case Kind::Conference:
      ia_.scenarios.push_back(Scenario::Conference);
      consult_same_site(call, talk, true);
      break;
    case Kind::MultisiteConsult:
      ia_.scenarios.push_back(Scenario::MultisiteConsult);
      consult_multisite(call, talk,
                        *pick_site(site, [&](std::uint32_t j) { return hop_visible(site, j); }));
      break;
    default:
      release(call, talk, call.agent);
      break;
  }
}

void Simulator::run_multisite(Micros t) {
  static constexpr std::uint32_t kHopWeights[] = {50, 30, 15, 5};  // 1, 2, 3, 4 hops
  std::uint64_t r = rng_.below(100);
  std::size_t hops = 1;
  for (auto w : kHopWeights) {
    if (r < w) break;
    r -= w;
    ++hops;
  }
  auto path = plan_journey(hops);
  if (path.size() < 2 && (plan_.ending != Ending::Normal || plan_.report != Report::Normal)) {
    // Too few sites print IS-Links for this ending: an ordinary journey.
    plan_.ending = Ending::Normal;
    plan_.report = Report::Normal;
    path = plan_journey(hops);
  }
  if (path.size() < 2) {
    // No hop a tool could see: the call stays on one site.
    plan_.kind = Kind::Single;
    run_single(t);
    return;
  }
  ia_.scenarios.push_back(Scenario::Multisite);
  Call call = new_call(path[0], next_conn_id(path[0]), "inbound");
  ia_.interaction_id = call.uuid;
  bool inbound = true;
  bool changed = false;
  bool revisit = false;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    const auto target = path[i + 1];
    const bool target_monitored = sites_[target].spec.monitored;
    const bool last = i + 2 == path.size();
    const bool failed = last && plan_.ending == Ending::Failed;
    const std::string link_id = next_uuid(call.site);
    const std::string remote_point = external_point(target);
    const Micros routed = arrive(call, t, inbound);
    // Half of the hops are routed straight from the route point, half are
    // transferred by an agent after a conversation.
    const bool from_agent = rng_.chance(0.5);
    Micros hop_start = routed;
    if (from_agent) hop_start = route_to_agent(call, routed) + ms(10000, 120000);
    const Micros sent = hop_out(call, hop_start, target, link_id, from_agent, remote_point);
    TruthLink link;
    link.kind = LinkKind::IsLink;
    link.id = link_id;
    link.from = call.uuid;
    link.from_site = call.site;
    link.to_site = target;
    if (failed) {
      // The target never answers: the call stays where it was.
      link.reason = "partner-missing";
      ia_.links.push_back(link);
      ia_.scenarios.push_back(Scenario::FailedTransfer);
      Micros back = sent + ms(4000, 10000);
      if (sip_logged(call.site)) {
        // An INVITE nobody answers, cancelled when ISCC gives up.
        Dialog d;
        d.call_id = server_call_id(call.site);
        d.caller = server_end(call, customer_.ani);
        d.callee = gateway_end(call.site, remote_point);
        if (is_sip(target)) d.callee.host = sites_[target].ip + ":5060";
        const Txn invite = sip_request(sent + ms(2, 20), d, true, "INVITE", true);
        sip_request(back - ms(1, 3), d, true, "CANCEL", false, {}, &invite);
      }
      std::string& out = begin_plain(call.site, back);
      fmt::format_to(std::back_inserter(out),
                     " Std 04104 ISCC: transaction for ConnID {} to location {} timed out",
                     call.conn_id, sites_[target].spec.name());
      finish();
      if (!from_agent) back = route_to_agent(call, back + ms(100, 2000));
      release(call, back + ms(5000, 60000), call.agent);
      break;
    }
    const bool kept = !(plan_.connid_change &&
                        (rng_.chance(0.4) || (plan_.connid_change_forced && last && !changed)));
    changed |= !kept;
    link.conn_id_kept = kept;
    const Micros arrival = sent + ms(20, 400);
    const Micros leave = arrival + ms(100, 3000);
    std::optional<Call> next;
    if (target_monitored) {
      next = new_call(target, kept ? call.conn_id : next_conn_id(target), "islink-target");
      next->links.push_back({link_id, call.site, false});
      next->point = remote_point;
    }
    const bool between_servers = next && is_sip(call.site) && is_sip(target);
    if (sip_logged(call.site) || (between_servers && sip_logged(target))) {
      const std::string call_id =
          pass_call(call, next ? &*next : nullptr, target, arrival, remote_point);
      if (between_servers) link.sip_call_id = call_id;
      if (between_servers && !tlib(call.site) && !tlib(target)) {
        // Neither site reports the IS-Link: the SIP dialog is the link.
        link.kind = LinkKind::Sip;
        link.id = call_id;
      }
    }
    release(call, leave, from_agent ? std::string_view(call.agent) : std::string_view(call.point),
            true);
    if (!target_monitored) {
      link.reason = "unmonitored";
      ia_.links.push_back(link);
      ia_.scenarios.push_back(Scenario::Unmonitored);
      return;
    }
    if (std::any_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                    [&](std::uint32_t s) { return s == target; }))
      revisit = true;
    link.to = next->uuid;
    ia_.links.push_back(link);
    call = std::move(*next);
    t = arrival;
    inbound = false;
  }
  if (changed) ia_.scenarios.push_back(Scenario::ConnIdChange);
  if (revisit) ia_.scenarios.push_back(Scenario::PingPong);
  if (plan_.ending == Ending::Failed) return;
  // The last leg: talk to an agent, hang up.
  const Micros routed = arrive(call, t, inbound);
  const Micros established = route_to_agent(call, routed);
  const Micros deleted = release(call, established + ms(15000, 200000), call.agent);
  if (plan_.report == Report::Late) {
    ia_.scenarios.push_back(Scenario::LateIsLink);
    report_incoming(call, std::min(t + ms(20000, 90000), deleted - ms(1, 3)));
  } else if (plan_.report == Report::PostMortem) {
    ia_.scenarios.push_back(Scenario::PostMortemIsLink);
    report_incoming(call, deleted + ms(500, 30000));
  }
}

void Simulator::generate_interaction(Micros t) {
  ia_ = TruthInteraction{};
  plan_ = choose_plan();
  customer_.ani = fmt::format("+1555{:07}", rng_.below(10000000));
  customer_.dnis = fmt::format("800555{:04}", rng_.below(10000));
  customer_.customer_id = fmt::format("C-{:06}", rng_.below(1000000));
  static constexpr std::string_view kSegments[] = {"gold", "silver", "bronze"};
  static constexpr std::string_view kLanguages[] = {"en", "fr", "es", "de"};
  customer_.segment = std::string(kSegments[rng_.below(3)]);
  customer_.language = std::string(kLanguages[rng_.below(4)]);
  customer_.case_id = fmt::format("CASE-{:08}", rng_.below(100000000));
  customer_.priority = static_cast<std::int64_t>(rng_.below(10));
  ia_.ani = customer_.ani;
  ia_.dnis = customer_.dnis;
  ia_.customer_id = customer_.customer_id;
  if (plan_.kind == Kind::Multisite) {
    run_multisite(t);
  } else {
    run_single(t);
  }
  std::sort(ia_.scenarios.begin(), ia_.scenarios.end());
  ia_.scenarios.erase(std::unique(ia_.scenarios.begin(), ia_.scenarios.end()), ia_.scenarios.end());
  const std::string line = interaction_json(ia_, site_names_);
  std::fputs(interactions_ == 0 ? "\n" : ",\n", truth_body_);
  std::fputs(line.c_str(), truth_body_);
  ++interactions_;
}

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

}  // namespace

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
  Simulator simulator(options, progress);
  return simulator.run();
}

}  // namespace calltrail::simulate
