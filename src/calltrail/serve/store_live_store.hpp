// The live state's pushed sources kept in a calltrail store (`serve --db`):
// every accepted batch's part (the events cut from it) and the source's new
// position go in one transaction before the batch is acknowledged, and a
// restarted server resumes each source from what was committed. Followed
// files are not kept here (serve --db ingests them with store::follow).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "calltrail/serve/live_state.hpp"
#include "calltrail/store/store.hpp"

namespace calltrail::serve {

class StoreLiveStore final : public LiveStore {
 public:
  // Opens (and migrates) the store; throws store::DbError.
  explicit StoreLiveStore(const std::string& url);

  void commit(std::span<const SourceCheckpoint> checkpoints) override;
  std::optional<std::uint64_t> position(std::string_view source) const override;
  bool durable() const override { return true; }
  std::vector<RestoredSource> restore() override;
  // On a connection of its own, so that commits go on meanwhile.
  std::optional<correlate::Correlation> load(std::string_view id,
                                             const correlate::BuildOptions& options) override;
  void put_recordings(std::span<const recordings::Recording> recordings) override;
  std::vector<recordings::Recording> restore_recordings() override;

  // Called after each commit with the commits so far (the store then holds
  // them; crash tests end the process there).
  std::function<void(std::uint64_t commits)> after_commit;

 private:
  struct Known {
    std::int64_t file = 0;
    std::uint64_t next = 0;
    store::WrittenKeys written;  // since this process started
  };
  mutable std::mutex mutex_;
  std::unique_ptr<store::Store> store_;
  std::map<std::string, Known, std::less<>> sources_;
  std::uint64_t commits_ = 0;
  std::string url_;
  std::mutex query_mutex_;
  std::unique_ptr<store::Store> query_store_;
};

}  // namespace calltrail::serve
