// calltrail interactions PATH... : every interaction, one JSON object a line.
#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "calltrail/base/parallel.hpp"
#include "calltrail/base/release.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/correlation_input.hpp"
#include "calltrail/cli/interaction_filter.hpp"
#include "calltrail/cli/interaction_format.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/correlate/json.hpp"

namespace calltrail::cli {

namespace {

// Interactions rendered a task: a few milliseconds of work.
constexpr std::size_t kRenderBlock = 64;

struct InteractionsOptions {
  CorrelationInput input;
  std::string format = "jsonl";
  bool incomplete = false;
  WindowOptions window;
};

int run_interactions(const InteractionsOptions& o) {
  int exit_code = kExitOk;
  if (!check_input_source(o.input, "interactions", exit_code)) return exit_code;
  StatsReport stats(o.input.stats, "interactions");
  InteractionFilter filter;
  if (!filter.set(o.window, o.input.sites, "interactions")) return kExitUsage;
  auto c = load_correlation(o.input, "interactions", exit_code, correlate::CollectMode::Summary,
                            stats.get());
  if (!c) return exit_code;
  const bool sites_known = check_site_options(*c, o.input, "interactions");
  const bool document = o.format == "json";
  Output out(stdout);
  if (document) out.buffer() += "{\"interactions\":[";
  // Rendered in blocks on every core (a gigabyte of logs gives hundreds of
  // megabytes of JSON) and written in order.
  struct Block {
    std::string text;
    std::size_t shown = 0;
    std::exception_ptr error;  // what rendering threw, thrown again by the writer
  };
  const std::size_t count = c->interactions.size();
  const std::vector<std::string> gaps = correlate::gaps_json(*c);
  // The texts written go back to the workers: their memory is reused.
  std::vector<std::string> spare;
  auto render = [&](std::size_t from, std::string text) {
    Block b;
    b.text = std::move(text);
    const std::size_t to = std::min(count, from + kRenderBlock);
    for (std::size_t i = from; i < to; ++i) {
      const auto& it = c->interactions[i];
      if (o.incomplete && it.complete) continue;
      if (!filter.keep(*c, it)) continue;
      if (o.format == "text") {
        append_interaction_summary(b.text, *c, it);
      } else {
        // A document's items are joined by ",\n": the comma before a block's
        // first item is the writer's, which knows whether any came before.
        if (document) b.text += b.shown == 0 ? "\n" : ",\n";
        correlate::append_interaction_json(b.text, *c, it, {.gaps = &gaps});
        if (!document) b.text += '\n';
      }
      ++b.shown;
    }
    return b;
  };
  const unsigned threads = base::thread_count(o.input.threads);
  const std::size_t blocks = (count + kRenderBlock - 1) / kRenderBlock;
  // Workers that live for the whole output take blocks in turn, at most two
  // a worker ahead of the one being written (a thread a block would cost a
  // fresh stack and allocator cache each time).
  std::vector<std::optional<Block>> done(blocks);
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0, written = 0;
  auto work = [&] {
    for (;;) {
      std::size_t k = 0;
      std::string text;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return next >= blocks || next < written + 2 * threads; });
        if (next >= blocks) return;
        k = next++;
        if (!spare.empty()) {
          text = std::move(spare.back());
          spare.pop_back();
        }
      }
      Block b;
      try {
        b = render(k * kRenderBlock, std::move(text));
      } catch (...) {
        b.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex);
        done[k] = std::move(b);
      }
      changed.notify_all();
    }
  };
  std::vector<std::jthread> workers;
  if (threads > 1) {
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back(work);
  }
  // However the writing ends (an exception too), the workers take no more
  // blocks and can be joined; destroyed before them.
  struct Stop {
    std::mutex& mutex;
    std::condition_variable& changed;
    std::size_t& next;
    std::size_t blocks;
    ~Stop() {
      {
        std::lock_guard lock(mutex);
        next = blocks;
      }
      changed.notify_all();
    }
  } stop{mutex, changed, next, blocks};
  std::size_t shown = 0;
  std::string serial_text;
  for (std::size_t k = 0; k < blocks; ++k) {
    Block b;
    if (threads > 1) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return done[k].has_value(); });
      b = std::move(*done[k]);
      done[k].reset();
      written = k + 1;
    } else {
      b = render(k * kRenderBlock, std::move(serial_text));
    }
    changed.notify_all();
    if (b.error) std::rethrow_exception(b.error);
    if (b.shown > 0) {
      if (document && shown > 0) out.buffer() += ',';
      out.write_whole(b.text);
      shown += b.shown;
    }
    b.text.clear();
    if (threads > 1) {
      std::lock_guard lock(mutex);
      spare.push_back(std::move(b.text));
    } else {
      serial_text = std::move(b.text);
    }
  }
  if (document) out.buffer() += "\n]}\n";
  // Every block is written and the workers have nothing left to render: once
  // they are joined, the correlation is the system's to take back at exit.
  workers.clear();
  base::leave_to_exit(std::move(*c));
  if (shown == 0 && (o.incomplete || filter.narrows()) && exit_code == kExitOk) {
    if (sites_known) fmt::print(stderr, "calltrail interactions: no interaction matched\n");
    return kExitNoMatch;
  }
  return exit_code;
}

}  // namespace

void add_interactions_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InteractionsOptions>();
  CLI::App* cmd = add_log_command(
      app, "interactions",
      "Every customer interaction in the logs: its legs on all sites and the links between\n"
      "them, one JSON object a line (schema: docs/correlation.md), one JSON document, or one\n"
      "text line each. Filters that leave nothing exit with 1.\n\n"
      "Examples:\n"
      "  calltrail interactions logs/ --format text\n"
      "  calltrail interactions logs/ --site SIPServer1@SIP_Switch1 --from 2012-10-29T14:00Z\n"
      "  calltrail interactions --db calltrail.db --incomplete --format json",
      o->input);
  cmd->add_option("--format", o->format,
                  "jsonl (one object a line), json (one document: {\"interactions\": [...]}) or "
                  "text (one line each)")
      ->check(CLI::IsMember({"jsonl", "json", "text"}))
      ->capture_default_str();
  cmd->add_flag("--incomplete", o->incomplete,
                "Only interactions with a link whose partner is missing");
  add_window_options(cmd, o->window, "interactions under way");
  add_correlation_input_options(cmd, o->input);
  cmd->callback([o, &exit_code] { exit_code = run_interactions(*o); });
}

}  // namespace calltrail::cli
