// A site collector under load, for bench_live and the load test: the events
// of simulated logs as events-json lines, POSTed in batches on several
// connections for a fixed time, with an SSE subscriber that times each
// interaction's `created` update against the POST of its first event.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_reader.hpp"

namespace calltrail::load {

using Clock = std::chrono::steady_clock;

struct Source {
  std::string name;
  std::vector<std::string> lines;  // events-json, one per event
  // CallUUIDs whose first event is line i (an interaction is created there).
  std::vector<std::vector<std::string>> first_uuids;
};

inline std::vector<Source> prepare(const std::vector<std::string>& files) {
  std::vector<Source> out;
  std::unordered_map<std::string, bool> seen;
  parse::LogReader reader;
  for (const auto& f : files) {
    Source s;
    s.name = f;
    reader.read_file(f, [&](model::Event& e) {
      std::string line;
      model::append_event_json(line, e, f);
      s.lines.push_back(std::move(line));
      s.first_uuids.emplace_back();
      std::string uuid(e.attribute_value("AttributeCallUUID"));
      if (!uuid.empty() && seen.emplace(uuid, true).second) s.first_uuids.back().push_back(uuid);
    });
    out.push_back(std::move(s));
  }
  return out;
}

struct Result {
  std::uint64_t sent = 0;      // events POSTed and acknowledged with 200
  std::uint64_t accepted = 0;  // events the server said it took
  std::uint64_t batches = 0;
  std::uint64_t failures = 0;  // requests without a 200
  double seconds = 0;
  std::vector<double> latency_ms;  // POST of an interaction's first event -> its `created`
  std::uint64_t created = 0;
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token;
  double seconds = 5;
  std::size_t batch = 200;
  unsigned connections = 2;
};

inline httplib::Client client(const Options& o) {
  httplib::Client c(o.host, o.port);
  c.set_read_timeout(60, 0);
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  if (!o.token.empty()) c.set_bearer_token_auth(o.token.c_str());
  return c;
}

// Sends until the time is up or the data is exhausted; then waits (up to
// 10 s) for the `created` updates of what was sent.
inline Result run(const std::vector<Source>& sources, const Options& o) {
  Result r;
  std::mutex mutex;
  std::unordered_map<std::string, Clock::time_point> first_sent;
  std::atomic<bool> listening{false};
  std::atomic<bool> stop_listening{false};
  std::atomic<std::uint64_t> created{0};

  std::thread listener([&] {
    auto c = client(o);
    std::string buffer;
    listening = true;
    c.Get("/api/updates", [&](const char* data, std::size_t n) {
      const auto now = Clock::now();
      buffer.append(data, n);
      for (std::size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
        std::string block = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        if (block.find("event: created") == std::string::npos) continue;
        const auto at = block.find("data: ");
        if (at == std::string::npos) continue;
        auto j = nlohmann::json::parse(block.substr(at + 6), nullptr, false);
        if (!j.is_object()) continue;
        const std::string id = j.value("interaction_id", "");
        ++created;
        std::lock_guard lock(mutex);
        auto it = first_sent.find(id);
        if (it != first_sent.end())
          r.latency_ms.push_back(
              std::chrono::duration<double, std::milli>(now - it->second).count());
      }
      return !stop_listening;
    });
  });
  while (!listening)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::atomic<std::uint64_t> sent{0}, accepted{0}, batches{0}, failures{0};
  std::vector<std::thread> senders;
  for (unsigned k = 0; k < o.connections; ++k) {
    senders.emplace_back([&, k] {
      auto c = client(o);
      std::vector<std::size_t> pos(sources.size(), 0);
      for (bool more = true; more && Clock::now() < deadline;) {
        more = false;
        for (std::size_t i = k; i < sources.size() && Clock::now() < deadline; i += o.connections) {
          const Source& s = sources[i];
          if (pos[i] >= s.lines.size()) continue;
          more = true;
          const std::size_t first = pos[i];
          const std::size_t n = std::min(o.batch, s.lines.size() - first);
          std::string body;
          for (std::size_t e = first; e < first + n; ++e) {
            body += s.lines[e];
            body += '\n';
          }
          {
            std::lock_guard lock(mutex);
            const auto now = Clock::now();
            for (std::size_t e = first; e < first + n; ++e)
              for (const auto& u : s.first_uuids[e])
                first_sent.emplace(u, now);
          }
          auto res =
              c.Post(("/api/events?source=" + s.name + "&first=" + std::to_string(first)).c_str(),
                     body, "application/x-ndjson");
          ++batches;
          if (!res || res->status != 200) {
            ++failures;
            continue;  // resent on the next round from the same position
          }
          const auto j = nlohmann::json::parse(res->body, nullptr, false);
          accepted += j.is_object() ? j.value("accepted", std::uint64_t{0}) : 0;
          sent += n;
          pos[i] = first + n;
        }
      }
    });
  }
  for (auto& t : senders)
    t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.sent = sent;
  r.accepted = accepted;
  r.batches = batches;
  r.failures = failures;
  // Wait (bounded) until the server has taken every event sent and the
  // updates have stopped coming.
  {
    auto c = client(o);
    for (int i = 0; i < 200; ++i) {
      auto m = c.Get("/metrics");
      if (m && m->status == 200 &&
          nlohmann::json::parse(m->body, nullptr, false).value("events", std::uint64_t{0}) >=
              r.sent)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (std::uint64_t last = ~std::uint64_t{0}; created.load() != last;) {
      last = created.load();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }
  stop_listening = true;
  listener.join();
  r.created = created;
  std::sort(r.latency_ms.begin(), r.latency_ms.end());
  return r;
}

inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace calltrail::load
