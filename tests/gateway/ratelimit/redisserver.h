// A throwaway redis-server for a test: a free 127.0.0.1 port, no persistence, killed at the end.
// Missing redis-server is a failure, not a skip (scripts/setup.sh installs it).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <chrono>
#include <string>

namespace testsupport {

// The kernel picks a free port for a socket bound to port 0; redis cannot take --port 0.
inline int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

// Sends one inline command and returns the first reply line ("" on failure).
inline std::string redisInline(int port, const std::string &command) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0) {
    const std::string line = command + "\r\n";
    if (::write(fd, line.data(), line.size()) == ssize_t(line.size())) {
      char buf[256];
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n > 0) reply.assign(buf, size_t(n));
    }
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

class RedisServer {
public:
  ~RedisServer() { kill(); }

  // Empty string on success, otherwise why it could not start.
  std::string start(int port = 0) {
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (exe.isEmpty()) return "redis-server not found on PATH (install Debian's redis-server: scripts/setup.sh)";
    m_port = port > 0 ? port : freeLoopbackPort();
    if (m_port <= 0) return "no free loopback port";
    m_process.setProgram(exe);
    m_process.setArguments({QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                            QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                            QStringLiteral("--appendonly"), QStringLiteral("no")});
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start();
    if (!m_process.waitForStarted(5000)) return "redis-server did not start: " + m_process.errorString().toStdString();
    // Waiting for an external process to listen: polled, bounded to 5 s.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      if (redisInline(m_port, "PING") == "+PONG") return {};
      if (m_process.state() == QProcess::NotRunning) return "redis-server exited: " + m_process.readAll().toStdString();
      QThread::msleep(20);
    }
    return "redis-server did not answer PING within 5 s";
  }
  void kill() {
    if (m_process.state() == QProcess::NotRunning) return;
    m_process.kill();
    m_process.waitForFinished(5000);
  }
  int port() const { return m_port; }

private:
  QProcess m_process;
  int m_port = 0;
};

}  // namespace testsupport
