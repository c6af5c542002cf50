// A private etcd child process for a test: one member on 127.0.0.1, free client and peer ports,
// a data dir of its own (kept across restart() so a restarted etcd has its data, as a real one
// would), killed at the end and when the test process dies. start() says why it could not start;
// tests turn that into a FAILURE (etcd is Debian's etcd-server, scripts/setup-test-deps.sh
// installs it), never a skip.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QByteArray>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace lmfront::testing {

class EtcdServer {
public:
  ~EtcdServer() { kill(); }

  // "" when it answers; otherwise why not. Ports are picked at the first start and kept.
  QString start() {
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("etcd"));
    if (exe.isEmpty())
      return QStringLiteral("etcd not found on PATH: install Debian package etcd-server (scripts/setup-test-deps.sh)");
    if (!m_dir.isValid()) return QStringLiteral("no temporary directory");
    if (m_clientPort == 0) {
      m_clientPort = freePort();
      m_peerPort = freePort();
    }
    if (m_clientPort == 0 || m_peerPort == 0 || m_clientPort == m_peerPort) return QStringLiteral("no free ports");
    const QString client = url();
    const QString peer = QStringLiteral("http://127.0.0.1:%1").arg(m_peerPort);
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(exe, {QStringLiteral("--name"), QStringLiteral("test"), QStringLiteral("--data-dir"),
                          m_dir.path() + QStringLiteral("/data"), QStringLiteral("--listen-client-urls"), client,
                          QStringLiteral("--advertise-client-urls"), client, QStringLiteral("--listen-peer-urls"), peer,
                          QStringLiteral("--initial-advertise-peer-urls"), peer, QStringLiteral("--initial-cluster"),
                          QStringLiteral("test=") + peer});
    if (!m_process.waitForStarted(5000)) return QStringLiteral("etcd did not start");
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
      out += m_process.readAll();
      if (out.contains("ready to serve client requests")) return {};
      if (m_process.state() == QProcess::NotRunning) break;
      m_process.waitForReadyRead(200);
    }
    return QStringLiteral("etcd not ready: ") + QString::fromUtf8(out.right(800));
  }
  // SIGKILL, like a crash; the data dir stays for a restart().
  void kill() {
    if (m_process.state() == QProcess::NotRunning) return;
    ::kill(static_cast<pid_t>(m_process.processId()), SIGCONT);
    m_process.kill();
    m_process.waitForFinished(5000);
  }
  QString restart() {
    kill();
    return start();
  }
  QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_clientPort); }
  int port() const { return m_clientPort; }

private:
  // A loopback port nobody listens on right now (etcd cannot take port 0); 0 on failure.
  static int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    if (fd >= 0) ::close(fd);
    return port;
  }

  QTemporaryDir m_dir;
  QProcess m_process;
  int m_clientPort = 0;
  int m_peerPort = 0;
};

}  // namespace lmfront::testing
