// The simulator's state and the steps it takes, shared by the files that
// implement it: simulator.cpp (setup, identifiers, the run, truth),
// record_writer.cpp (records and their output), sip_traffic.cpp (SIP
// dialogs), call_flows.cpp (a call's steps on one site) and
// interactions.cpp (plans and whole interactions). Internal to the module:
// its entry points are in simulator.hpp.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/simulate/message_text.hpp"
#include "calltrail/simulate/rng.hpp"
#include "calltrail/simulate/simulator.hpp"
#include "calltrail/simulate/site_log.hpp"

namespace calltrail::simulate::detail {

using base::Micros;

inline constexpr Micros kMs = 1000;
inline constexpr Micros kSecond = base::kMicrosPerSecond;
// A ConnID used again on its site only this long after its call was deleted
// (longer than the correlation's window for same-site references).
inline constexpr Micros kReuseAfter = 900 * kSecond;

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

// ISCC call history: where a call that arrived from another site came from
// (its switch, the DN that sent it, its ConnID there), last and first.
struct CallOrigin {
  std::string location;
  std::string orig_dn;
  std::string conn_id;
  bool empty() const { return location.empty(); }
};

// A call on one site while it is being generated.
struct Call {
  std::uint32_t site = 0;
  std::string conn_id;
  std::string uuid;
  std::size_t leg = 0;
  std::vector<LinkEntry> links;
  std::string agent;
  std::string point;  // route point or external routing point the call arrived at
  CallOrigin last_origin;
  CallOrigin first_origin;
  // SIP dialogs on a SIP Server site: with the customer's side (received),
  // with the agent's phone (sent).
  Dialog customer;
  Dialog agent_dialog;
  Dialog recorder;  // the media server's dialog while the call is recorded
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
  // OPTIONS); `extra` are further header lines; `msml` an MSML body (with its
  // content type) instead of SDP.
  Txn sip_request(Micros t, Dialog& d, bool from_caller, std::string_view method, bool sdp,
                  std::string_view reason = {}, const Txn* invite = nullptr,
                  std::string_view uri = {}, std::string_view extra = {},
                  std::string_view msml = {});
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
  // The site reports IS-Links: it prints T-Library messages and a client
  // monitors its calls.
  bool reports_islinks(std::uint32_t site) const {
    return tlib(site) && sites_[site].spec.call_monitoring;
  }
  // How the correlation can see a hop from `a` to `b` (both in the logs)
  // that `link` describes: an IS-Link either site reports; else the SIP
  // dialog; else the arriving call's history (an iscc link, whose id is the
  // origin's ConnID).
  void hop_kind(TruthLink& link, std::uint32_t a, std::uint32_t b,
                const std::string& origin_conn_id) const {
    if (reports_islinks(a) || reports_islinks(b)) return;
    if (!link.sip_call_id.empty()) {
      link.kind = LinkKind::Sip;
      link.id = link.sip_call_id;
    } else {
      link.kind = LinkKind::Iscc;
      link.id = origin_conn_id;
    }
  }
  // The call arriving from `from` over a hop sent by `orig_dn`.
  CallOrigin origin_of(const Call& from, std::string_view orig_dn) const {
    return {sites_[from.site].spec.switch_name, std::string(orig_dn), from.conn_id};
  }
  // The call's recording (site record=on): the media server's dialog, MSML
  // <record> in an INFO; its end (<dialogend>, BYE). Each noted in the truth.
  void record_start(Call& call, Micros t);
  void record_stop(Call& call, Micros t);
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
    if (!sites_[b].spec.monitored) return reports_islinks(a);
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
    Micros end = 0;  // when its call was deleted
  };
  std::vector<Donor> donors_;
  std::uint64_t reuses_ = 0;  // every other reuse is on the donor's own site

  std::FILE* truth_body_ = nullptr;
  std::string truth_body_path_;
  std::uint64_t interactions_ = 0;
  std::uint64_t written_ = 0;
  std::string io_error_;
};

}  // namespace calltrail::simulate::detail
