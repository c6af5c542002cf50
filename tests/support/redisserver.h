// A private redis-server child process for a test: 127.0.0.1 on a free port, no persistence,
// killed at the end and when the test process dies. start() says why it could not start; tests
// turn that into a FAILURE (redis-server is a Debian package scripts/setup.sh installs), never a
// skip.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>

#include <cstdint>
#include <string>

namespace lmfront::testing {

// A loopback port nobody listens on right now (bound to port 0, read back, closed); 0 on failure.
// redis-server cannot take --port 0.
inline int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Sends one inline command and returns the first reply line ("" on failure, 1 s timeout).
inline std::string redisInline(int port, const std::string &command) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
    const std::string line = command + "\r\n";
    if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      char buf[256];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) reply.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

class RedisServer {
public:
  ~RedisServer() { stop(); }
  // "" when ready; otherwise why not. port 0: a free one.
  QString start(int port = 0) {
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (exe.isEmpty())
      return QStringLiteral("redis-server not found on PATH: install Debian package redis-server (scripts/setup.sh)");
    m_port = port ? port : freeLoopbackPort();
    if (m_port == 0) return QStringLiteral("could not find a free port");
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // If the test dies (crash, sanitizer abort, timeout kill), the server dies with it.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(
        exe, {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
              QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no")});
    if (!m_process.waitForStarted(5000)) return QStringLiteral("redis-server did not start");
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
      out += m_process.readAll();
      if (out.contains("Ready to accept connections")) return {};
      if (m_process.state() == QProcess::NotRunning) break;
      m_process.waitForReadyRead(200);
    }
    return QStringLiteral("redis-server not ready: ") + QString::fromUtf8(out.right(500));
  }
  // SIGKILL (after SIGCONT, in case a test stopped it), like a crash.
  void stop() {
    if (m_process.state() == QProcess::NotRunning) return;
    ::kill(static_cast<pid_t>(m_process.processId()), SIGCONT);
    m_process.kill();
    m_process.waitForFinished(5000);
  }
  void signal(int sig) { ::kill(static_cast<pid_t>(m_process.processId()), sig); }
  int port() const { return m_port; }

private:
  QProcess m_process;
  int m_port = 0;
};

}  // namespace lmfront::testing
