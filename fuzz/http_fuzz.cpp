// libFuzzer target for `calltrail serve`'s HTTP handling: the bytes are one
// connection's requests (pipelined, cut anywhere), served by HttpServer::
// respond() as a socket's would be: the head reader (431), cpp-httplib's
// parser and router, the Host / Origin / token checks, every endpoint
// (search, interactions, raw lines, POSTed text, events and recordings,
// update streams). Nothing may crash, hang or grow without bound: pushed
// sources and recordings are limited as --max-sources, --max-source-mb and
// --max-recordings limit them.
//
// The two servers are made again every kServedInputs inputs, with small
// limits (8 sources of 16 KB, 64 recordings) that a few inputs of 4 KB
// reach. Kept for the whole run, they filled with what earlier inputs pushed
// and every later input ran slower: a campaign started on a corpus of 1,000
// inputs ran 30 a second. A finding that needs what an earlier input pushed
// replays with the inputs run before it.
//
// An input that starts with a capital letter (a method) is the bytes of the
// connection, served without a token (the Host and Origin rules). Otherwise
// its first byte picks the server, odd: with the token "t", even: without,
// and the rest is the connection (the corpus replay prefixes 0, 6 and 63).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "calltrail/serve/http_server.hpp"

namespace {

using namespace calltrail::serve;

struct Target {
  explicit Target(std::string token) : live(limits()), pump(live) {
    ServerOptions o;
    o.port = 0;
    o.token = std::move(token);
    o.max_body = 1 << 20;
    o.max_header = 4096;
    o.allow_hosts = {"calltrail.example"};
    o.followed = {"/var/log/genesys"};
    server = std::make_unique<HttpServer>(live, pump, o);
  }
  static LiveOptions limits() {
    LiveOptions lo;
    lo.max_sources = 8;
    lo.max_source_bytes = 16 << 10;
    lo.retain_raw_bytes = 64 << 10;
    lo.max_recordings = 64;
    return lo;
  }
  LiveCorrelation live;
  UpdatePump pump;
  std::unique_ptr<HttpServer> server;
};

constexpr unsigned kServedInputs = 100;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::unique_ptr<Target> open;
  static std::unique_ptr<Target> tokened;
  static unsigned served = 0;
  if (served++ % kServedInputs == 0) {
    open.reset();
    tokened.reset();
    open = std::make_unique<Target>("");
    tokened = std::make_unique<Target>("t");
  }
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Target* t = open.get();
  if (data[0] < 'A' || data[0] > 'Z') {
    if ((data[0] & 1) != 0) t = tokened.get();
    bytes.remove_prefix(1);
  }
  t->server->respond(bytes);
  // Updates are computed from what was pushed, as the pump would.
  t->live.recompute();
  return 0;
}
