#include "config/jsonsection.h"

#include <QJsonDocument>
#include <cmath>

namespace lmfront::config {

JsonSection::JsonSection(QJsonObject object, QString path, KeyCatalog *catalog)
    : m_object(std::move(object)), m_path(std::move(path)), m_catalog(catalog) {}

QString JsonSection::pathOf(QStringView key) const {
  return m_path.isEmpty() ? key.toString() : m_path + QLatin1Char('.') + key;
}

void JsonSection::know(QStringView key, bool leaf) {
  if (!m_known.contains(key)) m_known << key.toString();
  if (leaf && m_catalog) m_catalog->add(pathOf(key));
}

QString JsonSection::describe(const QJsonValue &value) {
  switch (value.type()) {
  case QJsonValue::String:
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).chopped(1).mid(1));
  case QJsonValue::Double: {
    const double d = value.toDouble();
    return d == std::floor(d) && std::abs(d) < 1e15 ? QString::number(static_cast<qint64>(d)) : QString::number(d);
  }
  case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
  case QJsonValue::Null: return QStringLiteral("null");
  case QJsonValue::Array: return QStringLiteral("an array");
  case QJsonValue::Object: return QStringLiteral("an object");
  case QJsonValue::Undefined: break;
  }
  return QStringLiteral("nothing");
}

Status JsonSection::invalid(QStringView key, const QString &expected) const {
  return error(key, QStringLiteral("expected %1, got %2").arg(expected, describe(m_object.value(key))));
}

Status JsonSection::error(QStringView key, const QString &message) const {
  return Status::invalidArgument(QString(pathOf(key) + QStringLiteral(": ") + message).toStdString());
}

Status JsonSection::string(QStringView key, QString &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isString()) return invalid(key, QStringLiteral("a string"));
  out = v.toString();
  return Status::ok();
}

Status JsonSection::nonEmptyString(QStringView key, QString &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isString() || v.toString().isEmpty()) return invalid(key, QStringLiteral("a non-empty string"));
  out = v.toString();
  return Status::ok();
}

Status JsonSection::boolean(QStringView key, bool &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isBool()) return invalid(key, QStringLiteral("true or false"));
  out = v.toBool();
  return Status::ok();
}

Status JsonSection::integer(QStringView key, qint64 min, qint64 max, qint64 &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  const double d = v.toDouble();
  // Doubles hold every integer up to 2^53 exactly, far beyond any setting here.
  if (!v.isDouble() || d != std::floor(d) || d < static_cast<double>(min) || d > static_cast<double>(max))
    return invalid(key, QStringLiteral("an integer from %1 to %2").arg(min).arg(max));
  out = static_cast<qint64>(d);
  return Status::ok();
}

Status JsonSection::integer(QStringView key, int min, int max, int &out) {
  qint64 wide = out;
  LMFRONT_RETURN_IF_ERROR(integer(key, qint64{min}, qint64{max}, wide));
  out = static_cast<int>(wide);
  return Status::ok();
}

Status JsonSection::number(QStringView key, double min, double max, double &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isDouble() || v.toDouble() < min || v.toDouble() > max)
    return invalid(key, QStringLiteral("a number from %1 to %2").arg(min).arg(max));
  out = v.toDouble();
  return Status::ok();
}

Status JsonSection::stringList(QStringView key, QStringList &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  QStringList list;
  const QJsonArray items = v.toArray();
  for (qsizetype i = 0; v.isArray() && i < items.size(); ++i) {
    if (!items[i].isString())
      return error(key, QStringLiteral("expected an array of strings, got %1 at [%2]").arg(describe(items[i])).arg(i));
    list << items[i].toString();
  }
  if (!v.isArray()) return invalid(key, QStringLiteral("an array of strings"));
  out = list;
  return Status::ok();
}

Status JsonSection::array(QStringView key, QJsonArray &out) {
  know(key);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isArray()) return invalid(key, QStringLiteral("an array"));
  out = v.toArray();
  return Status::ok();
}

QJsonValue JsonSection::value(QStringView key) {
  know(key);
  return m_object.value(key);
}

Result<JsonSection> JsonSection::section(QStringView key) {
  know(key, false);
  if (!m_object.contains(key)) return JsonSection(QJsonObject(), pathOf(key), m_catalog);
  const QJsonValue v = m_object.value(key);
  if (!v.isObject()) return invalid(key, QStringLiteral("an object"));
  return JsonSection(v.toObject(), pathOf(key), m_catalog);
}

Status JsonSection::sections(QStringView key, std::vector<JsonSection> &out) {
  know(key, false);
  if (!m_object.contains(key)) return Status::ok();
  const QJsonValue v = m_object.value(key);
  if (!v.isArray()) return invalid(key, QStringLiteral("an array of objects"));
  const QJsonArray items = v.toArray();
  std::vector<JsonSection> list;
  for (qsizetype i = 0; i < items.size(); ++i) {
    const QString itemPath = pathOf(key) + QStringLiteral("[%1]").arg(i);
    if (!items[i].isObject())
      return Status::invalidArgument(
          QStringLiteral("%1: expected an object, got %2").arg(itemPath, describe(items[i])).toStdString());
    list.emplace_back(items[i].toObject(), itemPath, m_catalog);
  }
  out = std::move(list);
  return Status::ok();
}

std::vector<std::pair<QString, QJsonValue>> JsonSection::entries() {
  if (m_catalog && !m_path.isEmpty()) m_catalog->add(m_path);
  std::vector<std::pair<QString, QJsonValue>> out;
  for (auto it = m_object.begin(); it != m_object.end(); ++it) {
    know(it.key(), false);
    out.emplace_back(it.key(), it.value());
  }
  return out;
}

Status JsonSection::finish() const {
  for (auto it = m_object.begin(); it != m_object.end(); ++it) {
    if (m_known.contains(it.key())) continue;
    const QString where = m_path.isEmpty() ? QString() : m_path + QStringLiteral(": ");
    return Status::invalidArgument(
        QString(where +
                QStringLiteral("unknown key '%1' (valid: %2)").arg(it.key(), m_known.join(QStringLiteral(", "))))
            .toStdString());
  }
  return Status::ok();
}

}  // namespace lmfront::config
