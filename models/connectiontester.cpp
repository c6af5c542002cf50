#include "models/connectiontester.h"

#include "models/nodeinfomodel.h"

namespace lmfront::models {

ConnectionTester::ConnectionTester(QObject *parent) : QObject(parent) {
  connect(&m_client, &client::HealthClient::healthUpdated, this, [this](const client::NodeHealth &health) {
    if (!m_running) return;
    m_running = false;
    Q_EMIT finished(health);
  });
}

void ConnectionTester::test(const QUrl &httpBase, const QList<QSslCertificate> &ca) {
  cancel();
  m_client.setBaseUrl(httpBase);
  m_client.setCaCertificates(ca);
  m_running = true;
  m_client.pollNow();
}

void ConnectionTester::cancel() {
  m_running = false;
  m_client.stop();
}

QString ConnectionTester::resultText(const client::NodeHealth &health) {
  if (health.healthy()) return tr("The node answers: %1, version %2, healthy.").arg(health.nodeId, health.version);
  return tr("Test failed: %1").arg(NodeInfoModel::healthText(health));
}

}  // namespace lmfront::models
