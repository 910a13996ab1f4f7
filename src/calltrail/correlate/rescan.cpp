#include "calltrail/correlate/rescan.hpp"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/step_times.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/partial.hpp"
#include "calltrail/correlate/query.hpp"
#include "calltrail/io/byte_source.hpp"

namespace calltrail::correlate {

namespace {

// A byte range of a file to parse again: from a checkpoint to the last event
// at or before `last`.
struct Range {
  parse::ParserCheckpoint from;
  std::uint64_t last = 0;
  std::uint64_t bytes() const { return last - std::min(last, from.offset); }
};

// What to read again of one file: the events it keeps, and the ranges (in
// file order, apart) that hold them.
struct Plan {
  CollectFilter filter;
  std::vector<Range> ranges;
  std::uint64_t bytes() const {
    std::uint64_t n = 0;
    for (const Range& r : ranges)
      n += r.bytes();
    return n;
  }
};

Plan plan_again(const Collected& scanned, const Reached& reached, std::uint32_t f) {
  const FilePartial& p = scanned.partials[f];
  Plan plan;
  // The stretches of the file that hold the events to keep: a scan's
  // stretches of each reached leg (else its whole span), the reached orphans'
  // events.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> wanted;
  const std::size_t legs = p.leg_count();
  for (std::uint32_t i = 0; i < legs; ++i) {
    if (reached.legs[f][i] == 0) continue;
    plan.filter.call_uuids.insert(std::string(p.call_uuid(i)));
    if (p.legs.empty()) {
      p.scan_legs.for_each_conn(i, [&](std::uint64_t c) { plan.filter.conns.insert(c); });
    } else {
      for (const std::uint64_t c : p.legs[i].conn_ids)
        plan.filter.conns.insert(c);
    }
    if (p.stretches.empty()) wanted.emplace_back(p.spans[i].first, p.spans[i].last);
  }
  for (const LegStretch& s : p.stretches)
    if (reached.legs[f][s.leg] != 0) wanted.emplace_back(s.first, s.last());
  std::size_t k = 0;
  for (const auto& [conn, o] : p.orphans) {
    if (reached.orphans[f][k++] == 0) continue;
    if (auto n = conn_number(conn)) plan.filter.conns.insert(*n);
    for (const auto& e : o.events)
      wanted.emplace_back(e.offset, e.offset);
  }
  std::sort(wanted.begin(), wanted.end());
  // Each from the latest checkpoint at or before its first event (they are
  // in order); ranges that would overlap are one.
  static const std::vector<parse::ParserCheckpoint> kNone;
  const auto& cps = f < scanned.checkpoints.size() ? scanned.checkpoints[f] : kNone;
  for (const auto& [first, last] : wanted) {
    if (first > last) continue;  // a leg without events
    Range r{{}, last};
    auto it = std::upper_bound(
        cps.begin(), cps.end(), first,
        [](std::uint64_t offset, const parse::ParserCheckpoint& c) { return offset < c.offset; });
    if (it != cps.begin()) r.from = *std::prev(it);
    if (!plan.ranges.empty() && r.from.offset <= plan.ranges.back().last) {
      plan.ranges.back().last = std::max(plan.ranges.back().last, last);
      continue;
    }
    plan.ranges.push_back(std::move(r));
  }
  // A compressed file is decompressed from its start for every range: one
  // range then, from the first to the last.
  if (plan.ranges.size() > 1 && !io::seekable(scanned.files[f].path)) {
    plan.ranges.front().last = plan.ranges.back().last;
    plan.ranges.resize(1);
  }
  return plan;
}

// The planned legs and orphans of file `f` collected again in full, with the
// scan's summary; nullopt when the file cannot be read again. `at` hears now
// and then how many of the plan's bytes are read.
std::optional<FilePartial> collect_again(const Collected& scanned, std::uint32_t f,
                                         const Plan& plan, const parse::ReadOptions& read,
                                         const std::function<void(std::uint64_t)>& at) {
  FilePartial out = summary_copy(scanned.partials[f]);
  if (plan.ranges.empty()) return out;
  // One collector over the ranges in turn, as over the whole file: the state
  // it carries (the CallUUID of each ConnID and Call-ID) comes from the
  // events it keeps, all of which are in the ranges. (One thing the ranges
  // can change: a SIP message whose mapping comes more than a minute late,
  // which a full read drops as stale when some unmapped message of another
  // dialog comes between; with that message in a range not read, it waits
  // for its mapping instead. Mappings follow their message by milliseconds.)
  FileCollector collector(f);
  collector.keep_only(&plan.filter);
  const parse::FileInfo& info = scanned.files[f];
  std::uint64_t before = 0;  // bytes of the ranges done
  for (const Range& r : plan.ranges) {
    std::uint32_t since_report = 0;
    const std::string error = parse::reparse_range(
        info.path, info, f, r.from, r.last,
        [&](model::Event& e) {
          collector.add(e);
          if (at && ++since_report == 16384) {
            since_report = 0;
            at(before + std::min(r.bytes(), e.where.offset - r.from.offset));
          }
        },
        collector_read(read));
    if (!error.empty()) return std::nullopt;
    before += r.bytes();
  }
  FilePartial again = collector.finish();
  out.strings = std::move(again.strings);
  out.legs = std::move(again.legs);
  out.spans = std::move(again.spans);
  out.islinks = std::move(again.islinks);
  out.transfers = std::move(again.transfers);
  out.orphans = std::move(again.orphans);
  return out;
}

// The legs (and orphans) `reached` collected again in full from each file,
// on every core; nullopt when a file cannot be read again.
std::optional<std::vector<FilePartial>> read_again(const Collected& scanned, const Reached& reached,
                                                   const RescanOptions& rescan) {
  const std::vector<FilePartial>& partials = scanned.partials;
  const auto& progress = rescan.progress;
  std::vector<Plan> plans(partials.size());
  std::uint64_t total = 0;
  for (std::uint32_t f = 0; f < partials.size(); ++f) {
    plans[f] = plan_again(scanned, reached, f);
    total += plans[f].bytes();
  }
  // Files are read again on every core (a busy identifier's legs can
  // span most of every file). Progress: the bytes of the files done plus,
  // per thread, how far into its file it is.
  const unsigned threads = base::thread_count(rescan.threads);
  std::vector<std::optional<FilePartial>> got(partials.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done_files{0};
  std::vector<std::atomic<std::uint64_t>> in_file(threads);
  auto report = [&] {
    if (!progress) return;
    std::uint64_t done = done_files.load();
    for (const auto& x : in_file)
      done += x.load();
    progress(std::min(done, total), total);
  };
  auto work = [&](std::size_t slot) {
    for (std::size_t f = next++; f < partials.size(); f = next++) {
      const Plan& plan = plans[f];
      got[f] = collect_again(scanned, static_cast<std::uint32_t>(f), plan, rescan.read,
                             [&](std::uint64_t bytes) {
                               in_file[slot] = bytes;
                               report();
                             });
      in_file[slot] = 0;
      done_files += plan.bytes();
      report();
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t)
    helpers.emplace_back(work, t);
  work(0);
  for (auto& h : helpers)
    h.join();
  if (progress) progress(total, total);
  std::vector<FilePartial> again;
  again.reserve(partials.size());
  for (auto& p : got) {
    if (!p) return std::nullopt;
    again.push_back(std::move(*p));
  }
  return again;
}

}  // namespace

CollectOptions scan_options(CollectOptions options, const IdProbe& probe) {
  options.mode = CollectMode::Scan;
  // Of a SIP message, what ties it to its dialog and call alone.
  options.read.sip_detail = parse::SipDetail::Dialog;
  // Of a T-Library message, the attributes of links and parties (and the
  // user data when the identifier is key=value).
  options.read.tlib_detail = probe.key.empty() ? parse::TlibDetail::Keys : parse::TlibDetail::Call;
  options.probe = &probe;
  options.checkpoints = true;
  options.index_keys = true;
  options.facts = true;
  return options;
}

RescanResult build_for_id_rescan(Collected& scanned, const BuildOptions& options,
                                 std::string_view id, const RescanOptions& rescan) {
  RescanResult out;
  const std::vector<FilePartial>& partials = scanned.partials;
  for (const auto& f : scanned.files)
    if (f.path == "-") return out;  // standard input cannot be read again
  std::vector<KeyIndex> built;
  const std::vector<KeyIndex>* keys = &scanned.keys;
  if (keys->size() != partials.size()) {
    built.reserve(partials.size());
    for (const auto& p : partials)
      built.push_back(index_keys(p));
    keys = &built;
  }

  // The facts build runs on a second thread while the reached legs are
  // found and read again.
  SiteFacts facts;
  std::vector<FilePartial> facts_input =
      scanned.facts.size() == partials.size() ? std::move(scanned.facts) : facts_partials(partials);
  scanned.facts.clear();
  std::thread facts_thread =
      start_facts_build(std::move(facts_input), scanned.files, options, facts);
  auto found = [&](std::size_t f, std::uint32_t i) {
    return i < partials[f].spans.size() && partials[f].spans[i].probe_hit;
  };
  std::optional<std::vector<FilePartial>> again =
      base::timed(options.times, "read the reached legs again", [&] {
        const auto reached =
            reach_id(partials, *keys, id, reach_limit(partials, rescan.max_share), found);
        return reached ? read_again(scanned, *reached, rescan) : std::nullopt;
      });
  base::timed(options.times, "wait for the sites' facts", [&] { facts_thread.join(); });
  if (!again) return out;
  out.correlation = base::timed(options.times, "build the reached legs", [&] {
    return build_with_facts(std::move(*again), scanned.files, options, facts);
  });
  out.sites = facts.clocks.size();  // one entry per site
  if (find_interactions(*out.correlation, id).empty()) {
    // Say what was searched: the legs of the scan, merged per site as a
    // whole build merges them.
    absl::flat_hash_set<std::pair<std::string_view, std::string_view>> legs;
    for (const auto& p : partials) {
      const std::string_view site =
          p.file < facts.files.size() ? std::string_view(facts.files[p.file].site) : "";
      for (std::uint32_t i = 0; i < p.leg_count(); ++i)
        legs.emplace(site, p.call_uuid(i));
    }
    out.legs = legs.size();
  } else {
    out.legs = out.correlation->legs.size();
  }
  return out;
}

}  // namespace calltrail::correlate
