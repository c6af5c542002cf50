#include "node/deploymentservice.h"

#include <QJsonValue>

namespace lmfront::node {

namespace {

QJsonValue versionValue(const std::string &label, std::int64_t fallback = 0) {
  if (label.empty()) return fallback > 0 ? QJsonValue(static_cast<qint64>(fallback)) : QJsonValue();
  return QJsonValue(QString::fromStdString(label).toLongLong());
}

QJsonValue textValue(const std::string &s) { return s.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(s)); }

QJsonValue optionalNumber(const std::optional<double> &v) { return v ? QJsonValue(*v) : QJsonValue(); }

}  // namespace

QJsonObject deploymentJson(const DeploymentInfo &info, std::int64_t stableFallback) {
  QJsonObject o{{u"model"_qs, QString::fromStdString(info.model)},
                {u"stable_version"_qs, versionValue(info.stableVersion, stableFallback)},
                {u"stable_sha256"_qs, textValue(info.stableSha256)},
                {u"previous_version"_qs,
                 info.previousSha256.empty() ? QJsonValue() : versionValue(info.previousVersion, stableFallback)},
                {u"previous_sha256"_qs, textValue(info.previousSha256)},
                {u"strategy"_qs,
                 info.variant ? QJsonValue(QString::fromLatin1(deployStrategyName(*info.variant))) : QJsonValue()},
                {u"variant_version"_qs, versionValue(info.variantVersion)},
                {u"variant_sha256"_qs, textValue(info.variantSha256)},
                {u"percent"_qs, info.variant ? QJsonValue(info.percent) : QJsonValue()},
                {u"sticky"_qs, info.sticky},
                {u"loading"_qs, versionValue(info.loading)}};
  if (info.limits) {
    const CanaryLimits &l = *info.limits;
    o.insert(u"limits"_qs, QJsonObject{{u"max_error_rate"_qs, optionalNumber(l.maxErrorRate)},
                                       {u"max_p99_ms"_qs, optionalNumber(l.maxP99Ms)},
                                       {u"max_p99_ratio"_qs, optionalNumber(l.maxP99Ratio)},
                                       {u"min_requests"_qs, static_cast<qint64>(l.minRequests)},
                                       {u"window_s"_qs, static_cast<qint64>(l.window.count())}});
  } else {
    o.insert(u"limits"_qs, QJsonValue());
  }
  if (info.measures) {
    const CanaryMeasures &m = *info.measures;
    o.insert(u"measures"_qs, QJsonObject{{u"requests"_qs, static_cast<qint64>(m.requests)},
                                         {u"errors"_qs, static_cast<qint64>(m.errors)},
                                         {u"error_rate"_qs, m.errorRate},
                                         {u"p99_ms"_qs, m.p99Ms},
                                         {u"stable_requests"_qs, static_cast<qint64>(m.stableRequests)},
                                         {u"stable_p99_ms"_qs, m.stableP99Ms}});
  } else {
    o.insert(u"measures"_qs, QJsonValue());
  }
  return o;
}

}  // namespace lmfront::node
