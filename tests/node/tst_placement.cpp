// Where a cluster deployment with a replica count goes (node/placement.h): members up with the
// artifact's size free, least loaded first (fewest models, then least memory used, then id).
#include "cluster/membership.h"
#include "node/placement.h"

#include <QJsonObject>
#include <QTest>

using namespace lmfront;
using cluster::MemberInfo;

namespace {

MemberInfo member(const QString &id, int models, qint64 total, qint64 used, const QString &state = u"up"_qs) {
  MemberInfo m;
  m.id = id;
  m.state = state;
  for (int i = 0; i < models; ++i) m.models << u"m"_qs + QString::number(i);
  if (total > 0) m.capacity = QJsonObject{{u"memory_bytes"_qs, total}, {u"memory_used_bytes"_qs, used}};
  return m;
}

}  // namespace

class TestPlacement : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void leastLoadedFirst() {
    const QList<MemberInfo> members{member(u"a"_qs, 3, 1000, 100), member(u"b"_qs, 1, 1000, 500),
                                    member(u"c"_qs, 1, 1000, 200), member(u"d"_qs, 2, 1000, 0)};
    QCOMPARE(*node::choosePlacement(members, 1, 10), QStringList{u"c"_qs});
    QCOMPARE(*node::choosePlacement(members, 2, 10), (QStringList{u"b"_qs, u"c"_qs}));
    QCOMPARE(*node::choosePlacement(members, 3, 10), (QStringList{u"b"_qs, u"c"_qs, u"d"_qs}));
  }

  void tooLittleMemoryOrNotUpIsLeftOut() {
    const QList<MemberInfo> members{member(u"a"_qs, 0, 1000, 950), member(u"b"_qs, 0, 1000, 0, u"draining"_qs),
                                    member(u"c"_qs, 5, 1000, 100), member(u"d"_qs, 0, 0, 0)};
    // a has 50 bytes free, b drains; d's record says nothing about memory: taken as having room.
    QCOMPARE(*node::choosePlacement(members, 2, 100), (QStringList{u"c"_qs, u"d"_qs}));
    auto refused = node::choosePlacement(members, 3, 100);
    QVERIFY(!refused);
    QCOMPARE(refused.status().code(), StatusCode::FailedPrecondition);
    QCOMPARE(QString::fromStdString(refused.status().message()),
             u"3 replicas asked, but only 2 of the 3 members up have 100 bytes of memory free"_qs);
    QCOMPARE(node::choosePlacement(members, 0, 1).status().code(), StatusCode::InvalidArgument);
  }

  void everyMemberUpWithoutACount() {
    const QList<MemberInfo> members{member(u"b"_qs, 0, 0, 0), member(u"a"_qs, 0, 0, 0),
                                    member(u"c"_qs, 0, 0, 0, u"down"_qs)};
    QCOMPARE(node::everyMemberUp(members), (QStringList{u"a"_qs, u"b"_qs}));
  }
};

QTEST_GUILESS_MAIN(TestPlacement)
#include "tst_placement.moc"
