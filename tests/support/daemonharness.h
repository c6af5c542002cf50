// Test harness for black-box tests of lmfrontd: starts the real binary on 127.0.0.1 port 0,
// speaks HTTP/1.1 over a plain socket (so the bytes are exactly what a client sends), runs the
// lmfront CLI, and builds a small real model from Debian's fortunes text once per test binary.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTcpSocket>
#include <memory>

namespace lmfront::testing {

QString binPath(const QString &name);  // $LMFRONT_BIN_DIR/name

struct HttpReply {
  int status = 0;
  QByteArray head;
  QByteArray body;
  QByteArray header(const QByteArray &name) const;  // case-insensitive, first match, trimmed
};

using Headers = QList<QPair<QByteArray, QByteArray>>;

// One request on its own connection (Connection: close). status 0 means no answer.
HttpReply httpRequest(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                      const Headers &headers = {}, int timeoutMs = 10000);
// Reads one Content-Length-framed response from an open socket.
HttpReply readReply(QTcpSocket &socket, int timeoutMs = 5000);

class Daemon {
public:
  ~Daemon();
  // Starts lmfrontd with `args` (add --listen 127.0.0.1:0 yourself or use start()).
  bool start(const QStringList &args);
  // Polls /readyz until 200 (models loaded).
  bool waitReady(int timeoutMs = 20000);
  void stop();  // SIGTERM, wait
  quint16 port() const { return m_port; }
  QProcess &process() { return m_process; }
  QByteArray takeStderr();

private:
  QProcess m_process;
  quint16 m_port = 0;
  QByteArray m_stderr;
};

// Runs `lmfront ARGS`; returns exit code and fills stdout/stderr.
int runCli(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr, int timeoutMs = 120000);

// Trains and compiles a 3-gram model from the first `lines` lines of Debian's fortunes into
// dir/NAME.lmb (via the real CLI). Empty string on failure (with a qWarning saying why).
QString buildFortunesModel(const QString &dir, const QString &name, int lines = 3000);

// A free TCP port on 127.0.0.1 (bound then released; good enough for a child server).
quint16 freePort();

// redis-server on a free port as a child process; fails loudly if the binary is missing.
class RedisServer {
public:
  ~RedisServer();
  // port 0: a free one; a port again after kill(): the same server address restarted.
  bool start(quint16 port = 0);
  void kill();
  quint16 port() const { return m_port; }

private:
  QProcess m_process;
  quint16 m_port = 0;
};

}  // namespace lmfront::testing
