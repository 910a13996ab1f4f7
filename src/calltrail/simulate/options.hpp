// What `calltrail simulate` is asked to produce: sites, scenarios, volume,
// time and print style. Parsing of the textual forms used on the command line
// lives here too, so that tests and the CLI share one definition.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/base/time.hpp"

namespace calltrail::simulate {

// Every scenario the simulator can mix in. Interaction scenarios shape one
// customer interaction; site scenarios shape a site's log as a whole.
enum class Scenario : std::uint8_t {
  Single,            // one call on one site
  Multisite,         // 1..4 hops over IS-Links
  PingPong,          // a multi-site call comes back to a site it visited
  ConnIdChange,      // the ConnID changes across a hop (else it is kept)
  ConnIdReuse,       // an unrelated call on another site reuses a ConnID
  Consult,           // same-site consult transfer
  Conference,        // same-site consult conference
  MultisiteConsult,  // consult call to another site, then transfer
  LateIsLink,        // the target reports the IS-Link long after its other events
  PostMortemIsLink,  // the target reports the IS-Link after EventCallDeleted
  Unmonitored,       // a hop to a site that writes no logs
  FailedTransfer,    // the source reports the link, the target never does
  LostEvents,        // gaps in AttributeEventSequenceNumber
  HaSync,            // [BSYNC] records to the backup server
  Noise,             // SIP messages, Trc/Std/Int records between the events
};
inline constexpr std::size_t kScenarioCount = 15;

std::string_view scenario_name(Scenario s);
std::optional<Scenario> scenario_from_name(std::string_view name);
const std::array<Scenario, kScenarioCount>& all_scenarios();

// A set of scenarios (bit per scenario).
class ScenarioSet {
 public:
  static ScenarioSet all();
  bool has(Scenario s) const { return (bits_ >> static_cast<unsigned>(s)) & 1U; }
  void add(Scenario s) { bits_ |= 1U << static_cast<unsigned>(s); }
  void remove(Scenario s) { bits_ &= ~(1U << static_cast<unsigned>(s)); }
  bool empty() const { return bits_ == 0; }
  // "single,multisite,..." in enum order.
  std::string to_string() const;
  bool operator==(const ScenarioSet&) const = default;

 private:
  std::uint32_t bits_ = 0;
};

// Parses "a,b,c" (or "all"). On error returns nullopt and sets `error`.
std::optional<ScenarioSet> parse_scenario_list(std::string_view text, std::string& error);

enum class TimeForm : std::uint8_t {
  Stamp,  // AttributeTimeStamp 508e957c00078fc6
  Secs,   // AttributeTimeinSecs 1351521660 (10:41:00) + AttributeTimeinuSecs 495558
  Mixed,  // either, per event
};

enum class PrintStyle : std::uint8_t {
  Tab,     // attributes on their own lines, TAB separated (as servers write)
  Spaces,  // as Tab, each TAB of a message printed as 4 spaces
  Flat,    // a whole message on one line, curly quotes (as re-published copies)
  Mixed,   // each message in one of the three (tab mostly), as logs gathered from many places
};

enum class ServerKind : std::uint8_t { TServer, SipServer };

// How a segment's header is laid out.
enum class HeaderLayout : std::uint8_t {
  Auto,    // Spaces, or Tab for one site in four (by position)
  Spaces,  // labels padded with spaces, values at column 19, as SIP Server 8.x writes
  Tab,     // "Label:<TAB>value", fewer labels (other copies)
};

struct SiteSpec {
  std::string app;                 // Tserver2
  std::string switch_name;         // Avaya_Switch1
  std::int32_t utc_offset = 0;     // seconds, local - UTC (-5h = -18000)
  std::int64_t clock_skew_us = 0;  // logged time = true time + skew
  ServerKind kind = ServerKind::TServer;
  TimeForm time_form = TimeForm::Stamp;
  bool monitored = true;
  // Prints T-Library messages. A SIP Server without (tlib=off) logs its SIP
  // traffic and the Call-ID to CallUUID mapping only: no event, request,
  // IS-Link or ConnID.
  bool tlib = true;
  // Some client registered for call monitoring (ICON, a recorder), so the
  // server distributes call-based events. Without (calls=off) it prints no
  // EventCallCreated/DataChanged/Deleted, hence no IS-Link: its hops are
  // seen in the ISCC call history of the arriving calls.
  bool call_monitoring = true;
  HeaderLayout header = HeaderLayout::Auto;
  // record=on (SIP Servers that log SIP): every call an agent answers is
  // recorded through a media server (an INVITE with record in its
  // Request-URI, MSML <record> in an INFO; <dialogend> and BYE when the
  // agent releases it), as DN-level full-time recording does.
  bool record = false;
  std::string host;  // Host name: in the header

  std::string name() const { return app + "@" + switch_name; }
};

// Parses `APP@SWITCH[,UTC_OFFSET[,SKEW]][,key=value|flag]...`, e.g.
// "Tserver2@Avaya_Switch1,-5h,+0ms" or "SIPServer1@SIP_Switch1,-4h,-50ms,time=secs".
// Keys: type=sip|tserver, time=stamp|secs|mixed, host=NAME, tlib=on|off (SIP
// Servers only), calls=on|off (call monitoring), header=spaces|tab,
// record=on|off (SIP Servers only: recorded calls); flag:
// unmonitored.
std::optional<SiteSpec> parse_site_spec(std::string_view text, std::string& error);
// "-5h", "+4", "+5:30", "-04:00", "0" -> seconds.
std::optional<std::int32_t> parse_utc_offset(std::string_view text);
// "+50ms", "-1.5s", "300us", "0" -> microseconds.
std::optional<std::int64_t> parse_skew(std::string_view text);
// "1G", "500M", "64k", "1234" -> bytes (binary multiples).
std::optional<std::uint64_t> parse_byte_size(std::string_view text);
// "90s", "30m", "2h", "1h30m", "1d" -> microseconds.
std::optional<base::Micros> parse_duration(std::string_view text);

// `count` monitored sites from a fixed table of realistic names, offsets and
// skews (beyond the table, names are numbered).
std::vector<SiteSpec> default_sites(std::size_t count);
// The site added when a scenario needs an unmonitored one and none was given.
SiteSpec default_unmonitored_site();

struct SimulateOptions {
  std::string out_dir;
  std::vector<SiteSpec> sites;  // empty: default_sites(3)
  std::uint64_t interactions = 100;
  std::uint64_t target_bytes = 0;  // when > 0, generate until this many log bytes
  base::Micros start = 0;          // UTC; 0 means kDefaultStart
  base::Micros duration = 3600 * base::kMicrosPerSecond;
  std::uint64_t seed = 1;
  ScenarioSet scenarios = ScenarioSet::all();
  std::optional<Scenario> only;  // every interaction carries this scenario
  std::uint64_t segment_size = 64ULL << 20;
  PrintStyle style = PrintStyle::Tab;
  bool gzip = false;
};

// 2012-10-29T13:30:00Z: a site at UTC+10 crosses local midnight half an hour in.
inline constexpr base::Micros kDefaultStart = 1351517400LL * base::kMicrosPerSecond;

std::string_view style_name(PrintStyle s);
std::string_view time_form_name(TimeForm f);
std::string_view header_layout_name(HeaderLayout h);

// A canonical, deterministic rendering of the options that shape the output
// (everything but the output folder), stored in truth.json.
std::string describe(const SimulateOptions& options);

}  // namespace calltrail::simulate
