#include "cluster/membership.h"

#include "cluster/etcdclient.h"
#include "cluster/etcdsession.h"
#include "cluster/prefixwatch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTimer>

namespace lmfront::cluster {

QJsonObject MemberInfo::toJson() const {
  return QJsonObject{{u"id"_qs, id},
                     {u"address"_qs, address},
                     {u"version"_qs, version},
                     {u"state"_qs, state},
                     {u"models"_qs, QJsonArray::fromStringList(models)},
                     {u"capacity"_qs, capacity},
                     {u"started_at"_qs, startedAt}};
}

Result<MemberInfo> MemberInfo::fromJson(const QByteArray &json) {
  QJsonParseError error{};
  const QJsonObject o = QJsonDocument::fromJson(json, &error).object();
  if (error.error != QJsonParseError::NoError || o.value(u"id"_qs).toString().isEmpty())
    return Status::invalidArgument("member record is not a JSON object with an id");
  MemberInfo m;
  m.id = o.value(u"id"_qs).toString();
  m.address = o.value(u"address"_qs).toString();
  m.version = o.value(u"version"_qs).toString();
  m.state = o.value(u"state"_qs).toString(u"up"_qs);
  for (const QJsonValue &v : o.value(u"models"_qs).toArray()) m.models << v.toString();
  m.capacity = o.value(u"capacity"_qs).toObject();
  m.startedAt = o.value(u"started_at"_qs).toString();
  return m;
}

Membership::Membership(EtcdClient &client, EtcdSession &session, QString cluster, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_session(session),
      m_prefix(QByteArrayLiteral("/lmfront/") + cluster.toUtf8() + '/'),
      m_membersPrefix(m_prefix + "members/"),
      m_drainPrefix(m_prefix + "drain/"),
      m_view(new PrefixWatch(client, m_prefix, this)) {
  m_clock.start();
  connect(m_view, &PrefixWatch::snapshot, this, &Membership::applySnapshot);
  connect(m_view, &PrefixWatch::changed, this, &Membership::applyKv);
  connect(m_view, &PrefixWatch::syncedChanged, this, &Membership::syncedChanged);
  connect(&m_session, &EtcdSession::established, this, [this] { registerSelf(); });
  connect(&m_session, &EtcdSession::lost, this, [this] {
    m_registeredLease = 0;
    // The watch may be a stream from an etcd that no longer answers: read everything again.
    m_view->resync();
  });
}

bool Membership::synced() const { return m_view->synced(); }

void Membership::start(const MemberInfo &self) {
  if (m_running) return;
  m_running = true;
  m_self = self;
  m_members.insert(self.id, self);
  registerSelf();
  m_view->start();
}

void Membership::stop() {
  m_running = false;
  m_view->stop();
}

void Membership::setSelf(const MemberInfo &self) {
  if (self == m_self) return;
  m_self = self;
  setMember(self);
  m_registeredLease = 0;  // a changed record is put again
  registerSelf();
}

void Membership::registerSelf() {
  const qint64 lease = m_session.lease();
  if (!m_running || !lease || lease == m_registeredLease || m_putPending) return;
  m_putPending = true;
  const MemberInfo sent = m_self;
  m_client.put(m_membersPrefix + m_self.id.toUtf8(), QJsonDocument(m_self.toJson()).toJson(QJsonDocument::Compact),
               lease, [this, lease, sent](Status s) {
                 m_putPending = false;
                 if (s.isOk() && lease == m_session.lease()) m_registeredLease = sent == m_self ? lease : 0;
                 if (!s.isOk() || m_registeredLease != lease)
                   QTimer::singleShot(kRetryMs, this, [this] { registerSelf(); });
               });
}

void Membership::requestDrain(const QString &id, bool drained, std::function<void(Status)> done) {
  const QByteArray key = m_drainPrefix + id.toUtf8();
  if (drained) return m_client.put(key, QByteArrayLiteral("1"), 0, std::move(done));
  m_client.deleteRange(key, {}, [done = std::move(done)](Result<qint64> r) { done(r ? Status::ok() : r.status()); });
}

QList<MemberInfo> Membership::members() const {
  QList<MemberInfo> out;
  const qint64 now = m_clock.elapsed();
  for (const MemberInfo &m : m_members) {
    // Past kForgetDownMs a member is gone, even before the next change prunes the map.
    if (const auto down = m_downSince.constFind(m.id); down != m_downSince.cend() && now - *down > kForgetDownMs)
      continue;
    out.append(m.id == m_self.id ? m_self : m);
  }
  return out;
}

void Membership::applySnapshot(const QList<EtcdKeyValue> &kvs) {
  // Whatever the read does not hold is gone: members down, no drain wish.
  QSet<QString> present;
  bool drainWish = false;
  for (const EtcdKeyValue &kv : kvs) {
    applyKv(kv, false);
    if (kv.key.startsWith(m_membersPrefix)) present.insert(QString::fromUtf8(kv.key.mid(m_membersPrefix.size())));
    if (kv.key == QByteArray(m_drainPrefix + m_self.id.toUtf8())) drainWish = true;
  }
  for (const MemberInfo &m : m_members.values())
    if (!present.contains(m.id) && m.id != m_self.id && m.state != u"down"_qs) {
      MemberInfo down = m;
      down.state = u"down"_qs;
      setMember(down);
    }
  setSelfDrain(drainWish);
}

void Membership::applyKv(const EtcdKeyValue &kv, bool deleted) {
  if (kv.key.startsWith(m_drainPrefix)) {
    if (QString::fromUtf8(kv.key.mid(m_drainPrefix.size())) == m_self.id) setSelfDrain(!deleted);
    return;
  }
  if (!kv.key.startsWith(m_membersPrefix)) return;
  const QString id = QString::fromUtf8(kv.key.mid(m_membersPrefix.size()));
  if (deleted) {
    // Our own record gone while the session holds its lease (deleted from outside): put it back.
    if (id == m_self.id) {
      m_registeredLease = 0;
      registerSelf();
      return;
    }
    if (!m_members.contains(id)) return;
    MemberInfo down = m_members.value(id);
    down.state = u"down"_qs;
    setMember(down);
    return;
  }
  auto member = MemberInfo::fromJson(kv.value);
  if (!member || member->id != id || id == m_self.id) return;
  setMember(*member);
}

void Membership::setMember(const MemberInfo &member) {
  const qint64 now = m_clock.elapsed();
  if (member.state == u"down"_qs)
    m_downSince.insert(member.id, now);
  else
    m_downSince.remove(member.id);
  for (auto it = m_downSince.begin(); it != m_downSince.end();) {
    if (now - it.value() > kForgetDownMs) {
      m_members.remove(it.key());
      it = m_downSince.erase(it);
    } else {
      ++it;
    }
  }
  auto existing = m_members.find(member.id);
  if (existing != m_members.end() && *existing == member) return;
  m_members.insert(member.id, member);
  Q_EMIT memberChanged(member);
}

void Membership::setSelfDrain(bool drained) {
  if (m_selfDrain == drained) return;
  const bool first = !m_selfDrain.has_value();
  m_selfDrain = drained;
  // At the first sync only a wish to drain is news: no key is the normal state.
  if (!first || drained) Q_EMIT drainRequested(drained);
}

}  // namespace lmfront::cluster
