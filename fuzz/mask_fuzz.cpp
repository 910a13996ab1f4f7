// libFuzzer target for the bundle's masker (bundle/mask.hpp): any bytes as
// log text, learned (parsed) and masked, and as JSON. Nothing may crash; a
// phone number and an IP address on a line of their own after the input are
// always replaced by tokens (a line is masked on its own: no rule reaches
// over a newline), and JSON stays JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/bundle/mask.hpp"
#include "calltrail/parse/log_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  {
    calltrail::bundle::Masker m({"Language"});
    calltrail::parse::FileInfo info;
    info.path = "fuzz.log";
    calltrail::base::Diagnostics d;
    const calltrail::parse::EventCallback sink = [&m](calltrail::model::Event& e) { m.learn(e); };
    calltrail::parse::LogParser p(info, 0, d, sink);
    p.feed(text);
    p.finish();
    (void)m.mask_text(text);
    const std::string j = m.mask_json(text);
    if (nlohmann::json::accept(text) && !nlohmann::json::accept(j)) std::abort();
  }
  calltrail::bundle::Masker fresh;
  const std::string planted = "\n+15550001234 192.168.7.9\n";
  const std::string out = fresh.mask_text(std::string(text) + planted);
  const std::size_t nl = out.rfind('\n', out.size() - 2);
  const std::string_view last = std::string_view(out).substr(nl + 1);
  if (last.rfind("PHONE-", 0) != 0 || last.find(" IP-") == std::string_view::npos ||
      last.find("15550001234") != std::string_view::npos ||
      last.find("192.168.7.9") != std::string_view::npos)
    std::abort();
  return 0;
}
