// `tail -F` for many logs at once, by polling: every file under the given
// paths (folders recursively), including files that appear later, read from
// where it was left. A file is known by its identity (device and inode), so a
// rotation by rename keeps reading the renamed file to its end while the new
// file at the old name starts from 0; a file that shrank was truncated and is
// read again from 0 as a new source (so is one whose first bytes changed: it
// was truncated and written again past the old size between two polls). Bytes go to
// LiveCorrelation::add_text. A log's last message is known to be complete only when the next one
// starts, so when a newer segment of the same log (same folder, same name up to the first '.')
// appears, the older one is ended and its last message released.
//
// Positions live in memory (per file identity): a restarted follower reads
// its files again from their start (serve --db stores followed files with
// store::follow instead, docs/http-api.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

struct FollowOptions {
  std::chrono::milliseconds poll{200};
  std::size_t chunk = 1u << 20;
  std::uint64_t max_bytes_per_poll = 256u << 20;  // per file, to keep the others moving
};

struct FollowStats {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;      // files being followed
  std::uint64_t rotations = 0;  // identities that left their path
  std::uint64_t truncations = 0;
};

class Follower {
 public:
  Follower(LiveCorrelation& live, std::vector<std::string> paths, FollowOptions options = {});
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // One pass: finds files, reads what is new. Returns the bytes read.
  std::uint64_t poll();
  // Polls until `stop`; calls `on_data` after each pass that read bytes.
  void run(const std::atomic<bool>& stop, const std::function<void()>& on_data);
  const FollowStats& stats() const { return stats_; }
  // Problems seen (unreadable files), each once.
  std::vector<std::string> take_messages();

 private:
  struct Tracked {
    int fd = -1;
    std::string path;    // where it was last seen
    std::string source;  // the live source name
    std::uint64_t offset = 0;
    bool seen = false;   // found in this pass
    bool ended = false;  // a newer segment of the same log exists; its last message was released
    std::int64_t mtime_ns = 0;
    std::string head;  // the first bytes read: a rewrite from 0 changes them
  };
  using Identity = std::pair<std::uint64_t, std::uint64_t>;  // device, inode

  std::vector<std::string> list_files();
  std::uint64_t drain(Tracked& t);
  void end_older_segments();
  bool rewritten(const Tracked& t);
  std::string new_source_name(const std::string& path);
  void message(std::string m);

  LiveCorrelation& live_;
  std::vector<std::string> paths_;
  FollowOptions options_;
  std::map<Identity, Tracked> tracked_;
  std::map<std::string, unsigned> generations_;  // path -> sources named after it
  std::vector<std::string> messages_;
  std::map<std::string, bool> reported_;
  std::vector<char> buffer_;
  FollowStats stats_;
};

}  // namespace calltrail::serve
