// lmfront-bench-rollback: time from `rollback` to the old version serving, under load.
// Usage: lmfront-bench-rollback PORT MODEL KEY NEW_VERSION OLD_VERSION [REPS] [CONNECTIONS]
// Against a running node whose MODEL has OLD_VERSION deployed and NEW_VERSION published. Each
// repetition deploys NEW_VERSION (replace: OLD_VERSION stays loaded for a rollback), lets the load
// run on it, then rolls back. CONNECTIONS client threads send completions for MODEL on keep-alive
// connections the whole time and note, per answer, when it was sent, when it arrived and which
// backend answered (x-lmfront-backend). Measured per rollback:
//   serving: from sending the rollback to the first answer by OLD_VERSION to a request sent after
//            it (what a client sees);
//   command: the rollback request's own round trip;
//   stale:   answers by NEW_VERSION to requests sent after the rollback's answer (must be 0);
//   failed:  answers other than 200 during the whole run (must be 0).
// Prints a "rollback serving X ms" and a "rollback command X ms" line per repetition, then the medians and
// p99 over the repetitions; exits 1 when a request failed or a stale answer was seen.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::string backend;
  std::string body;
};

// One keep-alive HTTP/1.1 connection to 127.0.0.1, blocking, reconnecting after an error.
class Connection {
public:
  explicit Connection(int port) : m_port(port) {}
  ~Connection() { close(); }
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;

  bool request(const std::string &method, const std::string &path, const std::string &headers, const std::string &body,
               Reply &reply) {
    if (m_fd < 0 && !open()) return false;
    std::string out = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                      headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    if (!sendAll(out) || !readReply(reply)) {
      close();
      return false;
    }
    return true;
  }

private:
  bool open() {
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0) return false;
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(m_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
      close();
      return false;
    }
    m_buffer.clear();
    return true;
  }
  void close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }
  bool sendAll(const std::string &data) {
    for (std::size_t sent = 0; sent < data.size();) {
      const ssize_t n = ::send(m_fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }
  bool fill() {
    char chunk[16384];
    const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    m_buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  static std::string lower(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  // Content-Length bodies only: the node answers non-streamed requests that way.
  bool readReply(Reply &reply) {
    std::size_t end;
    while ((end = m_buffer.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return false;
    const std::string head = lower(m_buffer.substr(0, end));
    reply.status = std::atoi(head.c_str() + 9);
    reply.backend.clear();
    std::size_t length = 0;
    for (std::size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) {
      const std::size_t lineEnd = std::min(head.find("\r\n", at + 2), head.size());
      const std::string line = head.substr(at + 2, lineEnd - at - 2);
      if (line.rfind("content-length:", 0) == 0) length = std::strtoull(line.c_str() + 15, nullptr, 10);
      if (line.rfind("x-lmfront-backend:", 0) == 0) {
        reply.backend = m_buffer.substr(at + 2 + 18, lineEnd - at - 2 - 18);
        reply.backend.erase(0, reply.backend.find_first_not_of(' '));
      }
    }
    while (m_buffer.size() < end + 4 + length)
      if (!fill()) return false;
    reply.body = m_buffer.substr(end + 4, length);
    m_buffer.erase(0, end + 4 + length);
    return true;
  }

  int m_port;
  int m_fd = -1;
  std::string m_buffer;
};

struct Answer {
  Clock::time_point sent, arrived;
  std::string backend;
  int status;
};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s PORT MODEL KEY NEW_VERSION OLD_VERSION [REPS] [CONNECTIONS]\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const std::string model = argv[2], auth = std::string("Authorization: Bearer ") + argv[3] + "\r\n";
  const std::string newVersion = argv[4], oldVersion = argv[5];
  const int reps = argc > 6 ? std::atoi(argv[6]) : 20;
  const int connections = argc > 7 ? std::atoi(argv[7]) : 4;
  const std::string completion = R"({"model":")" + model + R"(","prompt":"the","max_tokens":3})";

  std::mutex mutex;
  std::vector<Answer> answers;
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;
  for (int c = 0; c < connections; ++c)
    load.emplace_back([&] {
      Connection conn(port);
      std::vector<Answer> mine;
      // Bounded: at most 10 minutes of load whatever happens to the control loop.
      const auto deadline = Clock::now() + std::chrono::minutes(10);
      while (!stop.load() && Clock::now() < deadline) {
        Reply reply;
        Answer a;
        a.sent = Clock::now();
        const bool ok = conn.request("POST", "/v1/completions", "", completion, reply);
        a.arrived = Clock::now();
        a.status = ok ? reply.status : 0;
        a.backend = reply.backend;
        mine.push_back(std::move(a));
        if (mine.size() >= 64) {
          std::lock_guard lock(mutex);
          for (auto &m : mine) answers.push_back(std::move(m));
          mine.clear();
        }
      }
      std::lock_guard lock(mutex);
      for (auto &m : mine) answers.push_back(std::move(m));
    });

  Connection control(port);
  // The backends as the node names them (x-lmfront-backend), learnt from an answer of each: a
  // version imported from a model file at start is named differently from a deployed one.
  std::string oldBackend, newBackend;
  auto servedBy = [&] {
    Reply r;
    return control.request("POST", "/v1/completions", "", completion, r) && r.status == 200 ? r.backend : "";
  };
  oldBackend = servedBy();
  std::vector<double> serving, command;
  int stale = 0;
  bool controlFailed = false;
  struct Rollback {
    Clock::time_point deploySent, sent, answered;
  };
  std::vector<Rollback> rollbacks;
  for (int rep = 0; rep < reps && !controlFailed; ++rep) {
    Reply r;
    Rollback rb;
    rb.deploySent = Clock::now();
    if (!control.request("POST", "/admin/catalog/" + model + "/deploy", auth, R"({"version":)" + newVersion + "}", r) ||
        r.status != 200) {
      std::fprintf(stderr, "deploy of version %s failed: %d %s\n", newVersion.c_str(), r.status, r.body.c_str());
      controlFailed = true;
      break;
    }
    if (newBackend.empty()) newBackend = servedBy();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the load runs on the new version
    rb.sent = Clock::now();
    const bool ok = control.request("POST", "/admin/catalog/" + model + "/rollback", auth, "{}", r);
    rb.answered = Clock::now();
    if (!ok || r.status != 200) {
      std::fprintf(stderr, "rollback failed: %d %s\n", r.status, r.body.c_str());
      controlFailed = true;
      break;
    }
    if (r.body.find("\"stable_version\":" + oldVersion + ",") == std::string::npos &&
        r.body.find("\"stable_version\":" + oldVersion + "}") == std::string::npos) {
      std::fprintf(stderr, "the rollback did not go back to version %s: %s\n", oldVersion.c_str(), r.body.c_str());
      controlFailed = true;
      break;
    }
    rollbacks.push_back(rb);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // and on the old one
  }
  stop = true;
  for (auto &t : load) t.join();

  if (oldBackend.empty() || newBackend.empty() || oldBackend == newBackend) {
    std::fprintf(stderr, "cannot tell the versions apart by x-lmfront-backend ('%s', '%s')\n", oldBackend.c_str(),
                 newBackend.c_str());
    return 1;
  }
  std::printf("old version served by %s, new by %s\n", oldBackend.c_str(), newBackend.c_str());
  int failed = 0;
  for (const Answer &a : answers)
    if (a.status != 200) ++failed;
  for (std::size_t i = 0; i < rollbacks.size(); ++i) {
    const Rollback &rb = rollbacks[i];
    // Until the next repetition's deploy puts the new version back.
    const Clock::time_point next = i + 1 < rollbacks.size() ? rollbacks[i + 1].deploySent : Clock::time_point::max();
    Clock::time_point first = Clock::time_point::max();
    for (const Answer &a : answers) {
      if (a.sent < rb.sent || a.sent >= next) continue;
      if (a.backend == oldBackend && a.arrived < first) first = a.arrived;
      if (a.backend == newBackend && a.sent > rb.answered) ++stale;
    }
    if (first == Clock::time_point::max()) {
      std::fprintf(stderr, "rollback %zu: the old version never answered\n", i + 1);
      controlFailed = true;
      continue;
    }
    serving.push_back(ms(first - rb.sent));
    command.push_back(ms(rb.answered - rb.sent));
    std::printf("rollback serving %.2f ms\nrollback command %.2f ms\n", serving.back(), command.back());
  }
  std::printf("requests %zu, failed %d, stale answers after the rollback %d, connections %d\n", answers.size(), failed,
              stale, connections);
  if (!serving.empty())
    std::printf(
        "this run: old version serving after a rollback median %.2f ms, p99 %.2f ms; rollback command: median %.2f ms, "
        "p99 %.2f ms (%zu rollbacks)\n",
        percentile(serving, 0.5), percentile(serving, 0.99), percentile(command, 0.5), percentile(command, 0.99),
        serving.size());
  return (failed || stale || controlFailed || serving.empty()) ? 1 : 0;
}
