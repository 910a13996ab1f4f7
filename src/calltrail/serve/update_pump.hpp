// Runs LiveCorrelation::recompute() on its own thread whenever new events
// arrived (after a short coalescing window) and keeps the recent updates for
// subscribers (the SSE stream, `calltrail follow`'s output).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

struct PublishedUpdate {
  std::uint64_t seq = 0;
  std::string kind;
  std::string interaction_id;
  std::vector<std::string> merged;
  std::string json;  // update_json()
};

class UpdatePump {
 public:
  // `coalesce`: how long to let events gather before recomputing.
  explicit UpdatePump(LiveCorrelation& live,
                      std::chrono::milliseconds coalesce = std::chrono::milliseconds(5),
                      std::size_t keep = 20'000);
  ~UpdatePump();
  UpdatePump(const UpdatePump&) = delete;
  UpdatePump& operator=(const UpdatePump&) = delete;

  // New events are waiting.
  void notify();
  // Called on the pump's thread with every batch of updates.
  void on_updates(std::function<void(const std::vector<Update>&)> callback);
  // Recomputes now (on the caller's thread) and publishes; for tests and
  // for the end of `follow --once`.
  void flush();

  // Updates with seq > after (at most `max`), waiting up to `wait` for the
  // first one. `stop` ends the wait early when it becomes true.
  std::vector<PublishedUpdate> since(std::uint64_t after, std::chrono::milliseconds wait,
                                     std::size_t max = 1000);
  std::uint64_t last_seq() const;
  void stop();

 private:
  void loop();
  void publish(const std::vector<Update>& updates);

  LiveCorrelation& live_;
  std::chrono::milliseconds coalesce_;
  std::size_t keep_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;       // the pump
  std::condition_variable published_;  // subscribers
  bool pending_ = false;
  bool stopping_ = false;
  std::deque<PublishedUpdate> recent_;
  std::uint64_t last_seq_ = 0;
  std::function<void(const std::vector<Update>&)> callback_;
  std::mutex recompute_mutex_;
  std::thread thread_;
};

}  // namespace calltrail::serve
