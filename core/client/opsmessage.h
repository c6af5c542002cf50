// OpsMessage and OpsError: the values of the ops protocol (docs/ops-protocol.md), one per text
// frame. Plain values (Qt Core JSON only): thread-compatible, cheap to copy and to queue between
// threads.
#pragma once

#include "common/status.h"

#include <QJsonValue>
#include <QString>
#include <optional>
#include <string_view>

namespace lmfront::client {

// The protocol version this code speaks; see "Versions and compatibility" in the doc.
inline constexpr int kOpsVersion = 1;

enum class OpsType { Auth, Subscribe, Unsubscribe, Command, Result, Error, Snapshot, Delta, Ping, Pong };

std::string_view opsTypeName(OpsType type);  // "auth", "subscribe", …
std::optional<OpsType> parseOpsType(QStringView text);
// auth, subscribe, unsubscribe, command, ping: sent by clients, answered by the node.
bool isClientType(OpsType type);

// Stable error codes (the `code` of an error payload). New ones may be added within version 1.
enum class OpsErrorCode {
  BadRequest,
  TooLarge,
  UnsupportedVersion,
  UnknownType,
  UnknownTopic,
  UnknownCommand,
  Unauthenticated,
  Forbidden,
  NotFound,
  Conflict,
  FailedPrecondition,
  Overloaded,
  Unavailable,
  Timeout,
  Cancelled,
  Unimplemented,
  Internal,
};

std::string_view opsErrorCodeName(OpsErrorCode code);  // "bad_request", …
// Unknown names give Internal: a client treats codes it does not know as plain failures.
OpsErrorCode parseOpsErrorCode(QStringView text);
// The code a core Status reports as (InvalidArgument → bad_request, …). `status` must not be ok.
OpsErrorCode opsErrorCodeFor(const Status &status);

// A refused or failed request: what goes into an `error` frame. `id` is the request's when it
// could be read (empty otherwise).
struct OpsError {
  OpsErrorCode code = OpsErrorCode::Internal;
  QString message;
  QString id;

  static OpsError fromStatus(const Status &status, QString id = {});
};

// One message. Fields a type does not use stay empty and are not encoded; `payload` is
// QJsonValue::Undefined when absent.
struct OpsMessage {
  int v = kOpsVersion;
  OpsType type = OpsType::Ping;
  QString id;
  QString topic;
  QString name;
  QJsonValue payload = QJsonValue(QJsonValue::Undefined);
  qint64 seq = -1;  // snapshot and delta only; -1 = absent

  static OpsMessage request(OpsType type, QString id, QJsonValue payload = QJsonValue(QJsonValue::Undefined));
  static OpsMessage subscribe(QString id, QString topic, QJsonValue options = QJsonValue(QJsonValue::Undefined));
  static OpsMessage command(QString id, QString name, QJsonValue args = QJsonValue(QJsonValue::Undefined));
  static OpsMessage result(QString id, QJsonValue payload);
  static OpsMessage error(const OpsError &error);
  // `id` is the subscribe's when the snapshot answers one, empty for a recovery snapshot.
  static OpsMessage snapshot(QString topic, qint64 seq, QJsonValue payload, QString id = {});
  static OpsMessage delta(QString topic, qint64 seq, QJsonValue payload);
  static OpsMessage pong(QString id, QJsonValue payload);

  // For an `error` message: its payload as an OpsError (the codec checked its shape).
  OpsError errorPayload() const;
};

}  // namespace lmfront::client
