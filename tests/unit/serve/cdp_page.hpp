// A page in headless Chromium driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: commands on fd 3, answers on fd 4, each JSON text
// ended by a NUL): real key presses for the page's keyboard tests, and
// expressions evaluated in the page to read what it shows.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace calltrail::test {

class CdpPage {
 public:
  // Opens `url` in a `width` x `height` px page; ok() says whether it did.
  CdpPage(const std::string& browser, const std::string& url, int width, int height) {
    int to[2];
    int from[2];
    if (::pipe(to) != 0 || ::pipe(from) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      // The child: the pipe's ends on fds 3 and 4, moved out of the way first.
      const int in = ::fcntl(to[0], F_DUPFD, 10);
      const int out = ::fcntl(from[1], F_DUPFD, 10);
      ::dup2(in, 3);
      ::dup2(out, 4);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(browser.c_str(), browser.c_str(), "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-pipe",
              "about:blank", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to[0]);
    ::close(from[1]);
    out_ = to[1];
    in_ = from[0];
    if (pid_ < 0) return;
    const auto target =
        call("Target.createTarget", {{"url", url}, {"width", width}, {"height", height}}, false);
    if (!target.contains("targetId")) return;
    const auto attached =
        call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}}, false);
    if (!attached.contains("sessionId")) return;
    session_ = attached["sessionId"];
  }
  ~CdpPage() {
    if (pid_ > 0) {
      call("Browser.close", nlohmann::json::object(), false);
      for (int i = 0; i < 50 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (::waitpid(pid_, nullptr, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
    if (out_ >= 0) ::close(out_);
    if (in_ >= 0) ::close(in_);
  }
  CdpPage(const CdpPage&) = delete;
  CdpPage& operator=(const CdpPage&) = delete;

  bool ok() const { return !session_.empty(); }

  // The value of a JavaScript expression in the page (null when it threw).
  nlohmann::json eval(const std::string& expression) {
    const auto r = call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}});
    if (!r.contains("result") || r.contains("exceptionDetails")) return nullptr;
    return r["result"].value("value", nlohmann::json());
  }
  // Waits (up to 20 s) until `expression` is true.
  bool wait_for(const std::string& expression) {
    for (int i = 0; i < 200; ++i) {
      if (eval(expression) == true) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // A key pressed and released, as a person types it ("j", "Escape", "+").
  void press(const std::string& key) {
    nlohmann::json down = {{"type", "keyDown"}, {"key", key}};
    if (key.size() == 1) down["text"] = key;
    call("Input.dispatchKeyEvent", down);
    call("Input.dispatchKeyEvent", {{"type", "keyUp"}, {"key", key}});
  }

 private:
  // Sends a command and returns its result ({} on error or after 30 s).
  nlohmann::json call(const std::string& method, const nlohmann::json& params,
                      bool in_page = true) {
    nlohmann::json msg = {{"id", ++id_}, {"method", method}, {"params", params}};
    if (in_page) msg["sessionId"] = session_;
    std::string text = msg.dump();
    text.push_back('\0');
    for (std::size_t at = 0; at < text.size();) {
      const auto n = ::write(out_, text.data() + at, text.size() - at);
      if (n <= 0) return nlohmann::json::object();
      at += static_cast<std::size_t>(n);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto end = buffer_.find('\0');
      if (end == std::string::npos) {
        pollfd p{in_, POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0) continue;
        char chunk[65536];
        const auto n = ::read(in_, chunk, sizeof chunk);
        if (n <= 0) return nlohmann::json::object();
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      const auto reply = nlohmann::json::parse(buffer_.substr(0, end), nullptr, false);
      buffer_.erase(0, end + 1);
      if (reply.is_object() && reply.value("id", 0) == id_)
        return reply.value("result", nlohmann::json::object());
    }
    return nlohmann::json::object();
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int in_ = -1;
  int id_ = 0;
  std::string session_;
  std::string buffer_;
};

}  // namespace calltrail::test
