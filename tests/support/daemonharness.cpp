#include "daemonharness.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

namespace lmfront::testing {

QString binPath(const QString &name) { return qEnvironmentVariable("LMFRONT_BIN_DIR") + QLatin1Char('/') + name; }

QByteArray HttpReply::header(const QByteArray &name) const {
  const QByteArray wanted = name.toLower() + ':';
  for (const QByteArray &line : head.split('\n')) {
    if (line.toLower().startsWith(wanted)) return line.mid(wanted.size()).trimmed();
  }
  return {};
}

HttpReply readReply(QTcpSocket &socket, int timeoutMs) {
  QByteArray buffer;
  QDeadlineTimer deadline(timeoutMs);
  qsizetype headerEnd = -1;
  while ((headerEnd = buffer.indexOf("\r\n\r\n")) < 0 && !deadline.hasExpired()) {
    if (!socket.waitForReadyRead(50) && socket.state() != QAbstractSocket::ConnectedState) {
      buffer += socket.readAll();
      break;
    }
    buffer += socket.readAll();
  }
  headerEnd = buffer.indexOf("\r\n\r\n");
  HttpReply reply;
  if (headerEnd < 0) return reply;
  reply.head = buffer.left(headerEnd);
  reply.status = reply.head.mid(9, 3).toInt();
  const QByteArray lengthText = reply.header("content-length");
  const qsizetype length = lengthText.isEmpty() ? -1 : lengthText.toLongLong();
  reply.body = buffer.mid(headerEnd + 4);
  while ((length < 0 || reply.body.size() < length) && !deadline.hasExpired()) {
    if (!socket.waitForReadyRead(50) && socket.state() != QAbstractSocket::ConnectedState) {
      reply.body += socket.readAll();
      break;
    }
    reply.body += socket.readAll();
  }
  return reply;
}

HttpReply httpRequest(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &body,
                      const Headers &headers, int timeoutMs) {
  QTcpSocket socket;
  socket.connectToHost(QHostAddress::LocalHost, port);
  if (!socket.waitForConnected(3000)) return {};
  QByteArray request = method + ' ' + path + " HTTP/1.1\r\n";
  bool hasHost = false;
  for (const auto &[name, value] : headers) {
    request += name + ": " + value + "\r\n";
    hasHost = hasHost || name.toLower() == "host";
  }
  if (!hasHost) request += "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
  if (!body.isEmpty() || method == "POST")
    request += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
  request += "Connection: close\r\n\r\n" + body;
  socket.write(request);
  if (!socket.waitForBytesWritten(3000)) return {};
  return readReply(socket, timeoutMs);
}

Daemon::~Daemon() {
  if (m_process.state() != QProcess::NotRunning) {
    m_process.kill();
    m_process.waitForFinished(5000);
  }
}

bool Daemon::start(const QStringList &args) {
  m_process.setProgram(binPath(QStringLiteral("lmfrontd")));
  m_process.setArguments(args);
  m_process.start();
  if (!m_process.waitForStarted(5000)) return false;
  QByteArray out;
  static const QRegularExpression re(QStringLiteral("listening on https?://[^:]+:(\\d+)"));
  for (QDeadlineTimer deadline(20000); !deadline.hasExpired();) {
    m_process.waitForReadyRead(100);
    out += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
    const auto match = re.match(QString::fromUtf8(out));
    if (match.hasMatch()) {
      m_port = static_cast<quint16>(match.captured(1).toUInt());
      return true;
    }
    if (m_process.state() == QProcess::NotRunning) break;
  }
  qWarning() << "lmfrontd did not start:" << out << m_stderr;
  return false;
}

bool Daemon::waitReady(int timeoutMs) {
  for (QDeadlineTimer deadline(timeoutMs); !deadline.hasExpired(); QTest::qWait(25)) {
    if (httpRequest(m_port, "GET", "/readyz").status == 200) return true;
  }
  return false;
}

void Daemon::stop() {
  if (m_process.state() == QProcess::NotRunning) return;
  m_process.terminate();
  if (!m_process.waitForFinished(15000)) m_process.kill();
}

QByteArray Daemon::takeStderr() {
  m_stderr += m_process.readAllStandardError();
  return std::exchange(m_stderr, {});
}

int runCli(const QStringList &args, QByteArray *out, QByteArray *err, int timeoutMs) {
  QProcess p;
  p.start(binPath(QStringLiteral("lmfront")), args);
  if (!p.waitForFinished(timeoutMs)) {
    p.kill();
    p.waitForFinished();
    return -1;
  }
  if (out) *out = p.readAllStandardOutput();
  if (err) *err = p.readAllStandardError();
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QString buildFortunesModel(const QString &dir, const QString &name, int lines) {
  QFile fortunes(QStringLiteral("/usr/share/games/fortunes/fortunes"));
  if (!fortunes.open(QIODevice::ReadOnly)) {
    qWarning() << "cannot read Debian's fortunes (scripts/setup.sh installs them)";
    return {};
  }
  QByteArray text;
  int kept = 0;
  while (!fortunes.atEnd() && kept < lines) {
    const QByteArray line = fortunes.readLine().trimmed();
    if (line.isEmpty() || line == "%") continue;
    text += line + '\n';
    ++kept;
  }
  const QString corpus = dir + QStringLiteral("/corpus.txt");
  QFile out(corpus);
  if (!out.open(QIODevice::WriteOnly) || out.write(text) != text.size()) return {};
  out.close();
  const QString arpa = dir + QLatin1Char('/') + name + QStringLiteral(".arpa");
  const QString lmb = dir + QLatin1Char('/') + name + QStringLiteral(".lmb");
  QByteArray err;
  if (runCli({QStringLiteral("train"), QStringLiteral("--order"), QStringLiteral("3"), QStringLiteral("--text"), corpus,
              QStringLiteral("--tokenizer"), QStringLiteral("default"), QStringLiteral("--lowercase"),
              QStringLiteral("--arpa"), arpa},
             nullptr, &err) != 0) {
    qWarning() << "lmfront train failed:" << err;
    return {};
  }
  if (runCli({QStringLiteral("compile"), arpa, lmb}, nullptr, &err) != 0) {
    qWarning() << "lmfront compile failed:" << err;
    return {};
  }
  return lmb;
}

quint16 freePort() {
  QTcpServer server;
  if (!server.listen(QHostAddress::LocalHost, 0)) return 0;
  return server.serverPort();
}

RedisServer::~RedisServer() { kill(); }

bool RedisServer::start(quint16 port) {
  m_port = port ? port : freePort();
  m_process.start(
      QStringLiteral("redis-server"),
      {QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
       QStringLiteral("--save"), QString(), QStringLiteral("--appendonly"), QStringLiteral("no")});
  if (!m_process.waitForStarted(5000)) {
    qWarning() << "redis-server could not start (scripts/setup.sh installs it):" << m_process.errorString();
    return false;
  }
  for (QDeadlineTimer deadline(5000); !deadline.hasExpired(); QTest::qWait(20)) {
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, m_port);
    if (probe.waitForConnected(200)) return true;
  }
  qWarning() << "redis-server did not accept connections on" << m_port;
  return false;
}

void RedisServer::kill() {
  if (m_process.state() == QProcess::NotRunning) return;
  m_process.kill();
  m_process.waitForFinished(5000);
}

}  // namespace lmfront::testing
