#include "registry/modelmanifest.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace lmfront::registry {

namespace {

// Errors name the file and the field: `models/english.json: "order": expected an integer`.
class FieldReader {
public:
  FieldReader(const QString &shownPath) : m_path(shownPath) {}
  Status error(const QString &field, const QString &what) const {
    return Status::invalidArgument(QStringLiteral("%1: \"%2\": %3").arg(m_path, field, what).toStdString());
  }
  Result<QString> string(const QString &field, const QJsonValue &v) const {
    if (!v.isString()) return error(field, QStringLiteral("expected a string"));
    return v.toString();
  }
  Result<std::int64_t> integer(const QString &field, const QJsonValue &v, std::int64_t min) const {
    const double d = v.toDouble(-1);
    // JSON numbers are doubles: integers are exact up to 2^53.
    if (!v.isDouble() || d != std::floor(d) || d < static_cast<double>(min) || d > 9007199254740992.0)
      return error(field, QStringLiteral("expected an integer >= %1").arg(min));
    return static_cast<std::int64_t>(d);
  }

private:
  QString m_path;
};

bool isSha256Hex(const QString &s) {
  if (s.size() != 64) return false;
  for (QChar c : s)
    if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'))) return false;
  return true;
}

}  // namespace

Result<ModelManifest> parseManifest(const QByteArray &json, const QString &shownPath, const QString &modelName) {
  const FieldReader r(shownPath);
  QJsonParseError parseError{};
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
  if (parseError.error != QJsonParseError::NoError)
    return Status::invalidArgument(QStringLiteral("%1: not JSON: %2 at offset %3")
                                       .arg(shownPath, parseError.errorString())
                                       .arg(parseError.offset)
                                       .toStdString());
  if (!doc.isObject())
    return Status::invalidArgument(QStringLiteral("%1: expected a JSON object").arg(shownPath).toStdString());

  ModelManifest m;
  const QJsonObject o = doc.object();
  for (auto it = o.begin(); it != o.end(); ++it) {
    const QString key = it.key();
    const QJsonValue v = it.value();
    if (key == u"name") {
      auto name = r.string(key, v);
      if (!name) return name.status();
      if (*name != modelName)
        return r.error(key, QStringLiteral("\"%1\" differs from the file's name %2").arg(*name, modelName));
    } else if (key == u"description" || key == u"source" || key == u"created") {
      auto text = r.string(key, v);
      if (!text) return text.status();
      if (key == u"created" && !QDateTime::fromString(*text, Qt::ISODate).isValid())
        return r.error(key, QStringLiteral("expected an ISO 8601 time such as 2024-05-01T12:00:00Z"));
      (key == u"description" ? m.description : key == u"source" ? m.source : m.created) = *text;
    } else if (key == u"file") {
      auto file = r.string(key, v);
      if (!file) return file.status();
      if (*file != modelName + QStringLiteral(".lmb"))
        return r.error(key, QStringLiteral("expected \"%1.lmb\" (the model file beside the manifest)").arg(modelName));
      m.file = *file;
    } else if (key == u"order") {
      auto order = r.integer(key, v, 1);
      if (!order) return order.status();
      m.order = static_cast<int>(std::min<std::int64_t>(*order, 1 << 20));
    } else if (key == u"bytes") {
      auto bytes = r.integer(key, v, 0);
      if (!bytes) return bytes.status();
      m.bytes = *bytes;
    } else if (key == u"counts") {
      if (!v.isArray()) return r.error(key, QStringLiteral("expected an array of integers"));
      const QJsonArray counts = v.toArray();
      for (qsizetype i = 0; i < counts.size(); ++i) {
        auto n = r.integer(QStringLiteral("counts[%1]").arg(i), counts.at(i), 0);
        if (!n) return n.status();
        m.counts.push_back(*n);
      }
    } else if (key == u"sha256") {
      auto sha = r.string(key, v);
      if (!sha) return sha.status();
      if (!isSha256Hex(*sha)) return r.error(key, QStringLiteral("expected 64 lower-case hex digits"));
      m.sha256 = *sha;
    } else if (key == u"tokenizer") {
      if (v.toString() == u"default")
        m.tokenizer.mode = engine::TokenizerMode::Default;
      else if (v.toString() == u"whitespace")
        m.tokenizer.mode = engine::TokenizerMode::Whitespace;
      else
        return r.error(key, QStringLiteral("expected \"default\" or \"whitespace\""));
    } else if (key == u"lowercase") {
      if (!v.isBool()) return r.error(key, QStringLiteral("expected true or false"));
      m.tokenizer.lowercase = v.toBool();
    } else {
      return r.error(key, QStringLiteral("unknown field (known: name, description, source, order, counts, file, "
                                         "bytes, sha256, created, tokenizer, lowercase)"));
    }
  }
  if (m.order && !m.counts.empty() && m.counts.size() != static_cast<std::size_t>(*m.order))
    return r.error(QStringLiteral("counts"), QStringLiteral("expected %1 entries (one per order)").arg(*m.order));
  return m;
}

}  // namespace lmfront::registry
