// The open update streams (GET /api/updates) of `calltrail serve`, written
// by one thread of their own over non-blocking sockets: a subscriber holds a
// socket and a small state here, never a request thread, so any number of
// open streams leaves the request threads to the API.
//
// The HTTP layer answers the request (status and headers, with chunked
// transfer encoding), then hands the socket over; from then on this class
// writes the SSE events as chunks, a keep-alive comment every second when
// nothing else went out, and closes the socket when the client goes away,
// when `close_after` passes, when the client reads too slowly (more than
// kMaxPending bytes waiting), or at stop().
#pragma once

#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "calltrail/serve/update_pump.hpp"

namespace calltrail::serve {

struct Subscription {
  std::uint64_t after = 0;  // send updates with a larger seq
  std::string follow;       // an interaction id (followed through merges), or all
  std::optional<std::chrono::steady_clock::time_point> until;  // close_after
};

// Whether update `u` goes to a subscriber following `follow` (updated to
// the survivor when the followed interaction is merged).
bool matches_follow(const PublishedUpdate& u, std::string& follow);

class UpdateStreams {
 public:
  static constexpr std::size_t kMaxPending = 8u << 20;

  explicit UpdateStreams(UpdatePump& pump);
  ~UpdateStreams();
  UpdateStreams(const UpdateStreams&) = delete;
  UpdateStreams& operator=(const UpdateStreams&) = delete;

  // Takes `fd` (a connected socket whose response head was sent) and owns
  // it from now on.
  void add(int fd, Subscription subscription);
  // Closes every stream; add() then closes what it is given.
  void stop();
  std::int64_t size() const { return open_.load(); }

 private:
  struct Stream {
    int fd = -1;
    Subscription sub;
    std::string pending;  // chunked bytes not yet written
    std::chrono::steady_clock::time_point last_write;
    bool closing = false;  // the last chunk is queued: close once written
  };

  void loop();
  void wake();
  void queue_event_text(Stream& s, const std::string& text);

  UpdatePump& pump_;
  std::mutex mutex_;
  std::vector<Stream> incoming_;
  bool stopping_ = false;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::atomic<std::int64_t> open_{0};
  // The descriptors loop() polls, its own (reserved before it starts: a
  // thread that allocates as it starts can race a leak check, which then
  // misses the new stack's pointers).
  std::vector<::pollfd> polled_;
  std::thread thread_;
};

}  // namespace calltrail::serve
