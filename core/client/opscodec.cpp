#include "client/opscodec.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <algorithm>
#include <cctype>
#include <cmath>

namespace lmfront::client {

namespace {

QString fromAscii(std::string_view text) {
  return QString::fromLatin1(text.data(), static_cast<qsizetype>(text.size()));
}

// Client-supplied text quoted in an error message: bounded, so an error never echoes a megabyte.
QString quoted(const QString &text) {
  constexpr qsizetype kMax = 64;
  return u'\'' + (text.size() <= kMax ? text : text.left(kMax) + QStringLiteral("…")) + u'\'';
}

bool isAbsent(const QJsonValue &v) { return v.isUndefined() || v.isNull(); }

// An integral JSON number within [lo, hi]: 1 and 1.0 are the same number in JSON.
std::optional<qint64> integer(const QJsonValue &v, double lo, double hi) {
  if (!v.isDouble()) return std::nullopt;
  const double d = v.toDouble();
  if (!std::isfinite(d) || d != std::floor(d) || d < lo || d > hi) return std::nullopt;
  return static_cast<qint64>(d);
}

bool validId(const QJsonValue &v) {
  return v.isString() && !v.toString().isEmpty() && v.toString().size() <= OpsCodec::kMaxIdLength;
}

QString typeList(OpsCodec::Side side) {
  QStringList names;
  for (OpsType t : {OpsType::Auth, OpsType::Subscribe, OpsType::Unsubscribe, OpsType::Command, OpsType::Result,
                    OpsType::Error, OpsType::Snapshot, OpsType::Delta, OpsType::Ping, OpsType::Pong})
    if (isClientType(t) == (side == OpsCodec::Side::Node)) names << fromAscii(opsTypeName(t));
  const QString last = names.takeLast();
  return names.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

struct Rules {
  bool idRequired = false;
  bool idUsed = false;
  bool topic = false;
  bool name = false;
  enum class Payload { Ignored, Any, OptionalObject, Object } payload = Payload::Ignored;
  bool seq = false;
};

Rules rulesFor(OpsType type) {
  using P = Rules::Payload;
  switch (type) {
  case OpsType::Auth: return {true, true, false, false, P::OptionalObject, false};
  case OpsType::Subscribe: return {true, true, true, false, P::OptionalObject, false};
  case OpsType::Unsubscribe: return {true, true, true, false, P::Ignored, false};
  case OpsType::Command: return {true, true, false, true, P::OptionalObject, false};
  case OpsType::Ping: return {true, true, false, false, P::Any, false};
  case OpsType::Result: return {true, true, false, false, P::Any, false};
  case OpsType::Pong: return {true, true, false, false, P::Any, false};
  case OpsType::Error: return {false, true, false, false, P::Object, false};
  case OpsType::Snapshot: return {false, true, true, false, P::Object, true};
  case OpsType::Delta: return {false, false, true, false, P::Object, true};
  }
  return {};
}

// Checks of the protocol-level payloads (auth's key, error's code and message); other payloads
// belong to their topic or command.
std::optional<QString> checkPayload(OpsType type, const QJsonObject &payload) {
  auto mustBeString = [&](const char *key, bool required) -> std::optional<QString> {
    const QJsonValue v = payload.value(QLatin1StringView(key));
    if (isAbsent(v) && !required) return std::nullopt;
    if (!v.isString())
      return isAbsent(v) ? QStringLiteral("%1 needs field 'payload.%2'")
                               .arg(fromAscii(opsTypeName(type)), QLatin1StringView(key))
                         : QStringLiteral("field 'payload.%1' must be a string").arg(QLatin1StringView(key));
    return std::nullopt;
  };
  if (type == OpsType::Auth) return mustBeString("key", false);
  if (type == OpsType::Error) {
    if (auto e = mustBeString("code", true)) return e;
    return mustBeString("message", true);
  }
  return std::nullopt;
}

}  // namespace

OpsDecoded OpsCodec::decode(QByteArrayView frame) const {
  if (frame.size() > m_maxFrameBytes)
    return OpsError{OpsErrorCode::TooLarge,
                    QStringLiteral("message is %1 bytes; the limit is %2").arg(frame.size()).arg(m_maxFrameBytes),
                    {}};
  // Any JSON text other than an object (a bare string, number, array) is answered as such, not as
  // a parse error: Qt's parser accepts only objects and arrays at the top.
  const auto first =
      std::find_if(frame.begin(), frame.end(), [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
  if (first != frame.end() && *first != '{')
    return OpsError{OpsErrorCode::BadRequest, QStringLiteral("a message must be a JSON object"), {}};
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(frame.toByteArray(), &parseError);
  if (parseError.error != QJsonParseError::NoError)
    return OpsError{OpsErrorCode::BadRequest,
                    QStringLiteral("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset),
                    {}};
  if (!doc.isObject()) return OpsError{OpsErrorCode::BadRequest, QStringLiteral("a message must be a JSON object"), {}};
  const QJsonObject o = doc.object();
  const QJsonValue idValue = o.value(QLatin1StringView("id"));
  const QString id = validId(idValue) ? idValue.toString() : QString();
  auto bad = [&](QString message) { return OpsError{OpsErrorCode::BadRequest, std::move(message), id}; };

  const QJsonValue v = o.value(QLatin1StringView("v"));
  if (isAbsent(v)) return bad(QStringLiteral("missing field 'v' (the protocol version, 1)"));
  const auto version = integer(v, -9.0e15, 9.0e15);
  if (!version) return bad(QStringLiteral("field 'v' must be an integer"));
  if (*version != kOpsVersion)
    return OpsError{
        OpsErrorCode::UnsupportedVersion,
        QStringLiteral("protocol version %1 is not supported; supported: %2").arg(*version).arg(kOpsVersion), id};

  const QJsonValue typeValue = o.value(QLatin1StringView("type"));
  if (isAbsent(typeValue)) return bad(QStringLiteral("missing field 'type'"));
  if (!typeValue.isString()) return bad(QStringLiteral("field 'type' must be a string"));
  const auto type = parseOpsType(typeValue.toString());
  if (!type)
    return OpsError{OpsErrorCode::UnknownType,
                    QStringLiteral("unknown type %1: expected %2").arg(quoted(typeValue.toString()), typeList(m_side)),
                    id};
  const QString typeName = fromAscii(opsTypeName(*type));
  if (isClientType(*type) != (m_side == Side::Node))
    return bad(QStringLiteral("type '%1' is sent by %2, not by %3")
                   .arg(typeName, m_side == Side::Node ? QStringLiteral("the node") : QStringLiteral("a client"),
                        m_side == Side::Node ? QStringLiteral("a client") : QStringLiteral("the node")));

  const Rules rules = rulesFor(*type);
  OpsMessage message;
  message.v = static_cast<int>(*version);
  message.type = *type;
  if (rules.idUsed && !isAbsent(idValue)) {
    if (!validId(idValue))
      return bad(QStringLiteral("field 'id' must be a string of 1 to %1 characters").arg(kMaxIdLength));
    message.id = id;
  } else if (rules.idRequired) {
    return bad(QStringLiteral("%1 needs field 'id'").arg(typeName));
  }
  auto text = [&](const char *field, QString &into) -> std::optional<QString> {
    const QJsonValue value = o.value(QLatin1StringView(field));
    if (isAbsent(value)) return QStringLiteral("%1 needs field '%2'").arg(typeName, QLatin1StringView(field));
    if (!value.isString() || value.toString().isEmpty())
      return QStringLiteral("field '%1' must be a non-empty string").arg(QLatin1StringView(field));
    into = value.toString();
    return std::nullopt;
  };
  if (rules.topic)
    if (auto e = text("topic", message.topic)) return bad(*e);
  if (rules.name)
    if (auto e = text("name", message.name)) return bad(*e);

  const QJsonValue payload = o.value(QLatin1StringView("payload"));
  using P = Rules::Payload;
  if (rules.payload == P::Object && isAbsent(payload))
    return bad(QStringLiteral("%1 needs field 'payload'").arg(typeName));
  if ((rules.payload == P::Object || rules.payload == P::OptionalObject) && !isAbsent(payload)) {
    if (!payload.isObject()) return bad(QStringLiteral("field 'payload' must be an object"));
    if (auto e = checkPayload(*type, payload.toObject())) return bad(*e);
  }
  if (rules.payload != P::Ignored && !isAbsent(payload)) message.payload = payload;

  if (rules.seq) {
    const QJsonValue seq = o.value(QLatin1StringView("seq"));
    if (isAbsent(seq)) return bad(QStringLiteral("%1 needs field 'seq'").arg(typeName));
    const auto n = integer(seq, 0, 9.0e15);
    if (!n) return bad(QStringLiteral("field 'seq' must be a non-negative integer"));
    message.seq = *n;
  }
  return message;
}

QByteArray OpsCodec::encode(const OpsMessage &message) {
  QJsonObject o{{QStringLiteral("v"), message.v}, {QStringLiteral("type"), fromAscii(opsTypeName(message.type))}};
  if (!message.id.isEmpty()) o.insert(QStringLiteral("id"), message.id);
  if (!message.topic.isEmpty()) o.insert(QStringLiteral("topic"), message.topic);
  if (!message.name.isEmpty()) o.insert(QStringLiteral("name"), message.name);
  if (!isAbsent(message.payload)) o.insert(QStringLiteral("payload"), message.payload);
  if (message.seq >= 0) o.insert(QStringLiteral("seq"), message.seq);
  return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

}  // namespace lmfront::client
