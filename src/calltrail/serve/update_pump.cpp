#include "calltrail/serve/update_pump.hpp"

namespace calltrail::serve {

UpdatePump::UpdatePump(LiveCorrelation& live, std::chrono::milliseconds coalesce, std::size_t keep)
    : live_(live), coalesce_(coalesce), keep_(keep), thread_([this] { loop(); }) {}

UpdatePump::~UpdatePump() {
  stop();
}

void UpdatePump::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  published_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UpdatePump::notify() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_one();
}

void UpdatePump::on_updates(std::function<void(const std::vector<Update>&)> callback) {
  std::lock_guard lock(mutex_);
  callback_ = std::move(callback);
}

void UpdatePump::flush() {
  std::lock_guard r(recompute_mutex_);
  publish(live_.recompute(true));
}

void UpdatePump::loop() {
  for (;;) {
    {
      // Woken by new batches; and now and then, for what is left to do
      // without them (clocks to estimate again, interactions to rebuild on
      // clocks that moved: LiveCorrelation::dirty()).
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(250), [&] { return pending_ || stopping_; });
      if (stopping_) return;
      if (!pending_) {
        lock.unlock();
        if (!live_.dirty()) continue;
      }
    }
    // Let the events of concurrent requests gather, then take them all.
    std::this_thread::sleep_for(coalesce_);
    {
      std::lock_guard lock(mutex_);
      pending_ = false;
    }
    flush();
  }
}

void UpdatePump::publish(const std::vector<Update>& updates) {
  if (updates.empty()) return;
  std::function<void(const std::vector<Update>&)> callback;
  {
    std::lock_guard lock(mutex_);
    for (const auto& u : updates) {
      PublishedUpdate p;
      p.seq = u.seq;
      p.kind = to_string(u.kind);
      p.interaction_id = u.interaction.id;
      p.merged = u.merged;
      p.json = update_json(u);
      recent_.push_back(std::move(p));
      last_seq_ = u.seq;
    }
    while (recent_.size() > keep_)
      recent_.pop_front();
    callback = callback_;
  }
  published_.notify_all();
  if (callback) callback(updates);
}

std::vector<PublishedUpdate> UpdatePump::since(std::uint64_t after, std::chrono::milliseconds wait,
                                               std::size_t max) {
  std::unique_lock lock(mutex_);
  published_.wait_for(lock, wait, [&] { return last_seq_ > after || stopping_; });
  std::vector<PublishedUpdate> out;
  for (const auto& p : recent_) {
    if (p.seq <= after) continue;
    out.push_back(p);
    if (out.size() >= max) break;
  }
  return out;
}

std::uint64_t UpdatePump::last_seq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

}  // namespace calltrail::serve
