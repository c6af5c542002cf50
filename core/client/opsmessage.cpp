#include "client/opsmessage.h"

#include <QJsonArray>
#include <QJsonObject>
#include <array>

namespace lmfront::client {

namespace {

constexpr std::array<std::pair<OpsType, std::string_view>, 10> kTypes{{
    {OpsType::Auth, "auth"},
    {OpsType::Subscribe, "subscribe"},
    {OpsType::Unsubscribe, "unsubscribe"},
    {OpsType::Command, "command"},
    {OpsType::Result, "result"},
    {OpsType::Error, "error"},
    {OpsType::Snapshot, "snapshot"},
    {OpsType::Delta, "delta"},
    {OpsType::Ping, "ping"},
    {OpsType::Pong, "pong"},
}};

constexpr std::array<std::pair<OpsErrorCode, std::string_view>, 17> kCodes{{
    {OpsErrorCode::BadRequest, "bad_request"},
    {OpsErrorCode::TooLarge, "too_large"},
    {OpsErrorCode::UnsupportedVersion, "unsupported_version"},
    {OpsErrorCode::UnknownType, "unknown_type"},
    {OpsErrorCode::UnknownTopic, "unknown_topic"},
    {OpsErrorCode::UnknownCommand, "unknown_command"},
    {OpsErrorCode::Unauthenticated, "unauthenticated"},
    {OpsErrorCode::Forbidden, "forbidden"},
    {OpsErrorCode::NotFound, "not_found"},
    {OpsErrorCode::Conflict, "conflict"},
    {OpsErrorCode::FailedPrecondition, "failed_precondition"},
    {OpsErrorCode::Overloaded, "overloaded"},
    {OpsErrorCode::Unavailable, "unavailable"},
    {OpsErrorCode::Timeout, "timeout"},
    {OpsErrorCode::Cancelled, "cancelled"},
    {OpsErrorCode::Unimplemented, "unimplemented"},
    {OpsErrorCode::Internal, "internal"},
}};

bool equals(QStringView text, std::string_view ascii) {
  return text == QLatin1StringView(ascii.data(), static_cast<qsizetype>(ascii.size()));
}

}  // namespace

std::string_view opsTypeName(OpsType type) {
  for (const auto &[t, name] : kTypes)
    if (t == type) return name;
  return "unknown";
}

std::optional<OpsType> parseOpsType(QStringView text) {
  for (const auto &[t, name] : kTypes)
    if (equals(text, name)) return t;
  return std::nullopt;
}

bool isClientType(OpsType type) {
  switch (type) {
  case OpsType::Auth:
  case OpsType::Subscribe:
  case OpsType::Unsubscribe:
  case OpsType::Command:
  case OpsType::Ping: return true;
  case OpsType::Result:
  case OpsType::Error:
  case OpsType::Snapshot:
  case OpsType::Delta:
  case OpsType::Pong: return false;
  }
  return false;
}

std::string_view opsErrorCodeName(OpsErrorCode code) {
  for (const auto &[c, name] : kCodes)
    if (c == code) return name;
  return "internal";
}

OpsErrorCode parseOpsErrorCode(QStringView text) {
  for (const auto &[c, name] : kCodes)
    if (equals(text, name)) return c;
  return OpsErrorCode::Internal;
}

OpsErrorCode opsErrorCodeFor(const Status &status) {
  switch (status.code()) {
  case StatusCode::InvalidArgument: return OpsErrorCode::BadRequest;
  case StatusCode::NotFound: return OpsErrorCode::NotFound;
  case StatusCode::AlreadyExists: return OpsErrorCode::Conflict;
  case StatusCode::PermissionDenied: return OpsErrorCode::Forbidden;
  case StatusCode::Unauthenticated: return OpsErrorCode::Unauthenticated;
  case StatusCode::ResourceExhausted: return OpsErrorCode::Overloaded;
  case StatusCode::FailedPrecondition: return OpsErrorCode::FailedPrecondition;
  case StatusCode::Unavailable: return OpsErrorCode::Unavailable;
  case StatusCode::DeadlineExceeded: return OpsErrorCode::Timeout;
  case StatusCode::Cancelled: return OpsErrorCode::Cancelled;
  case StatusCode::Unimplemented: return OpsErrorCode::Unimplemented;
  case StatusCode::Ok:
  case StatusCode::DataLoss:
  case StatusCode::IoError:
  case StatusCode::Internal: return OpsErrorCode::Internal;
  }
  return OpsErrorCode::Internal;
}

OpsError OpsError::fromStatus(const Status &status, QString id) {
  return OpsError{opsErrorCodeFor(status), QString::fromStdString(status.message()), std::move(id)};
}

OpsMessage OpsMessage::request(OpsType type, QString id, QJsonValue payload) {
  OpsMessage m;
  m.type = type;
  m.id = std::move(id);
  m.payload = std::move(payload);
  return m;
}

OpsMessage OpsMessage::subscribe(QString id, QString topic, QJsonValue options) {
  OpsMessage m = request(OpsType::Subscribe, std::move(id), std::move(options));
  m.topic = std::move(topic);
  return m;
}

OpsMessage OpsMessage::command(QString id, QString name, QJsonValue args) {
  OpsMessage m = request(OpsType::Command, std::move(id), std::move(args));
  m.name = std::move(name);
  return m;
}

OpsMessage OpsMessage::result(QString id, QJsonValue payload) {
  return request(OpsType::Result, std::move(id), std::move(payload));
}

OpsMessage OpsMessage::error(const OpsError &error) {
  const std::string_view code = opsErrorCodeName(error.code);
  QJsonObject payload{{QStringLiteral("code"), QString::fromLatin1(code.data(), static_cast<qsizetype>(code.size()))},
                      {QStringLiteral("message"), error.message}};
  if (error.code == OpsErrorCode::UnsupportedVersion)
    payload.insert(QStringLiteral("supported"), QJsonArray{kOpsVersion});
  return request(OpsType::Error, error.id, payload);
}

OpsMessage OpsMessage::snapshot(QString topic, qint64 seq, QJsonValue payload, QString id) {
  OpsMessage m = request(OpsType::Snapshot, std::move(id), std::move(payload));
  m.topic = std::move(topic);
  m.seq = seq;
  return m;
}

OpsMessage OpsMessage::delta(QString topic, qint64 seq, QJsonValue payload) {
  OpsMessage m = request(OpsType::Delta, {}, std::move(payload));
  m.topic = std::move(topic);
  m.seq = seq;
  return m;
}

OpsMessage OpsMessage::pong(QString id, QJsonValue payload) {
  return request(OpsType::Pong, std::move(id), std::move(payload));
}

OpsError OpsMessage::errorPayload() const {
  const QJsonObject o = payload.toObject();
  return OpsError{parseOpsErrorCode(o.value(QLatin1StringView("code")).toString()),
                  o.value(QLatin1StringView("message")).toString(), id};
}

}  // namespace lmfront::client
