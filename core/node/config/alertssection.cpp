#include "node/config/alertssection.h"

#include "gateway/upstream/httpclient.h"

namespace lmfront::node {

Status readAlertsSection(config::JsonSection alerts, AlertSettings &settings) {
  LMFRONT_RETURN_IF_ERROR(
      alerts.integer(u"history_retention_days", 0, kMaxHistoryRetentionDays, settings.historyRetentionDays));
  for (const auto key : {u"webhooks", u"alertmanagers"}) {
    QStringList urls;
    LMFRONT_RETURN_IF_ERROR(alerts.stringList(key, urls));
    for (const QString &url : urls)
      if (auto parsed = gateway::upstream::parseHttpUrl(url.toStdString()); !parsed)
        return alerts.invalid(
            key,
            QStringLiteral("http://HOST:PORT/PATH URLs (%1)").arg(QString::fromStdString(parsed.status().message())));
    (key == std::u16string_view(u"webhooks") ? settings.webhooks : settings.alertmanagers) += urls;
  }
  return alerts.finish();
}

}  // namespace lmfront::node
