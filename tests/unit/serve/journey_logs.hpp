// T-Server logs of one inbound call that crosses sites over IS-Links in the
// order given (a site may come back), one leg per visit: longer journeys than
// the simulator makes (at most four hops), for the page's tests.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace calltrail::test {

struct Journey {
  std::vector<std::string> files;
  std::string root_uuid;  // the first leg's CallUUID: the interaction id
};

// `route` names sites by application ("TServerA"); each is "<app>@Switch_<app>".
inline Journey write_journey(const std::filesystem::path& dir,
                             const std::vector<std::string>& route) {
  std::filesystem::create_directories(dir);
  constexpr std::int64_t kStart = 1351519200;  // 2012-10-29T14:00:00Z
  std::map<std::string, std::string> logs;     // app -> text
  std::map<std::string, std::uint64_t> sequence;
  auto uuid = [](char kind, std::size_t i) { return fmt::format("0TRAIL{}{:025}", kind, i); };
  auto site = [](const std::string& app) { return app + "@Switch_" + app; };
  auto event = [&](const std::string& app, std::int64_t us, const std::string& name,
                   const std::string& attributes) {
    const std::int64_t s = us / 1'000'000;
    const std::int64_t frac = us % 1'000'000;
    fmt::format_to(std::back_inserter(logs[app]),
                   "@{:02}:{:02}:{:02}.{:04} [0] 8.1.001.05 distribute_event: message {}\n"
                   "\tAttributeEventSequenceNumber\t{:016x}\n"
                   "\tAttributeTimeStamp\t{:08x}{:08x}\n{}",
                   (s / 3600) % 24, (s / 60) % 60, s % 60, frac / 100, name, ++sequence[app], s,
                   frac, attributes);
  };
  auto islink = [&](std::size_t link, const std::string& remote, const char* role) {
    return fmt::format("\t\t'{}'(list) 'location-name'\t'{}'\n\t\t\t'direction-role'\t'{}'\n",
                       uuid('L', link), site(remote), role);
  };
  Journey j;
  std::int64_t t = kStart * 1'000'000;
  for (std::size_t i = 0; i < route.size(); ++i) {
    const std::string& app = route[i];
    const std::string call = uuid('C', i);
    if (i == 0) j.root_uuid = call;
    const std::string dn = fmt::format("{}", 5000 + i);
    const std::string ids = fmt::format(
        "\tAttributeConnID\t00a1b2c3d4e5f6{:02x}\n\tAttributeCallUUID\t'{}'\n", i, call);
    event(app, t, "EventRinging",
          ids + fmt::format("\tAttributeThisDN\t'{}'\n\tAttributeOtherDN\t'+15551230000'\n"
                            "\tAttributeANI\t'+15551230000'\n\tAttributeCallType\t2\n",
                            dn));
    if (i > 0)
      event(app, t + 10'000, "EventCallDataChanged",
            ids + "\tAttributeISLinkList\t[90] 00 01 03 00..\n" +
                islink(i - 1, route[i - 1], "target"));
    event(app, t + 2'000'000, "EventEstablished",
          ids + fmt::format("\tAttributeThisDN\t'{}'\n", dn));
    const std::int64_t out = t + 30'000'000;
    if (i + 1 < route.size())
      event(
          app, out, "EventCallDataChanged",
          ids + "\tAttributeISLinkList\t[90] 00 01 03 00..\n" + islink(i, route[i + 1], "source"));
    event(app, out + 200'000, "EventReleased", ids + fmt::format("\tAttributeThisDN\t'{}'\n", dn));
    event(app, out + 300'000, "EventCallDeleted", ids);
    t = out + 50'000;
  }
  for (const auto& [app, text] : logs) {
    const auto path = dir / (app + ".20121029_140000_000.log");
    std::ofstream(path) << "Application name:\t" << app << "\nApplication type:\tTServer\n"
                        << "Local time:\t2012-10-29T14:00:00.000\n"
                        << "Start time (UTC):\t2012-10-29T14:00:00.000\nTime zone:\t0\n"
                        << "File:\t(0001) " << path.filename().string() << "\n"
                        << text;
    j.files.push_back(path.string());
  }
  return j;
}

}  // namespace calltrail::test
