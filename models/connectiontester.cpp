#include "models/connectiontester.h"

#include "client/opsclient.h"
#include "common/clock.h"
#include "models/livenodestate.h"
#include "models/nodesession.h"

namespace lmfront::models {

namespace {
const QString kNodeTopic = QStringLiteral("node");
}

ConnectionTester::ConnectionTester(QObject *parent) : QObject(parent) {}

ConnectionTester::~ConnectionTester() = default;

void ConnectionTester::test(const QUrl &httpBase, const QString &apiKey, const QList<QSslCertificate> &ca) {
  cancel();
  client::OpsClient::Options options;
  options.url = NodeSession::opsUrl(httpBase);
  if (!apiKey.isEmpty()) options.apiKey = apiKey;
  options.caCertificates = ca;
  m_client = std::make_unique<client::OpsClient>(options, Clock::steady());
  client::OpsClient *ops = m_client.get();
  connect(ops, &client::OpsClient::stateChanged, this, [this, ops](client::OpsClient::State state, const QString &why) {
    switch (state) {
    case client::OpsClient::State::Failed: return finish(false, tr("Test failed: %1").arg(why));
    case client::OpsClient::State::Connecting:
    case client::OpsClient::State::Stale:
      // A test is one attempt: the client's first retry means it did not get through.
      if (ops->reconnectAttempt() > 0) finish(false, tr("Test failed: %1").arg(ops->lastLoss()));
      return;
    case client::OpsClient::State::Closed:
    case client::OpsClient::State::Live: return;
    }
  });
  connect(ops, &client::OpsClient::snapshotReceived, this,
          [this](const QString &topic, qint64, const QJsonObject &node) {
            if (topic != kNodeTopic) return;
            finish(true, tr("The node answers: %1, version %2, %3.")
                             .arg(node.value(QLatin1StringView("node_id")).toString(),
                                  node.value(QLatin1StringView("version")).toString(), LiveNodeState::summary(node)));
          });
  connect(ops, &client::OpsClient::subscriptionFailed, this, [this](const QString &, const client::OpsError &error) {
    finish(false, tr("Test failed: %1").arg(error.message));
  });
  ops->subscribe(kNodeTopic);
  ops->open();
}

void ConnectionTester::cancel() {
  if (!m_client) return;
  // Possibly from within one of the client's signals: it goes once control returns to the loop.
  client::OpsClient *ops = m_client.release();
  ops->disconnect(this);
  ops->close();
  ops->deleteLater();
}

void ConnectionTester::finish(bool ok, const QString &text) {
  cancel();
  Q_EMIT finished(ok, text);
}

}  // namespace lmfront::models
