// The sending half of `calltrail push`: a TextSink that delivers what a
// Follower reads to the `POST /api/logs` of a central `serve`
// (docs/http-api.md), in order and exactly once.
//
// Each file is the source PREFIX + its path. A source seen for the first time
// resumes where the server says it stands (`GET /api/sources?source=S`), so
// a restarted collector sends neither less nor more; once the server was
// away or lost bytes, every source is asked again. A batch the server did
// not answer is sent again at the same offset (the server skips what it
// already took); a Gap (the server restarted without its store) rewinds the
// follower to where the server stands. While the server is away (refused
// connection, time-out, 5xx, 401/403), every call waits and retries, the
// wait doubling up to `max_retry`, until it answers or `stop` is set. A
// source the server refuses (409, 413, 429) is put aside and tried again
// later, without holding the others back.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "calltrail/serve/follower.hpp"

namespace httplib {
class Client;
}

namespace calltrail::serve {

struct PushOptions {
  std::string url;  // http[s]://HOST[:PORT][/PREFIX]
  std::string token;
  std::string source_prefix;
  std::chrono::milliseconds first_retry{500};
  std::chrono::milliseconds max_retry{30'000};
  std::chrono::seconds timeout{60};
};

struct PushStats {
  std::uint64_t sent = 0;        // bytes the server took
  std::uint64_t duplicates = 0;  // bytes it had already
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;  // requests without an answer, or answered 5xx, 401, 403
  std::uint64_t rewinds = 0;   // the server lost bytes and took them again
  std::uint64_t ended = 0;     // sources marked complete
  std::uint64_t refused = 0;   // batches a source was refused (409, 413, 429, 400)
};

class PushClient final : public TextSink {
 public:
  // `report` is told of problems and recoveries (from the caller's thread).
  PushClient(PushOptions options, const std::atomic<bool>& stop,
             std::function<void(const std::string&)> report);
  ~PushClient() override;
  PushClient(const PushClient&) = delete;
  PushClient& operator=(const PushClient&) = delete;

  // What is wrong with `url`, or "" when it can be used.
  static std::string check_url(const std::string& url);

  std::uint64_t resume(const std::string& source) override;
  std::uint64_t add(const std::string& source, std::uint64_t offset, std::string_view text,
                    const std::string& path) override;
  std::uint64_t end(const std::string& source, std::uint64_t offset) override;
  // After the server was away or answered a Gap, asks once where each source
  // stands: a server restarted without its store lost even the files that
  // are complete and no longer sent to.
  std::uint64_t check(const std::string& source, std::uint64_t offset) override;

  const PushStats& stats() const { return stats_; }
  // Sources put aside after a refusal, not yet taken again.
  std::size_t refused_sources() const { return blocked_.size(); }

 private:
  struct Answer {
    int status = 0;
    std::string body;
  };
  // Where the server says `name` stands; nullopt without an answer.
  std::optional<std::uint64_t> position(const std::string& name);
  // Reports that the server holds `name` up to `held` only; returns `held`.
  std::uint64_t rewind(const std::string& name, std::uint64_t held, std::uint64_t offset);
  // A request, repeated while the server is away; nullopt once `stop` is set.
  std::optional<Answer> call(const std::string& target, const std::string* body);
  // A batch (or the end of a source) to /api/logs; the offset to go on from.
  std::uint64_t send(const std::string& source, std::uint64_t offset, std::string_view text,
                     bool end);
  std::string logs_target(const std::string& name, std::uint64_t offset, bool end) const;
  // Whether a refused source may be tried now.
  bool may_try(const std::string& name);
  void refuse(const std::string& name, const Answer& a);
  bool wait(std::chrono::milliseconds d);

  PushOptions options_;
  const std::atomic<bool>& stop_;
  std::function<void(const std::string&)> report_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_path_;  // the URL's path, without a trailing '/'
  struct Blocked {
    std::chrono::steady_clock::time_point until;
    std::chrono::milliseconds wait{0};
  };
  std::map<std::string, Blocked> blocked_;
  bool away_ = false;
  // Bumped when the server may have lost what it held; a source is checked
  // again when its generation is older.
  std::uint64_t generation_ = 0;
  std::map<std::string, std::uint64_t> checked_;
  PushStats stats_;
};

}  // namespace calltrail::serve
