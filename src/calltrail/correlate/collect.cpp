#include "calltrail/correlate/collect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "calltrail/base/parallel.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/io/byte_source.hpp"

namespace calltrail::correlate {

double read_cost(const std::string& path, std::uintmax_t size) {
  if (path == "-" || size == 0) return 0;
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  if (io::is_gzip(head)) {
    return 8.0 * static_cast<double>(size);  // gzip: logs shrink about tenfold
  }
  std::size_t lines = 0;
  std::size_t attributes = 0;
  for (std::size_t at = 0; at < head.size();) {
    ++lines;
    if (head[at] == '\t') ++attributes;
    const std::size_t nl = head.find('\n', at);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  const double share =
      lines == 0 ? 0 : static_cast<double>(attributes) / static_cast<double>(lines);
  return static_cast<double>(size) * (1.0 + share);
}

Collected collect(std::span<const std::string> paths, const CollectOptions& options) {
  Collected out;
  std::vector<std::string> files = parse::expand_paths(paths, out.input_errors);
  if (files.size() > EventRef::kMaxFiles) {
    out.input_errors.push_back(
        {files[EventRef::kMaxFiles],
         fmt::format("more than {} files in one correlation: this one and the {} after it are "
                     "not read",
                     EventRef::kMaxFiles, files.size() - EventRef::kMaxFiles - 1)});
    files.resize(EventRef::kMaxFiles);
  }
  const std::size_t n = files.size();
  out.files.resize(n);
  out.partials.resize(n);
  if (options.index_keys) out.keys.resize(n);
  if (options.checkpoints) out.checkpoints.resize(n);
  if (options.facts) out.facts.resize(n);

  // Costliest files first, so that the threads finish close together.
  std::vector<std::uint32_t> order(n);
  std::vector<std::uintmax_t> sizes(n, 0);
  std::vector<double> costs(n, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    order[i] = i;
    std::error_code ec;
    if (files[i] != "-") sizes[i] = std::filesystem::file_size(files[i], ec);
    if (ec) sizes[i] = 0;
    costs[i] = read_cost(files[i], sizes[i]);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return costs[a] > costs[b]; });

  unsigned threads = base::thread_count(options.threads);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(n, 1)));

  // Progress: the sizes of the files done plus, per thread, how far into
  // its file it is (the offset of its last event, capped at the size).
  std::uint64_t total = 0;
  for (auto size : sizes)
    total += size;
  std::atomic<std::uint64_t> done_files{0};
  std::vector<std::atomic<std::uint64_t>> in_file(threads);
  auto report = [&] {
    std::uint64_t done = done_files.load(std::memory_order_relaxed);
    for (const auto& f : in_file)
      done += f.load(std::memory_order_relaxed);
    options.progress(std::min(done, total), total);
  };

  std::atomic<std::size_t> next{0};
  std::atomic<unsigned> slots{0};
  // Each file's findings, merged in file order once all are read: the same
  // report whatever thread read which file when.
  std::vector<base::Diagnostics> diagnostics(n);
  std::vector<std::vector<parse::InputError>> input_errors(n);
  auto worker = [&] {
    const unsigned slot = slots.fetch_add(1);
    for (;;) {
      const std::size_t k = next.fetch_add(1);
      if (k >= n) break;
      const std::uint32_t file = order[k];
      parse::LogReader reader(collector_read(options.read));
      FileCollector collector(file, options.mode, options.probe);
      collector.stretch_gap(options.stretch_gap);
      std::uint32_t since_report = 0;
      auto* checkpoints = options.checkpoints ? &out.checkpoints[file] : nullptr;
      reader.read_file(
          files[file],
          [&](model::Event& e) {
            collector.add(e);
            if (options.progress && ++since_report == 16384) {
              since_report = 0;
              in_file[slot].store(std::min<std::uint64_t>(e.where.offset, sizes[file]),
                                  std::memory_order_relaxed);
              report();
            }
          },
          checkpoints);
      if (options.progress) {
        done_files.fetch_add(sizes[file], std::memory_order_relaxed);
        in_file[slot].store(0, std::memory_order_relaxed);
        report();
      }
      out.partials[file] = collector.finish();
      if (options.index_keys) out.keys[file] = index_keys(out.partials[file]);
      if (options.facts) {
        // A scan's observations are read no more once its keys are indexed.
        FilePartial& p = out.partials[file];
        const bool take = options.mode == CollectMode::Scan && options.index_keys;
        out.facts[file] = take ? take_facts_partial(p) : facts_partial(p);
      }
      if (!reader.files().empty()) out.files[file] = reader.files().front();
      if (out.files[file].path.empty()) out.files[file].path = files[file];
      diagnostics[file] = reader.diagnostics();
      input_errors[file] = reader.input_errors();
    }
  };
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back(worker);
    for (auto& t : pool)
      t.join();
  }
  for (std::size_t f = 0; f < n; ++f) {
    out.diagnostics.merge(diagnostics[f]);
    out.input_errors.insert(out.input_errors.end(), input_errors[f].begin(), input_errors[f].end());
  }
  if (options.progress) options.progress(total, total);
  return out;
}

Loaded load(std::span<const std::string> paths, const CollectOptions& collect_options,
            const BuildOptions& build_options) {
  Collected c = collect(paths, collect_options);
  Loaded out;
  out.diagnostics = std::move(c.diagnostics);
  out.input_errors = std::move(c.input_errors);
  out.correlation = build_correlation(std::move(c.partials), std::move(c.files), build_options);
  return out;
}

}  // namespace calltrail::correlate
