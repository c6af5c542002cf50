#include "models/alertrules.h"

#include "models/nodesession.h"
#include "models/opserrortext.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace lmfront::models {

AlertRules::AlertRules(QObject *parent) : QObject(parent) {}

void AlertRules::setSession(NodeSession *session) { m_session = session; }

client::OpsClient *AlertRules::opsClient() const {
  NodeSession *session = m_session.data();
  return session ? session->opsClient() : nullptr;
}

int AlertRules::errorLine(const QString &error) {
  static const QRegularExpression line(QStringLiteral("(?:^|\\s)[^\\s:]+:(\\d+): "));
  const QRegularExpressionMatch m = line.match(error);
  return m.hasMatch() ? m.captured(1).toInt() : 0;
}

void AlertRules::load() { run(Action::Load, QStringLiteral("alert_rules"), {}); }
void AlertRules::check(const QString &yaml) { run(Action::Check, QStringLiteral("check_rules"), yaml); }
void AlertRules::apply(const QString &yaml) { run(Action::Apply, QStringLiteral("apply_rules"), yaml); }

void AlertRules::run(Action action, const QString &command, const QString &yaml) {
  client::OpsClient *ops = opsClient();
  if (!ops) return Q_EMIT finished(action, 0, tr("Not connected to a node."), 0, yaml);
  const QJsonObject args = action == Action::Load ? QJsonObject{} : QJsonObject{{QStringLiteral("yaml"), yaml}};
  ops->command(command, args, this, [this, action, yaml](const client::OpsReply &reply) {
    const QString error = opsErrorText(reply);
    const QJsonObject result = reply.result.toObject();
    const QJsonValue rules = result.value(QLatin1StringView("rules"));
    const int count = rules.isArray() ? static_cast<int>(rules.toArray().size()) : rules.toInt();
    const QString text = action == Action::Load ? result.value(QLatin1StringView("yaml")).toString() : yaml;
    Q_EMIT finished(action, count, error, error.isEmpty() ? 0 : errorLine(reply.error.message), text);
  });
}

}  // namespace lmfront::models
