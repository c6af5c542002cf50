#include "registry/bundlemanifest.h"

#include "config/jsonsection.h"
#include "engine/arpareader.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace lmfront::registry {

namespace {

using config::JsonSection;

const QString kNameRule = QStringLiteral("a model name (a lower-case letter, then up to 63 of a-z 0-9 _ -)");

// A required field: absent is an error naming it; present goes through the typed getter.
Status required(const JsonSection &s, QStringView key, const QString &what) {
  if (s.contains(key)) return Status::ok();
  return s.error(key, QStringLiteral("missing (expected %1)").arg(what));
}

Status readName(JsonSection &s, QStringView key, QString &out) {
  LMFRONT_RETURN_IF_ERROR(required(s, key, kNameRule));
  QString name;
  LMFRONT_RETURN_IF_ERROR(s.string(key, name));
  if (!isModelName(name)) return s.invalid(key, kNameRule);
  out = name;
  return Status::ok();
}

Status readRequiredText(JsonSection &s, QStringView key, QString &out) {
  LMFRONT_RETURN_IF_ERROR(required(s, key, QStringLiteral("a non-empty string")));
  return s.nonEmptyString(key, out);
}

Status readTokenizer(JsonSection &s, engine::TokenizerOptions &out) {
  QString mode = QStringLiteral("default");
  LMFRONT_RETURN_IF_ERROR(s.string(u"tokenizer", mode));
  if (mode == u"default")
    out.mode = engine::TokenizerMode::Default;
  else if (mode == u"whitespace")
    out.mode = engine::TokenizerMode::Whitespace;
  else
    return s.invalid(u"tokenizer", QStringLiteral("\"default\" or \"whitespace\""));
  return s.boolean(u"lowercase", out.lowercase);
}

Status readDependencies(JsonSection &s, const QString &self, std::vector<BundleDependency> &out) {
  std::vector<JsonSection> items;
  LMFRONT_RETURN_IF_ERROR(s.sections(u"depends_on", items));
  QSet<QString> seen;
  for (JsonSection &item : items) {
    BundleDependency d;
    LMFRONT_RETURN_IF_ERROR(readName(item, u"model", d.model));
    LMFRONT_RETURN_IF_ERROR(required(item, u"version", QStringLiteral("a version number >= 1")));
    LMFRONT_RETURN_IF_ERROR(item.integer(u"version", 1, 1 << 30, d.version));
    LMFRONT_RETURN_IF_ERROR(item.finish());
    if (d.model == self) return item.error(u"model", QStringLiteral("a model cannot depend on itself"));
    const QString key = d.model + QLatin1Char('@') + QString::number(d.version);
    if (seen.contains(key))
      return item.error(u"model", QStringLiteral("%1 version %2 is listed twice").arg(d.model).arg(d.version));
    seen.insert(key);
    out.push_back(d);
  }
  return Status::ok();
}

// The corpus is a file of the bundle: a plain name, not one the bundle layout reserves.
bool isCorpusName(const QString &name) {
  static const QStringList reserved{QStringLiteral("model.json"), QStringLiteral("model.arpa"),
                                    QStringLiteral("dev.txt"), QStringLiteral("README.md")};
  return !name.isEmpty() && name.size() <= 255 && !name.contains(QLatin1Char('/')) && !name.contains(QChar(0)) &&
         !name.startsWith(QLatin1Char('.')) && !reserved.contains(name);
}

Status readTraining(JsonSection &root, std::optional<TrainingSpec> &out) {
  const bool present = root.contains(u"train");
  auto s = root.section(u"train");
  if (!s) return s.status();
  if (!present) return Status::ok();
  TrainingSpec t;
  LMFRONT_RETURN_IF_ERROR(required(*s, u"corpus", QStringLiteral("the corpus file's name")));
  LMFRONT_RETURN_IF_ERROR(s->string(u"corpus", t.corpus));
  if (!isCorpusName(t.corpus))
    return s->invalid(u"corpus", QStringLiteral("a file name of the bundle (no '/', not hidden, not model.json, "
                                                "model.arpa, dev.txt or README.md)"));
  LMFRONT_RETURN_IF_ERROR(s->boolean(u"skip_invalid", t.skipInvalid));
  LMFRONT_RETURN_IF_ERROR(s->integer(u"memory_mb", 16, 1 << 20, t.memoryMb));
  LMFRONT_RETURN_IF_ERROR(s->boolean(u"discount_fallback", t.discountFallback));
  LMFRONT_RETURN_IF_ERROR(s->finish());
  out = t;
  return Status::ok();
}

}  // namespace

bool isModelName(QStringView name) {
  if (name.isEmpty() || name.size() > 64 || name[0] < u'a' || name[0] > u'z') return false;
  for (QChar c : name)
    if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'_' || c == u'-')) return false;
  return true;
}

Result<BundleManifest> parseBundleManifest(const QByteArray &json) {
  QJsonParseError parseError{};
  const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
  if (parseError.error != QJsonParseError::NoError)
    return Status::invalidArgument(
        QStringLiteral("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset).toStdString());
  if (!doc.isObject()) return Status::invalidArgument("expected a JSON object");

  JsonSection root(doc.object());
  BundleManifest m;
  LMFRONT_RETURN_IF_ERROR(readName(root, u"name", m.name));
  LMFRONT_RETURN_IF_ERROR(root.string(u"description", m.description));
  LMFRONT_RETURN_IF_ERROR(readRequiredText(root, u"owner", m.owner));
  LMFRONT_RETURN_IF_ERROR(readRequiredText(root, u"license", m.license));
  LMFRONT_RETURN_IF_ERROR(readTokenizer(root, m.tokenizer));
  LMFRONT_RETURN_IF_ERROR(required(root, u"order", QStringLiteral("an integer from 1 to 6")));
  LMFRONT_RETURN_IF_ERROR(root.integer(u"order", 1, engine::kMaxOrder, m.order));
  LMFRONT_RETURN_IF_ERROR(readDependencies(root, m.name, m.dependsOn));
  LMFRONT_RETURN_IF_ERROR(readTraining(root, m.train));
  LMFRONT_RETURN_IF_ERROR(root.finish());
  return m;
}

}  // namespace lmfront::registry
