// OverviewPage's cluster parts: the node selector and the live section's figures for all nodes
// (the class's contract is in overviewpage.h).
#include "models/clustermodel.h"
#include "widgets/overviewpage.h"
#include "widgets/sparkline.h"

#include <QComboBox>
#include <QLabel>

namespace lmfront::widgets {

using models::LiveNodeState;
using State = client::OpsClient::State;

bool OverviewPage::showsAll() const { return m_cluster && m_scope == kAllNodes; }

void OverviewPage::showNode(const QString &id) {
  QString scope = id;
  if (m_cluster && scope == m_cluster->selfId()) scope.clear();  // the session's own connection
  if (scope == m_scope) return;
  m_scope = scope;
  rebuildSelector();
  bindLive();
}

void OverviewPage::rebuildSelector() {
  const bool cluster = m_cluster && !m_cluster->clusterName().isEmpty();
  m_nodeSelector->setVisible(cluster);
  if (!m_scope.isEmpty() && m_scope != kAllNodes && (!m_cluster || m_cluster->rowOf(m_scope) < 0)) {
    m_scope.clear();  // that member left the list: back to the connected node
    bindLive();
  }
  const QSignalBlocker quiet(m_nodeSelector);
  m_nodeSelector->clear();
  if (!m_cluster) return;
  m_nodeSelector->addItem(tr("All nodes"), QString(kAllNodes));
  const QString self = m_cluster->selfId();
  for (int row = 0; row < m_cluster->rowCount(); ++row) {
    const QString id = m_cluster->index(row, 0).data(models::ClusterModel::IdRole).toString();
    m_nodeSelector->addItem(id == self ? tr("%1 (connected)").arg(id) : id, id);
  }
  m_nodeSelector->setCurrentIndex(m_nodeSelector->findData(m_scope.isEmpty() ? self : m_scope));
}

// All nodes: how many of the members (not down) say what, from each one's own `node` topic.
void OverviewPage::refreshClusterFacts() {
  int members = 0, healthy = 0, ready = 0, draining = 0;
  QStringList served;
  for (int row = 0; row < m_cluster->rowCount(); ++row) {
    if (m_cluster->stateAt(row) == models::ClusterModel::State::Down) continue;
    ++members;
    draining += m_cluster->stateAt(row) == models::ClusterModel::State::Draining;
    const LiveNodeState *live = m_cluster->liveStateAt(row);
    if (!live || !live->hasNode()) continue;
    healthy += live->health() == QLatin1StringView("ok");
    ready += live->ready();
    for (const QString &name : live->modelNames())
      if (!served.contains(name)) served << name;
  }
  served.sort();
  auto set = [this](LiveFact fact, const QString &text) { m_facts[static_cast<size_t>(fact)].value->setText(text); };
  set(LiveFact::Health, tr("%1 of %2 nodes healthy").arg(healthy).arg(members));
  set(LiveFact::Readiness, tr("%1 of %2 nodes ready").arg(ready).arg(members));
  set(LiveFact::Draining, draining == 0 ? tr("no node draining") : tr("%1 draining").arg(draining));
  set(LiveFact::Models, served.isEmpty() ? tr("none") : served.join(QStringLiteral(", ")));
}

// All nodes: live when every member that is not down is; amber while some are not.
State OverviewPage::refreshClusterStatus() {
  int members = 0, live = 0;
  QStringList silent;
  for (int row = 0; row < m_cluster->rowCount(); ++row) {
    if (m_cluster->stateAt(row) == models::ClusterModel::State::Down) continue;
    ++members;
    const LiveNodeState *memberLive = m_cluster->liveStateAt(row);
    if (memberLive && memberLive->connectionState() == State::Live)
      ++live;
    else
      silent << m_cluster->index(row, 0).data(models::ClusterModel::IdRole).toString();
  }
  const State state = members == 0      ? State::Closed
                      : live == members ? State::Live
                      : live > 0        ? State::Stale
                                        : State::Connecting;
  m_liveStatus->setText(tr("Live from %1 of %2 nodes").arg(live).arg(members));
  m_liveReason->setText(silent.isEmpty() ? QString() : tr("not live: %1").arg(silent.join(QStringLiteral(", "))));
  for (Card &card : m_facts) card.value->setEnabled(live > 0);
  for (Card &card : m_metrics) card.value->setEnabled(live > 0);
  for (Sparkline *line : m_sparklines) line->setEnabled(live > 0);
  m_liveHint->setVisible(false);
  return state;
}

}  // namespace lmfront::widgets
