// The site facts of the live state: site names and clock offsets decided
// over every IS-Link observation of every source so far, as `trace` decides
// them over all its files, so that an interaction built from its component
// alone gets the times a build over everything gives it. They are estimated
// again as observations arrive; a move is told as an update of its own.
#include <cstdlib>

#include "calltrail/correlate/reach.hpp"
#include "calltrail/serve/live_source.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

namespace {

// A move worth telling (and rebuilding every interaction told for): a site
// gains or loses an offset or changes its reference, or its offset moves by
// more than this. Smaller moves reach an interaction when it is next rebuilt
// or asked for; the estimates wander by a few milliseconds as links arrive.
constexpr Micros kClockMove = 10'000;

bool clocks_moved(const std::vector<correlate::SiteFacts::Clock>& before,
                  const std::vector<correlate::SiteFacts::Clock>& after) {
  if (before.size() != after.size()) return true;
  for (std::size_t i = 0; i < after.size(); ++i) {
    const auto& a = before[i];
    const auto& b = after[i];
    if (a.site != b.site || a.reference != b.reference ||
        a.offset.has_value() != b.offset.has_value())
      return true;
    if (a.offset && std::llabs(*a.offset - *b.offset) > kClockMove) return true;
  }
  return false;
}

}  // namespace

correlate::BuildOptions LiveCorrelation::site_options() const {
  correlate::BuildOptions build = options_.build;
  for (const auto& [path, site] : pinned_sites_)
    build.sites.push_back({path, site});
  // A new segment of a named site's application joins that site at once.
  for (const auto& sp : sources_) {
    if (sp->info.app.empty() || pinned_sites_.contains(sp->info.path)) continue;
    if (auto it = app_sites_.find(sp->info.app); it != app_sites_.end())
      build.sites.push_back({sp->info.path, it->second});
  }
  return build;
}

std::size_t LiveCorrelation::facts_observations() const {
  std::size_t observed = sources_.size();
  for (const auto& s : sources_)
    observed += s->partial.islinks.size() + s->evicted_islinks.size();
  return observed;
}

bool LiveCorrelation::facts_behind() const {
  return facts_ && facts_observations() != facts_observed_;
}

bool LiveCorrelation::facts_lack_sources() const {
  return facts_ && facts_->files.size() < sources_.size();
}

bool LiveCorrelation::refresh_facts(bool force) {
  const std::size_t observed = facts_observations();
  if (facts_ && observed == facts_observed_) return false;
  const SteadyTime now = std::chrono::steady_clock::now();
  if (facts_ && !force && now - facts_at_ < options_.clock_refresh) return false;
  std::vector<correlate::FilePartial> parts;
  std::vector<parse::FileInfo> infos;
  parts.reserve(sources_.size());
  infos.reserve(sources_.size());
  for (std::uint32_t f = 0; f < sources_.size(); ++f) {
    const Source& s = *sources_[f];
    correlate::FilePartial& p = parts.emplace_back(correlate::facts_partial(s.partial));
    p.file = f;
    // Evicted legs' links count as the links of the legs in memory do, on
    // the file's one stub leg (an evicted leg is cleared: its place in the
    // partial says nothing of the site any more).
    std::erase_if(p.islinks, [](const correlate::IsLinkObservation& o) { return o.id.empty(); });
    p.islinks.insert(p.islinks.end(), s.evicted_islinks.begin(), s.evicted_islinks.end());
    p.legs.clear();
    if (!p.islinks.empty()) p.legs.emplace_back().site = f;
    infos.push_back(s.info);
  }
  correlate::BuildOptions build = site_options();
  build.facts_only = true;
  facts_ =
      correlate::facts_of(correlate::build_correlation(std::move(parts), std::move(infos), build));
  facts_observed_ = observed;
  facts_at_ = now;
  ++counters_.clock_estimates;
  return true;
}

void LiveCorrelation::tell_clocks(std::vector<Update>& out) {
  if (!facts_ || !clocks_moved(told_clocks_, facts_->clocks)) return;
  told_clocks_ = facts_->clocks;
  Update u;
  u.seq = ++update_seq_;
  u.kind = UpdateKind::Clocks;
  u.clocks = told_clocks_;
  u.received = std::chrono::steady_clock::now();
  out.push_back(std::move(u));
  // Every interaction told so far has times on the clocks before: rebuilt a
  // slice per recompute (take_stale()), so that a move on a large state
  // does not hold back the updates of what arrives meanwhile.
  for (const auto& [root, ids] : component_ids_)
    clock_stale_.insert(root);
}

void LiveCorrelation::take_stale(bool all) {
  if (facts_lack_sources()) return;  // rebuilt on facts that would be behind again
  const std::size_t kStalePerRecompute = all ? SIZE_MAX : 512;
  const SteadyTime now = std::chrono::steady_clock::now();
  std::size_t taken = 0;
  for (auto it = clock_stale_.begin(); it != clock_stale_.end() && taken < kStalePerRecompute;) {
    const std::uint32_t root = find(*it);
    it = clock_stale_.erase(it);
    if (!component_ids_.contains(root)) continue;  // evicted, or merged into one taken
    if (dirty_.try_emplace(root, now).second) ++taken;
  }
}

}  // namespace calltrail::serve
