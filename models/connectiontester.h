// ConnectionTester: the Connections section's "Test": one check that a node answers, against a
// URL the user may not have saved yet. Today it asks the node's GET /healthz once (HealthClient);
// the ops client's authenticated handshake will replace it here when that client exists.
//
// Contract: GUI thread, asynchronous. test() cancels a test still running (no signal for it) and
// starts one; finished() carries the health seen (reachable == false with the reason when the
// node did not answer well, within the HealthClient's timeout). resultText() is the translated
// sentence a view shows for it.
#pragma once

#include "client/healthclient.h"

#include <QObject>
#include <QUrl>

namespace lmfront::models {

class ConnectionTester : public QObject {
  Q_OBJECT
public:
  explicit ConnectionTester(QObject *parent = nullptr);

  // `ca`: CA certificates trusted besides the system's (the connection's CA file).
  void test(const QUrl &httpBase, const QList<QSslCertificate> &ca = {});
  void cancel();
  bool isRunning() const { return m_running; }
  static QString resultText(const client::NodeHealth &health);

Q_SIGNALS:
  void finished(const lmfront::client::NodeHealth &health);

private:
  client::HealthClient m_client;
  bool m_running = false;
};

}  // namespace lmfront::models
