// The rules that keep `calltrail serve` safe to run on a desk with a browser
// open, each through a real socket (or respond(), which serves the same
// bytes without one): Host and Origin without a token, where a token may
// travel, followed files that take nothing pushed, the limits on sources,
// headers and bytes, update streams that hold no request thread, the access
// log, and secrets kept out of answers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "calltrail/base/secrets.hpp"
#include "calltrail/serve/http_server.hpp"
#include "calltrail/store/database.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

using nlohmann::json;

struct Served {
  explicit Served(ServerOptions o, LiveOptions lo = {}, LiveStore* store = nullptr)
      : live(std::move(lo), store), pump(live, std::chrono::milliseconds(2)) {
    o.port = 0;
    server = std::make_unique<HttpServer>(live, pump, std::move(o));
    port = server->start();
  }
  ~Served() {
    server->stop();
    pump.stop();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);  // a hang guard only
    return c;
  }
  std::string here() const { return "127.0.0.1:" + std::to_string(port); }

  LiveCorrelation live;
  UpdatePump pump;
  std::unique_ptr<HttpServer> server;
  int port = -1;
};

int status_of(const httplib::Result& r) {
  return r ? r->status : -1;
}

TEST(HttpGuard, HostMustNameThisServerWithoutAToken) {
  ServerOptions o;
  o.allow_hosts = {"calltrail.example"};
  Served s(o);
  ASSERT_GT(s.port, 0);
  auto c = s.client();
  const std::string port = std::to_string(s.port);
  const std::vector<std::string> good = {"127.0.0.1:" + port, "localhost:" + port,
                                         "LOCALHOST:" + port, "127.0.0.1",
                                         "calltrail.example", "calltrail.example:443"};
  for (const std::string& host : good) {
    auto r = c.Get("/metrics", {{"Host", host}});
    EXPECT_EQ(status_of(r), 200) << host;
  }
  const std::vector<std::string> bad = {"evil.example", "evil.example:" + port, "localhost:1",
                                        "127.0.0.1:x", "calltrail.example.evil.example"};
  for (const std::string& host : bad) {
    auto r = c.Get("/metrics", {{"Host", host}});
    ASSERT_TRUE(r) << host;
    EXPECT_EQ(r->status, 403) << host;
    const json j = json::parse(r->body);
    EXPECT_NE(j["error"].get<std::string>().find("--allow-host"), std::string::npos) << r->body;
  }
  // A DNS-rebound page cannot push either.
  auto p =
      c.Post("/api/logs?source=a&offset=0", {{"Host", "evil.example:" + port}}, "x", "text/plain");
  EXPECT_EQ(status_of(p), 403);
  EXPECT_FALSE(s.live.position("a").has_value());
}

TEST(HttpGuard, WithATokenHostIsNotChecked) {
  ServerOptions o;
  o.token = "s3cret";
  Served s(o);
  auto c = s.client();
  c.set_bearer_token_auth("s3cret");
  EXPECT_EQ(status_of(c.Get("/metrics", {{"Host", "proxy.example"}})), 200);
  EXPECT_EQ(status_of(c.Post("/api/logs?source=a&offset=0", {{"Origin", "https://other.example"}},
                             "text", "text/plain")),
            200);
}

TEST(HttpGuard, ForeignOriginCannotChangeState) {
  ServerOptions o;
  o.allow_hosts = {"calltrail.example"};
  Served s(o);
  auto c = s.client();
  const std::string body = "text";
  auto post = [&](const httplib::Headers& h, const std::string& source) {
    return c.Post(("/api/logs?source=" + source + "&offset=0").c_str(), h, body, "text/plain");
  };
  const std::vector<std::string> foreign = {
      "http://evil.example", "null", "http://evil.example:" + std::to_string(s.port),
      "http://127.0.0.1", "https://127.0.0.1:" + std::to_string(s.port + 1)};
  for (const std::string& origin : foreign) {
    auto r = post({{"Origin", origin}}, "csrf");
    ASSERT_TRUE(r) << origin;
    EXPECT_EQ(r->status, 403) << origin << ": " << r->body;
    EXPECT_TRUE(json::parse(r->body).contains("error"));
  }
  EXPECT_FALSE(s.live.position("csrf").has_value()) << "a refused batch was taken";
  // The page's own origin, a name given with --allow-host, and clients that
  // send no Origin (curl, collectors) may.
  EXPECT_EQ(status_of(post({{"Origin", "http://" + s.here()}}, "own")), 200);
  EXPECT_EQ(status_of(post({{"Origin", "https://calltrail.example"}}, "named")), 200);
  EXPECT_EQ(status_of(post({}, "curl")), 200);
  EXPECT_EQ(s.live.position("curl"), body.size());
  // Reading is not changing: a foreign Origin on a GET is answered.
  EXPECT_EQ(status_of(c.Get("/metrics", {{"Origin", "http://evil.example"}})), 200);
}

TEST(HttpGuard, QueryTokenOnlyWhereABrowserCannotSendAHeader) {
  ServerOptions o;
  o.token = "s3cret";
  Served s(o);
  auto c = s.client();
  EXPECT_EQ(status_of(c.Get("/?token=s3cret")), 200);
  EXPECT_EQ(status_of(c.Get("/api/updates?token=s3cret&close_after=0")), 200);
  for (const char* path : {"/metrics?token=s3cret", "/api/search?token=s3cret",
                           "/api/interactions/X?token=s3cret", "/app.js?token=s3cret"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_NE(r->body.find("Authorization: Bearer"), std::string::npos);
  }
  EXPECT_EQ(status_of(c.Post("/api/logs?source=a&offset=0&token=s3cret", "x", "text/plain")), 401);
  EXPECT_FALSE(s.live.position("a").has_value());
  // A token of the right length but wrong, a prefix, a longer one.
  for (const char* wrong : {"s3creT", "s3cre", "s3crett", ""}) {
    EXPECT_EQ(status_of(c.Get((std::string("/?token=") + wrong).c_str())), 401) << wrong;
    auto h = s.client();
    h.set_bearer_token_auth(wrong);
    EXPECT_EQ(status_of(h.Get("/metrics")), 401) << wrong;
  }
  c.set_bearer_token_auth("s3cret");
  EXPECT_EQ(status_of(c.Get("/metrics")), 200);
  EXPECT_EQ(status_of(c.Post("/api/logs?source=a&offset=0", "x", "text/plain")), 200);
}

TEST(HttpGuard, TokenCompareIsAnswerEqualOnly) {
  // Its time does not depend on the secret (not measured here: a test that
  // timed it would fail on a loaded machine); what it answers does.
  EXPECT_TRUE(base::equal_constant_time("abc", "abc"));
  EXPECT_FALSE(base::equal_constant_time("abd", "abc"));
  EXPECT_FALSE(base::equal_constant_time("ab", "abc"));
  EXPECT_FALSE(base::equal_constant_time("abcabc", "abc"));
  EXPECT_FALSE(base::equal_constant_time("", "abc"));
  EXPECT_TRUE(base::equal_constant_time("", ""));
  EXPECT_FALSE(base::equal_constant_time("x", ""));
}

TEST(HttpGuard, FollowedFilesTakeNothingPushed) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("calltrail_guard_follow_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "tserver.log").string();
  const std::string text = "12:00:00.000 Trc 04541 Message EventX received\n";
  ServerOptions o;
  o.followed = {dir.string() + "/"};
  Served s(o);
  // The follower took the file's first bytes.
  ASSERT_EQ(s.live.add_text(file, 0, text, file).status, Accepted::Ok);
  auto c = s.client();
  const std::string next = std::to_string(text.size());
  // (%23: '#', a rotated file's next source name)
  for (const std::string& source : {file, dir.string() + "/later.log", file + "%232"}) {
    auto r = c.Post(("/api/logs?source=" + source + "&offset=" + next).c_str(), "injected\n",
                    "text/plain");
    ASSERT_TRUE(r) << source;
    EXPECT_EQ(r->status, 409) << source << ": " << r->body;
    EXPECT_NE(r->body.find("followed"), std::string::npos) << r->body;
    auto e = c.Post(("/api/events?source=" + source + "&first=0").c_str(), "{\"name\":\"EventX\"}",
                    "text/plain");
    EXPECT_EQ(status_of(e), 409) << source;
  }
  // The file's own next bytes are still taken.
  EXPECT_EQ(s.live.position(file), text.size());
  const Accepted more = s.live.add_text(file, text.size(), text, file);
  EXPECT_EQ(more.accepted, text.size());
  EXPECT_EQ(more.duplicates, 0u);
  // The library refuses it too, whoever calls it.
  EXPECT_EQ(s.live.add_text(file, 2 * text.size(), "x").status, Accepted::Invalid);
  std::filesystem::remove_all(dir);
}

TEST(HttpGuard, LimitsOnSourcesAndTheirBytes) {
  LiveOptions lo;
  lo.max_sources = 2;
  lo.max_source_bytes = 100;
  Served s({}, lo);
  auto c = s.client();
  EXPECT_EQ(status_of(c.Post("/api/logs?source=a&offset=0", std::string(60, 'a'), "text/plain")),
            200);
  auto full = c.Post("/api/logs?source=a&offset=60", std::string(60, 'a'), "text/plain");
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 413) << full->body;
  EXPECT_NE(full->body.find("--max-source-mb"), std::string::npos);
  EXPECT_EQ(s.live.position("a"), 60u) << "nothing of a refused batch is taken";
  // A resend of what was taken is still a duplicate, not over the limit.
  auto again = c.Post("/api/logs?source=a&offset=0", std::string(60, 'a'), "text/plain");
  EXPECT_EQ(status_of(again), 200);
  EXPECT_EQ(status_of(c.Post("/api/logs?source=a&offset=60", std::string(40, 'a'), "text/plain")),
            200);
  // Events count their JSON lines.
  const std::string line = "{\"name\":\"EventDialing\",\"call_uuid\":\"U1\"}\n";
  EXPECT_EQ(status_of(c.Post("/api/events?source=b&first=0", line, "text/plain")), 200);
  std::string lines;
  for (int i = 0; i < 3; ++i)
    lines += line;
  EXPECT_EQ(status_of(c.Post("/api/events?source=b&first=1", lines, "text/plain")), 413);
  EXPECT_EQ(s.live.position("b"), 1u);
  auto third = c.Post("/api/logs?source=c&offset=0", "x", "text/plain");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 429) << third->body;
  EXPECT_NE(third->body.find("--max-sources"), std::string::npos);
  EXPECT_FALSE(s.live.position("c").has_value());
}

TEST(HttpGuard, OversizedHeadersAre431) {
  ServerOptions o;
  o.max_header = 2048;
  Served s(o);
  auto c = s.client();
  auto big = c.Get("/metrics", {{"X-Filler", std::string(3000, 'f')}});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 431);
  EXPECT_TRUE(json::parse(big->body).contains("error")) << big->body;
  auto small = s.client().Get("/metrics", {{"X-Filler", std::string(1000, 'f')}});
  EXPECT_EQ(status_of(small), 200);
  // A long request line is the head too; and without a socket the same.
  const std::string answer = s.server->respond("GET /api/search?q=" + std::string(4000, 'q') +
                                               " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431 ", 0), 0u) << answer.substr(0, 200);
}

// A connected socket that sent `request` and read the response head.
int open_stream(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval guard{30, 0};  // a hang guard only
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string head;
  char ch = 0;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &ch, 1, 0) == 1)
    head += ch;
  if (head.rfind("HTTP/1.1 200", 0) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(HttpGuard, OpenUpdateStreamsHoldNoRequestThread) {
  ServerOptions o;
  o.threads = 4;  // far fewer than the streams
  Served s(o);
  const std::string request = "GET /api/updates HTTP/1.1\r\nHost: " + s.here() + "\r\n\r\n";
  std::vector<int> streams;
  for (int i = 0; i < 100; ++i) {
    const int fd = open_stream(s.port, request);
    ASSERT_GE(fd, 0) << "stream " << i << " was not answered";
    streams.push_back(fd);
  }
  // The API still answers, and counts the streams.
  // A stream's head goes out before its socket is handed to the streams'
  // thread, so the last few may be counted a moment after their head came.
  auto c = s.client();
  json metrics;
  for (int i = 0; i < 500; ++i) {  // a hang guard only
    auto m = c.Get("/metrics");
    ASSERT_TRUE(m) << "no answer with 100 streams open";
    ASSERT_EQ(m->status, 200);
    metrics = json::parse(m->body);
    if (metrics["subscribers"] == 100) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(metrics["subscribers"], 100);
  EXPECT_EQ(status_of(c.Get("/api/search")), 200);
  // And the streams carry updates: push a call, read its `created`.
  const std::string log = test::read_log(test::kRealSipLog);
  ASSERT_EQ(s.live.add_text("sip", 0, log).status, Accepted::Ok);
  s.live.end_text("sip");
  s.pump.flush();
  for (int fd : {streams.front(), streams.back()}) {
    std::string got;
    char buf[4096];
    while (got.find("event: created") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_NE(got.find("event: created"), std::string::npos) << got.substr(0, 300);
  }
  for (int fd : streams)
    ::close(fd);
  // Closed streams are noticed and dropped.
  for (int i = 0; i < 600 && s.server->subscribers() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(s.server->subscribers(), 0);
}

TEST(HttpGuard, AccessLogHasOneLinePerRequestAndNoToken) {
  std::vector<std::string> lines;
  std::mutex m;
  ServerOptions o;
  o.token = "s3cret";
  o.max_header = 2048;
  o.access_log = [&](std::string_view line) {
    std::lock_guard lock(m);
    lines.emplace_back(line);
  };
  Served s(o);
  auto c = s.client();
  EXPECT_EQ(status_of(c.Get("/?token=s3cret&q=abc")), 200);
  EXPECT_EQ(status_of(c.Get("/metrics")), 401);
  EXPECT_EQ(status_of(c.Get("/health", {{"X-Filler", std::string(3000, 'f')}})), 431);
  // A request's line is written after its response has gone out: the last
  // one may come a moment after the client read the answer.
  for (int i = 0; i < 500; ++i) {  // a hang guard only
    {
      std::lock_guard lock(m);
      if (lines.size() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  s.server->stop();
  std::lock_guard lock(m);
  ASSERT_EQ(lines.size(), 3u);
  // Each request's thread writes its line: under load they may come out of order.
  auto logged = [&](std::string_view part) {
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return l.find(part) != std::string::npos; });
  };
  EXPECT_EQ(logged("\"GET /?token=***&q=abc HTTP/1.1\" 200 "), 1);
  EXPECT_EQ(logged("\"GET /metrics HTTP/1.1\" 401 "), 1);
  EXPECT_EQ(logged(" 431 "), 1);
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("s3cret"), std::string::npos) << l;
    EXPECT_EQ(l.rfind("127.0.0.1 [", 0), 0u) << l;
  }
}

// A store whose commits fail with a message quoting its URL.
class FailingStore final : public LiveStore {
 public:
  void commit(std::span<const SourceCheckpoint>) override {
    throw store::DbError("cannot connect to postgresql://ops:hunter2@db.example/calltrail", true);
  }
  std::optional<std::uint64_t> position(std::string_view) const override { return std::nullopt; }
  bool durable() const override { return true; }
};

TEST(HttpGuard, StoreErrorsReachClientsWithoutPasswords) {
  FailingStore failing;
  Served s({}, {}, &failing);
  auto c = s.client();
  auto r = c.Post("/api/logs?source=a&offset=0", "12:00:00.000 Trc 04541 Message EventX\n",
                  "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_EQ(r->body.find("hunter2"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("postgresql://ops:***@db.example"), std::string::npos) << r->body;
}

TEST(HttpGuard, EndedInteractionsLeaveMemoryWithoutAStore) {
  auto logs = test::simulate_logs("guard_evict", "--interactions 30 --seed 5");
  LiveOptions lo;
  lo.retention = std::chrono::seconds(60);
  LiveCorrelation live(lo);
  for (const auto& f : logs.files) {
    ASSERT_EQ(live.add_text(f, 0, test::read_all(f)).status, Accepted::Ok);
    live.end_text(f);
  }
  live.recompute();
  const LiveMetrics before = live.metrics();
  ASSERT_GT(before.interactions, 0u);
  // Not yet: nothing is older than the retention.
  EXPECT_EQ(live.evict(std::chrono::steady_clock::now()), 0u);
  const std::size_t evicted = live.evict(std::chrono::steady_clock::now() + std::chrono::hours(1));
  ASSERT_GT(evicted, 0u);
  const LiveMetrics after = live.metrics();
  EXPECT_EQ(after.evicted_interactions, evicted);
  EXPECT_EQ(after.interactions + evicted, before.interactions);
  EXPECT_LT(after.legs_held, before.legs_held);
  EXPECT_LT(after.events_held, before.events_held);
  EXPECT_LT(after.identifiers_held, before.identifiers_held);
  // What stays is what is not over: incomplete or still open.
  SearchQuery all;
  all.limit = SIZE_MAX;
  for (const auto& hit : live.search(all))
    EXPECT_TRUE(!hit.interaction.complete || hit.interaction.open) << hit.interaction.id;

  // /metrics counts them.
  UpdatePump pump(live, std::chrono::milliseconds(2));
  ServerOptions o;
  o.port = 0;
  HttpServer server(live, pump, o);
  const int port = server.start();
  httplib::Client c("127.0.0.1", port);
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(json::parse(m->body)["evicted_interactions"], evicted);
  server.stop();
  pump.stop();
  std::filesystem::remove_all(logs.dir);
}

// Retention counted in the logs' time: logs read far faster than they were
// written (two hours of them here, pushed in two halves) leave memory as the
// logs' clock passes the retention, with no wall-clock time passing at all
// (evict is given the steady clock's epoch, before any rebuild).
TEST(HttpGuard, RetentionCountsTheLogsTime) {
  auto logs =
      test::simulate_logs("guard_evict_log_time", "--interactions 40 --duration 2h --seed 7");
  LiveOptions lo;
  lo.retention = std::chrono::seconds(60);
  LiveCorrelation live(lo);
  const SteadyTime no_time_passed{};
  std::vector<std::string> texts;
  std::vector<std::size_t> halves;
  for (const auto& f : logs.files) {
    texts.push_back(test::read_all(f));
    const std::size_t nl = texts.back().find('\n', texts.back().size() / 2);
    halves.push_back(nl == std::string::npos ? texts.back().size() : nl + 1);
  }
  ASSERT_FALSE(live.log_clock());
  for (std::size_t i = 0; i < texts.size(); ++i)
    ASSERT_EQ(live.add_text(logs.files[i], 0, texts[i].substr(0, halves[i])).status, Accepted::Ok);
  live.recompute();
  const std::optional<Micros> middle = live.log_clock();
  ASSERT_TRUE(middle);
  // Everything changed at the logs' latest time: nothing is old yet.
  EXPECT_EQ(live.evict(no_time_passed), 0u);
  SearchQuery all;
  all.limit = SIZE_MAX;
  std::set<std::string> over_at_middle;
  for (const auto& hit : live.search(all))
    if (hit.interaction.complete && !hit.interaction.open)
      over_at_middle.insert(hit.interaction.id);
  ASSERT_FALSE(over_at_middle.empty());

  for (std::size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ(live.add_text(logs.files[i], halves[i], texts[i].substr(halves[i])).status,
              Accepted::Ok);
    live.end_text(logs.files[i]);
  }
  live.recompute();
  ASSERT_TRUE(live.log_clock());
  ASSERT_GE(*live.log_clock() - *middle, Micros{60'000'000});
  std::set<std::string> held;
  for (const auto& hit : live.search(all))
    held.insert(hit.interaction.id);
  const std::size_t evicted = live.evict(no_time_passed);
  ASSERT_GT(evicted, 0u);
  // Only what was over at the middle and not changed since has gone: what the
  // second half changed or completed stays.
  std::set<std::string> gone = held;
  for (const auto& hit : live.search(all))
    gone.erase(hit.interaction.id);
  EXPECT_EQ(gone.size(), evicted);
  EXPECT_LT(gone.size(), held.size());
  for (const auto& id : gone)
    EXPECT_EQ(over_at_middle.count(id), 1u) << id << " was not over at the middle";
  std::filesystem::remove_all(logs.dir);
}

TEST(HttpGuard, RedactSecrets) {
  EXPECT_EQ(base::redact_secrets("cannot connect to postgresql://u:p%40ss@h:5432/db?x=1: refused"),
            "cannot connect to postgresql://u:***@h:5432/db?x=1: refused");
  EXPECT_EQ(base::redact_secrets("postgres://user@host/db"), "postgres://user@host/db");
  EXPECT_EQ(base::redact_secrets("host=h password=secret dbname=d"),
            "host=h password=*** dbname=d");
  EXPECT_EQ(base::redact_secrets("host=h password='se cret' dbname=d"),
            "host=h password=*** dbname=d");
  EXPECT_EQ(base::redact_secrets("postgresql://h/db?sslmode=require&password=pw"),
            "postgresql://h/db?sslmode=require&password=***");
  EXPECT_EQ(base::redact_secrets("GET /?token=abc&q=1"), "GET /?token=***&q=1");
  EXPECT_EQ(base::redact_secrets("no secrets here"), "no secrets here");
}

}  // namespace
}  // namespace calltrail::serve
