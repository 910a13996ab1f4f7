#include <jemalloc/jemalloc.h>

#include "calltrail/base/release.hpp"

// jemalloc's options, read when it starts (before main). MALLOC_CONF in the
// environment still overrides them. Linked only with jemalloc
// (CMakeLists.txt, CALLTRAIL_JEMALLOC).
//
// Transparent huge pages are left to the system (jemalloc's default). With
// "thp:always" every region jemalloc maps is marked for huge pages, and with
// the usual defrag setting ("madvise") a fault in such a region compacts
// memory on the spot: on a machine whose page cache holds the logs just read,
// `interactions` over 1 GB spent 3 to 6 s of its 8 to 11 s in the kernel,
// against about 1 s with normal pages (bench/README.md).
//
// Freed pages go back to the system after a second instead of ten
// (dirty_decay_ms), and at once after that (muzzy_decay_ms): the peak a user
// sees is resident memory. What bounds the peak is the build giving back each
// file's partial at once as it merges it (base::give_back_freed below), not
// the decay: on the benchmark of bench/README.md `interactions` over 1 GB
// peaks at 244.8k KiB with a tenth of a second and 245.4k KiB with a second
// (median of seven runs each, alternated; 287.3k and 288.1k KiB over 16 MB
// segments). A tenth of a second gave back, while files were still read,
// pages the collection soon wrote again: 0.07 s more in the kernel and 0.12 s
// more in all (2.59 s against 2.47 s). Before that purge existed, half a
// second held 367-377 MB against 332-338 MB with a tenth.
//
// One arena for every thread (narenas), not four a core: the partials are
// allocated by the collecting threads and freed by the build on the main
// thread, whose new legs, links and interactions then reuse their pages
// instead of growing a third arena while the others decay. `interactions`
// over 1 GB peaked at 317-318k KiB instead of 336-338k KiB (three runs each,
// alternated), for about 0.07 s more (2.10 s against 2.03 s on a quiet
// machine; bench/README.md, "Memory and the allocator").
extern "C" {
// NOLINTNEXTLINE: the name and type are jemalloc's interface.
extern const char* malloc_conf;
const char* malloc_conf =
    "thp:default,metadata_thp:disabled,narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0";
}

namespace {
// base::give_back_freed(): every arena's unused dirty pages go back at once
// (the build calls it once each file's partial is merged: 309 -> 299 MiB
// while legs are merged, on the benchmark of bench/README.md).
[[maybe_unused]] const bool kGiveBackSet = [] {
  calltrail::base::give_back_hook() = [] {
    static_assert(MALLCTL_ARENAS_ALL == 4096);
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  };
  return true;
}();

// base::apart_hooks(): an arena of their own, with a thread cache of its own
// in each thread (the threads' usual caches would hand out regions of the
// arenas that filled them; no cache at all takes the arena's lock for each
// list, 0.15 s more of `interactions` over 1 GB).
unsigned apart_arena() {
  static const unsigned arena = [] {
    unsigned a = 0;
    std::size_t size = sizeof(a);
    if (mallctl("arenas.create", &a, &size, nullptr, 0) != 0) return 0u;
    return a;
  }();
  return arena;
}
struct ApartCache {
  unsigned id = 0;
  bool made = false;
  ApartCache() {
    std::size_t size = sizeof(id);
    made = mallctl("tcache.create", &id, &size, nullptr, 0) == 0;
  }
  ApartCache(const ApartCache&) = delete;
  ApartCache& operator=(const ApartCache&) = delete;
  ~ApartCache() {
    if (made) mallctl("tcache.destroy", nullptr, nullptr, &id, sizeof(id));
  }
  int flags() const {
    return static_cast<int>(MALLOCX_ARENA(apart_arena())) |
           (made ? static_cast<int>(MALLOCX_TCACHE(id)) : MALLOCX_TCACHE_NONE);
  }
};
int apart_flags() {
  thread_local const ApartCache cache;
  return cache.flags();
}
[[maybe_unused]] const bool kApartSet = [] {
  if (apart_arena() == 0) return false;
  calltrail::base::apart_hooks().allocate = [](std::size_t bytes) -> void* {
    return mallocx(bytes == 0 ? 1 : bytes, apart_flags());
  };
  calltrail::base::apart_hooks().deallocate = [](void* p, std::size_t bytes) {
    if (p != nullptr) sdallocx(p, bytes == 0 ? 1 : bytes, apart_flags());
  };
  return true;
}();
}  // namespace
