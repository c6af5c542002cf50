#include "node/refusalaudit.h"

#include <QJsonValue>
#include <QStringList>
#include <QUrl>
#include <utility>

namespace lmfront::node {

registry::AuditEntry refusalEntry(const cluster::OpsRefusal &refusal, std::int64_t nowMs) {
  registry::AuditEntry e;
  e.timeMs = nowMs;
  e.actor = refusal.actor;
  e.action = refusal.action.toStdString();
  e.model = refusal.args.value(u"model"_qs).toString().toStdString();
  const QJsonValue version = refusal.args.value(u"version"_qs);
  bool numeric = version.isDouble();
  const qint64 n = numeric ? version.toInteger() : version.toString().toLongLong(&numeric);
  if (numeric && n > 0) e.version = n;
  e.reason = refusal.reason;
  e.outcome = registry::AuditOutcome::Refused;
  return e;
}

cluster::OpsRefusal httpRefusal(std::string_view method, std::string_view path, std::string actor, std::string reason) {
  cluster::OpsRefusal r{std::move(actor),
                        QString::fromUtf8(method.data(), static_cast<qsizetype>(method.size())) + u' ' +
                            QString::fromUtf8(path.data(), static_cast<qsizetype>(path.size())),
                        {},
                        std::move(reason)};
  // "", admin, catalog, MODEL, versions, N, VERB  or  "", admin, catalog, MODEL, VERB
  const QStringList parts = QString::fromUtf8(path.data(), static_cast<qsizetype>(path.size())).split(u'/');
  if (parts.size() < 5 || parts[1] != u"admin"_qs || parts[2] != u"catalog"_qs || parts[3].isEmpty()) return r;
  if (parts.size() == 7 && parts[4] == u"versions"_qs) {
    r.action = parts[6];
    r.args.insert(u"version"_qs, parts[5]);
  } else if (parts.size() == 5) {
    r.action = parts[4];
  } else {
    return r;
  }
  r.args.insert(u"model"_qs, QUrl::fromPercentEncoding(parts[3].toUtf8()));
  return r;
}

std::optional<std::uint64_t> RefusalThrottle::admit(std::int64_t nowMs) {
  std::lock_guard lock(m_mutex);
  const std::int64_t second = nowMs / 1000;
  if (second != m_second) {
    m_second = second;
    m_inSecond = 0;
  }
  if (m_inSecond >= kPerSecond) {
    ++m_leftOut;
    return std::nullopt;
  }
  ++m_inSecond;
  return std::exchange(m_leftOut, 0);
}

}  // namespace lmfront::node
