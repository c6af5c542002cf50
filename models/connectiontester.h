// ConnectionTester: the Connections section's "Test": one check that a node can be operated with
// what the user gave — its ops API at ws(s)://HOST:PORT/ops answers, the API key authenticates
// (docs/ops-protocol.md) and the node says how it is — against a URL the user may not have saved
// yet. It opens its own OpsClient, waits for the session and the `node` topic's snapshot, then
// closes it: the same handshake, key check and certificate check the connection's session makes.
//
// Contract: GUI thread, asynchronous. test() cancels a test still running (no signal for it) and
// starts one; finished() comes once per test, with ok and the translated sentence a view shows:
// the node's id, version and state when it answered, else why not — the first failed attempt
// (refused, no session within the client's connect timeout, a certificate that does not verify)
// or a refused key, with the client's reason.
#pragma once

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QUrl>
#include <memory>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class ConnectionTester : public QObject {
  Q_OBJECT
public:
  explicit ConnectionTester(QObject *parent = nullptr);
  ~ConnectionTester() override;

  // `httpBase`: http(s)://HOST:PORT; `apiKey`: empty for none; `ca`: CA certificates trusted
  // besides the system's (the connection's CA file).
  void test(const QUrl &httpBase, const QString &apiKey, const QList<QSslCertificate> &ca = {});
  void cancel();
  bool isRunning() const { return m_client != nullptr; }

Q_SIGNALS:
  void finished(bool ok, const QString &text);

private:
  void finish(bool ok, const QString &text);

  std::unique_ptr<client::OpsClient> m_client;
};

}  // namespace lmfront::models
