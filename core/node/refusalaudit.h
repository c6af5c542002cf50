// Refused requests to change something, as rows of the audit log (docs/models.md, "Audit"): a
// command or an HTTP call that needs the operator role or more, made with no key, an unknown key
// or too low a role. The HTTP admission and the ops registry report them (cluster::OpsRefusal);
// the catalog appends them on the node thread.
#pragma once

#include "cluster/opsregistry.h"
#include "registry/auditlog.h"

#include <cstdint>
#include <mutex>
#include <optional>

namespace lmfront::node {

// The row for `refusal`: its model and version when the request named them.
registry::AuditEntry refusalEntry(const cluster::OpsRefusal &refusal, std::int64_t nowMs);

// An HTTP request's refusal: action "METHOD PATH", or for a catalog action its verb, model and
// version (/admin/catalog/MODEL/versions/N/VERB, /admin/catalog/MODEL/deploy|promote|rollback).
cluster::OpsRefusal httpRefusal(std::string_view method, std::string_view path, std::string actor, std::string reason);

// Bounds what refusals cost: a client hammering an admin route with a bad key must not grow the
// catalog without limit. At most kPerSecond refusals a second are audited; the others are counted
// and the next audited row says how many were left out.
class RefusalThrottle {
public:
  static constexpr int kPerSecond = 20;
  // nullopt: not audited; otherwise how many refusals were left out since the last audited one.
  std::optional<std::uint64_t> admit(std::int64_t nowMs);

private:
  std::mutex m_mutex;
  std::int64_t m_second = -1;   // GUARDED_BY(m_mutex)
  int m_inSecond = 0;           // GUARDED_BY(m_mutex)
  std::uint64_t m_leftOut = 0;  // GUARDED_BY(m_mutex)
};

}  // namespace lmfront::node
