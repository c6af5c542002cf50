// Test helper: a private redis-server child process on 127.0.0.1 and a free port (bind port 0,
// read it back, close). start() says why it could not start; the tests turn that into a FAILURE
// (redis-server is a Debian package scripts/setup.sh installs), never a skip.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>

inline int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisServer {
public:
  ~RedisServer() { stop(); }
  // "" when ready; otherwise why not. port 0: a free one.
  QString start(int port = 0) {
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (exe.isEmpty())
      return QStringLiteral("redis-server not found on PATH: install Debian package redis-server (scripts/setup.sh)");
    m_port = port ? port : freePort();
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
  // SIGKILL (after SIGCONT, in case a test stopped it).
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
