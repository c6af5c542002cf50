#include "node/commandargs.h"

namespace lmfront::node {

namespace {

Status wrongType(QStringView key, const char *expected) {
  return Status::invalidArgument(
      QStringLiteral("\"%1\": expected %2").arg(key, QLatin1StringView(expected)).toStdString());
}

}  // namespace

Result<std::string> stringArg(const QJsonObject &args, QStringView key, bool required) {
  const QJsonValue v = args.value(key);
  const bool missing = v.isUndefined() || v.isNull() || (v.isString() && v.toString().isEmpty());
  if (missing) {
    if (required) return Status::invalidArgument(QStringLiteral("\"%1\": required, a string").arg(key).toStdString());
    return std::string();
  }
  if (!v.isString()) return wrongType(key, "a string");
  return v.toString().toStdString();
}

Result<std::int64_t> positiveArg(const QJsonObject &args, QStringView key) {
  const QJsonValue v = args.value(key);
  const qint64 n = v.isString() ? v.toString().toLongLong() : v.toInteger(0);
  if (n < 1) return wrongType(key, "a number >= 1");
  return n;
}

Result<std::optional<double>> numberArg(const QJsonObject &args, QStringView key) {
  const QJsonValue v = args.value(key);
  if (v.isUndefined() || v.isNull()) return std::optional<double>();
  if (v.isDouble()) return std::optional<double>(v.toDouble());
  if (v.isString()) {
    bool ok = false;
    const double d = v.toString().toDouble(&ok);
    if (ok) return std::optional<double>(d);
  }
  return wrongType(key, "a number");
}

Result<bool> boolArg(const QJsonObject &args, QStringView key) {
  const QJsonValue v = args.value(key);
  if (v.isUndefined() || v.isNull()) return false;
  if (v.isBool()) return v.toBool();
  if (v.isString() && (v.toString() == u"true"_qs || v.toString() == u"false"_qs)) return v.toString() == u"true"_qs;
  return wrongType(key, "true or false");
}

std::string auditActor(const cluster::Principal &caller) {
  if (caller.anonymous()) return "local";
  return caller.name.empty() ? caller.keyId : caller.name;
}

}  // namespace lmfront::node
