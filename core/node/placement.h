// Where a cluster deployment runs (docs/cluster.md, "Desired state"): `replicas` members chosen
// among those up with enough memory, least loaded first — fewest models served, then least
// memory in use, then by id, so the same view gives the same answer. Pure functions over values.
#pragma once

#include "common/status.h"

#include <QList>
#include <QStringList>

namespace lmfront::cluster {
struct MemberInfo;
}

namespace lmfront::node {

// `needBytes`: the artifact's size; a member whose record says it has less free memory
// (capacity.memory_bytes − capacity.memory_used_bytes) is left out, one whose record does not
// say is taken as having room. FailedPrecondition naming how many fit when fewer than
// `replicas` do; InvalidArgument for replicas < 1.
Result<QStringList> choosePlacement(const QList<cluster::MemberInfo> &members, int replicas, qint64 needBytes);

// Every member that is up: the placement of a deployment without a replica count.
QStringList everyMemberUp(const QList<cluster::MemberInfo> &members);

}  // namespace lmfront::node
