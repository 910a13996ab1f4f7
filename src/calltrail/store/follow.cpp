#include "calltrail/store/follow.hpp"

#include <memory>
#include <thread>

#include "calltrail/store/codec.hpp"
#include "calltrail/store/database.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::store {

namespace {

// Sleeps for `d`, waking early when `stop` is set.
void pause(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

void follow(const std::string& url, std::span<const std::string> paths,
            const FollowOptions& options, const std::atomic<bool>& stop,
            const std::function<void(const FollowRound&)>& on_round) {
  std::unique_ptr<Store> store;
  for (std::uint64_t round = 1; !stop && (options.max_rounds == 0 || round <= options.max_rounds);
       ++round) {
    FollowRound r;
    r.round = round;
    try {
      if (!store) store = std::make_unique<Store>(open_database(url));
      r.result = ingest(*store, paths, options.ingest);
    } catch (const DbError& e) {
      r.error = e.what();
      store.reset();
    } catch (const CodecError& e) {
      r.error = std::string("damaged record: ") + e.what();
      store.reset();
    }
    on_round(r);
    if (options.max_rounds != 0 && round == options.max_rounds) break;
    pause(r.error ? options.retry : options.interval, stop);
  }
}

}  // namespace calltrail::store
