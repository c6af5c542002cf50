#include "registry/validationreport.h"

#include "config/jsonsection.h"

#include <QJsonArray>
#include <algorithm>
#include <cmath>

namespace lmfront::registry {

namespace {

using config::JsonSection;

constexpr qint64 kMaxCount = qint64{1} << 53;  // JSON numbers hold integers exactly up to here

QJsonValue count(std::uint64_t n) { return static_cast<double>(n); }
// NaN and infinity are not JSON: a perplexity that overflowed is stored as null.
QJsonValue real(double x) { return std::isfinite(x) ? QJsonValue(x) : QJsonValue(QJsonValue::Null); }

Status readCount(JsonSection &s, QStringView key, std::uint64_t &out) {
  qint64 v = static_cast<qint64>(out);
  LMFRONT_RETURN_IF_ERROR(s.integer(key, 0, kMaxCount, v));
  out = static_cast<std::uint64_t>(v);
  return Status::ok();
}

Status readReal(JsonSection &s, QStringView key, double &out) {
  if (s.value(key).isNull()) {
    out = std::numeric_limits<double>::infinity();
    return Status::ok();
  }
  return s.number(key, 0, std::numeric_limits<double>::max(), out);
}

Status readNormalization(JsonSection &s, NormalizationFigures &n) {
  LMFRONT_RETURN_IF_ERROR(s.number(u"tolerance", 0, 1, n.tolerance));
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"contexts", n.contexts));
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"checked", n.checked));
  LMFRONT_RETURN_IF_ERROR(s.boolean(u"sampled", n.sampled));
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"failed", n.failed));
  LMFRONT_RETURN_IF_ERROR(readReal(s, u"worst_deviation", n.worstDeviation));
  LMFRONT_RETURN_IF_ERROR(s.string(u"worst_context", n.worstContext));
  return s.finish();
}

Status readDev(JsonSection &s, DevFigures &d) {
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"sentences", d.sentences));
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"tokens", d.tokens));
  LMFRONT_RETURN_IF_ERROR(readCount(s, u"oov", d.oov));
  LMFRONT_RETURN_IF_ERROR(s.number(u"oov_rate", 0, 1, d.oovRate));
  LMFRONT_RETURN_IF_ERROR(readReal(s, u"perplexity", d.perplexity));
  LMFRONT_RETURN_IF_ERROR(readReal(s, u"perplexity_excl_oov", d.perplexityExclOov));
  LMFRONT_RETURN_IF_ERROR(readReal(s, u"threshold", d.threshold));
  return s.finish();
}

// An optional object member: absent or null leaves `out` empty.
template <typename T, typename Reader>
Status readOptional(JsonSection &root, QStringView key, std::optional<T> &out, Reader read) {
  if (!root.contains(key) || root.value(key).isNull()) return Status::ok();
  auto s = root.section(key);
  if (!s) return s.status();
  T value;
  LMFRONT_RETURN_IF_ERROR(read(*s, value));
  out = value;
  return Status::ok();
}

}  // namespace

void ValidationReport::add(QString name, bool ok, QString detail) {
  checks.push_back({std::move(name), ok, std::move(detail)});
  passed = std::all_of(checks.begin(), checks.end(), [](const ValidationCheck &c) { return c.passed; });
}

const ValidationCheck *ValidationReport::check(const QString &name) const {
  for (const ValidationCheck &c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

QJsonObject ValidationReport::toJson() const {
  QJsonArray checkList, countList;
  for (const ValidationCheck &c : checks)
    checkList.append(QJsonObject{{u"name"_qs, c.name}, {u"passed"_qs, c.passed}, {u"detail"_qs, c.detail}});
  for (std::uint64_t n : counts) countList.append(count(n));
  QJsonObject o{{u"passed"_qs, passed}, {u"checks"_qs, checkList}};
  if (order > 0) {  // the model was read
    o.insert(u"order"_qs, order);
    o.insert(u"counts"_qs, countList);
    o.insert(u"vocabulary"_qs, count(vocabulary));
    o.insert(u"unk"_qs, unkPresent ? u"present"_qs : u"synthesized"_qs);
  }
  if (normalization) {
    const NormalizationFigures &n = *normalization;
    o.insert(u"normalization"_qs, QJsonObject{{u"tolerance"_qs, n.tolerance},
                                              {u"contexts"_qs, count(n.contexts)},
                                              {u"checked"_qs, count(n.checked)},
                                              {u"sampled"_qs, n.sampled},
                                              {u"failed"_qs, count(n.failed)},
                                              {u"worst_deviation"_qs, real(n.worstDeviation)},
                                              {u"worst_context"_qs, n.worstContext}});
  }
  if (dev) {
    o.insert(u"dev"_qs, QJsonObject{{u"sentences"_qs, count(dev->sentences)},
                                    {u"tokens"_qs, count(dev->tokens)},
                                    {u"oov"_qs, count(dev->oov)},
                                    {u"oov_rate"_qs, dev->oovRate},
                                    {u"perplexity"_qs, real(dev->perplexity)},
                                    {u"perplexity_excl_oov"_qs, real(dev->perplexityExclOov)},
                                    {u"threshold"_qs, real(dev->threshold)}});
  }
  return o;
}

Result<ValidationReport> ValidationReport::fromJson(const QJsonObject &json) {
  JsonSection root(json);
  ValidationReport r;
  std::vector<JsonSection> checkList;
  LMFRONT_RETURN_IF_ERROR(root.sections(u"checks", checkList));
  for (JsonSection &c : checkList) {
    ValidationCheck check;
    LMFRONT_RETURN_IF_ERROR(c.nonEmptyString(u"name", check.name));
    LMFRONT_RETURN_IF_ERROR(c.boolean(u"passed", check.passed));
    LMFRONT_RETURN_IF_ERROR(c.string(u"detail", check.detail));
    LMFRONT_RETURN_IF_ERROR(c.finish());
    r.checks.push_back(check);
  }
  LMFRONT_RETURN_IF_ERROR(root.boolean(u"passed", r.passed));
  LMFRONT_RETURN_IF_ERROR(root.integer(u"order", 0, 6, r.order));
  QJsonArray countList;
  LMFRONT_RETURN_IF_ERROR(root.array(u"counts", countList));
  for (const QJsonValue &v : countList) {
    if (!v.isDouble() || v.toDouble() < 0) return root.invalid(u"counts", QStringLiteral("an array of counts"));
    r.counts.push_back(static_cast<std::uint64_t>(v.toDouble()));
  }
  LMFRONT_RETURN_IF_ERROR(readCount(root, u"vocabulary", r.vocabulary));
  QString unk = QStringLiteral("synthesized");
  LMFRONT_RETURN_IF_ERROR(root.string(u"unk", unk));
  if (unk != u"present" && unk != u"synthesized")
    return root.invalid(u"unk", QStringLiteral("\"present\" or \"synthesized\""));
  r.unkPresent = unk == u"present";
  LMFRONT_RETURN_IF_ERROR(readOptional(root, u"normalization", r.normalization, readNormalization));
  LMFRONT_RETURN_IF_ERROR(readOptional(root, u"dev", r.dev, readDev));
  LMFRONT_RETURN_IF_ERROR(root.finish());
  return r;
}

}  // namespace lmfront::registry
