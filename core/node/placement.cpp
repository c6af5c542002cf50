#include "node/placement.h"

#include "cluster/membership.h"

#include <algorithm>
#include <tuple>

namespace lmfront::node {

namespace {

qint64 freeMemory(const cluster::MemberInfo &m) {
  const qint64 total = m.capacity.value(u"memory_bytes"_qs).toInteger();
  if (total <= 0) return -1;  // unknown
  return total - m.capacity.value(u"memory_used_bytes"_qs).toInteger();
}

}  // namespace

QStringList everyMemberUp(const QList<cluster::MemberInfo> &members) {
  QStringList out;
  for (const cluster::MemberInfo &m : members)
    if (m.state == u"up"_qs) out << m.id;
  out.sort();
  return out;
}

Result<QStringList> choosePlacement(const QList<cluster::MemberInfo> &members, int replicas, qint64 needBytes) {
  if (replicas < 1) return Status::invalidArgument("\"replicas\": expected a whole number >= 1");
  QList<cluster::MemberInfo> fit;
  int up = 0;
  for (const cluster::MemberInfo &m : members) {
    if (m.state != u"up"_qs) continue;
    ++up;
    const qint64 free = freeMemory(m);
    if (free < 0 || free >= needBytes) fit << m;
  }
  if (fit.size() < replicas)
    return Status::failedPrecondition(
        QStringLiteral("%1 replicas asked, but only %2 of the %3 members up have %4 bytes "
                       "of memory free")
            .arg(replicas)
            .arg(fit.size())
            .arg(up)
            .arg(needBytes)
            .toStdString());
  std::sort(fit.begin(), fit.end(), [](const cluster::MemberInfo &a, const cluster::MemberInfo &b) {
    const qint64 usedA = a.capacity.value(u"memory_used_bytes"_qs).toInteger();
    const qint64 usedB = b.capacity.value(u"memory_used_bytes"_qs).toInteger();
    return std::make_tuple(a.models.size(), usedA, a.id) < std::make_tuple(b.models.size(), usedB, b.id);
  });
  QStringList out;
  for (int i = 0; i < replicas; ++i) out << fit[i].id;
  out.sort();
  return out;
}

}  // namespace lmfront::node
