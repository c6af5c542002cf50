// The arguments of the node's ops commands (docs/ops-protocol.md), read the same way by every
// service: a wrong type or value is InvalidArgument naming the field (`"percent": expected a
// number`), and the HTTP endpoints that run the commands pass query and path parts as strings, so
// numbers are also accepted as decimal strings. Plus who a caller is in the audit log.
#pragma once

#include "cluster/opsregistry.h"
#include "common/status.h"

#include <QJsonObject>
#include <cstdint>
#include <optional>
#include <string>

namespace lmfront::node {

// A string field; absent or null is "" unless required (then "" is refused too).
Result<std::string> stringArg(const QJsonObject &args, QStringView key, bool required);
// A whole number >= 1 (a number, or its decimal string): a version, a job's id.
Result<std::int64_t> positiveArg(const QJsonObject &args, QStringView key);
// A number field (or its decimal string); absent or null is nullopt.
Result<std::optional<double>> numberArg(const QJsonObject &args, QStringView key);
// A boolean field; absent or null is false.
Result<bool> boolArg(const QJsonObject &args, QStringView key);
// The audited actor: the caller's key name (its id when unnamed), "local" for a keyless caller.
std::string auditActor(const cluster::Principal &caller);

}  // namespace lmfront::node
