// bench_live: pushes the events of simulated logs to a running `calltrail
// serve` as a site collector would (events-json batches on several
// connections) for a fixed time, and reports the sustained ingest rate and
// the latency from an interaction's first POST to its `created` update.
//
//   bench_live --port P [--token T] [--seconds S] [--batch N] [--connections C] LOG...
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "live_load.hpp"

int main(int argc, char** argv) {
  calltrail::load::Options o;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "bench_live: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port") {
      o.port = std::atoi(next().c_str());
    } else if (a == "--token") {
      o.token = next();
    } else if (a == "--seconds") {
      o.seconds = std::atof(next().c_str());
    } else if (a == "--batch") {
      o.batch = static_cast<std::size_t>(std::atoi(next().c_str()));
    } else if (a == "--connections") {
      o.connections = static_cast<unsigned>(std::atoi(next().c_str()));
    } else {
      files.push_back(a);
    }
  }
  if (o.port <= 0 || files.empty() || o.batch == 0 || o.connections == 0) {
    fmt::print(stderr,
               "usage: bench_live --port P [--token T] [--seconds S] [--batch N] "
               "[--connections C] LOG...\n");
    return 2;
  }
  const auto sources = calltrail::load::prepare(files);
  std::uint64_t available = 0;
  for (const auto& s : sources)
    available += s.lines.size();
  const auto r = calltrail::load::run(sources, o);
  httplib::Client c(o.host, o.port);
  if (!o.token.empty()) c.set_bearer_token_auth(o.token.c_str());
  auto m = c.Get("/metrics");
  const auto metrics = m ? nlohmann::json::parse(m->body, nullptr, false) : nlohmann::json();
  const std::uint64_t server_events = metrics.is_object() ? metrics.value("events", 0ull) : 0;
  fmt::print(
      "events sent {} of {} in {:.2f} s: {:.0f} events/s; batches {} (failed {}); server took {} "
      "(accepted {})\n"
      "created updates {}: latency from POST ms p50 {:.1f} p90 {:.1f} p99 {:.1f} max {:.1f}\n",
      r.sent, available, r.seconds, static_cast<double>(r.sent) / r.seconds, r.batches, r.failures,
      server_events, r.accepted, r.created, calltrail::load::percentile(r.latency_ms, 0.5),
      calltrail::load::percentile(r.latency_ms, 0.9),
      calltrail::load::percentile(r.latency_ms, 0.99),
      r.latency_ms.empty() ? 0.0 : r.latency_ms.back());
  return server_events == r.sent && r.accepted == r.sent ? 0 : 1;
}
