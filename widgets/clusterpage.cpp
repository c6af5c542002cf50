#include "widgets/clusterpage.h"

#include "models/catalogmodel.h"
#include "models/nodesession.h"
#include "models/opserrortext.h"

#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>

namespace lmfront::widgets {

using models::ClusterModel;
using Column = ClusterModel::Column;

namespace {
const QString kDash = QStringLiteral("—");
constexpr int kFitMs = 1000;

QPushButton *button(const char *name) {
  auto *b = new QPushButton;
  b->setObjectName(QString::fromLatin1(name));
  return b;
}
}  // namespace

ClusterPage::ClusterPage(QWidget *parent)
    : QWidget(parent),
      m_proxy(new QSortFilterProxyModel(this)),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_table(new QTableView),
      m_drain(button("drainButton")),
      m_undrain(button("undrainButton")),
      m_roleHint(new QLabel),
      m_confirmBar(new QWidget),
      m_confirmText(new QLabel),
      m_confirm(button("confirmDrainButton")),
      m_cancel(button("cancelDrainButton")),
      m_outcome(new QLabel) {
  auto *column = new QVBoxLayout(this);
  column->setContentsMargins(32, 28, 32, 28);
  column->setSpacing(6);
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addSpacing(14);

  auto *tiles = new QGridLayout;
  tiles->setHorizontalSpacing(16);
  for (size_t t = 0; t < m_tiles.size(); ++t) {
    m_tiles[t] = makeCard();
    tiles->addWidget(m_tiles[t].frame, 0, static_cast<int>(t));
    tiles->setColumnStretch(static_cast<int>(t), 1);
  }
  column->addLayout(tiles);
  column->addSpacing(14);

  m_proxy->setSortRole(ClusterModel::RawRole);
  m_table->setObjectName(QStringLiteral("clusterTable"));
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(static_cast<int>(Column::Node), Qt::AscendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->verticalHeader()->hide();
  m_table->setWordWrap(false);
  column->addWidget(m_table, 1);

  auto *actions = new QHBoxLayout;
  actions->addWidget(m_drain);
  actions->addWidget(m_undrain);
  m_roleHint->setObjectName(QStringLiteral("hint"));
  actions->addWidget(m_roleHint, 1);
  column->addLayout(actions);

  m_confirmBar->setObjectName(QStringLiteral("confirmDrain"));
  auto *confirm = new QHBoxLayout(m_confirmBar);
  confirm->setContentsMargins(0, 0, 0, 0);
  m_confirmText->setWordWrap(true);
  confirm->addWidget(m_confirmText, 1);
  confirm->addWidget(m_confirm);
  confirm->addWidget(m_cancel);
  m_confirmBar->hide();
  column->addWidget(m_confirmBar);
  m_outcome->setObjectName(QStringLiteral("clusterOutcome"));
  m_outcome->setWordWrap(true);
  m_outcome->setTextInteractionFlags(Qt::TextSelectableByMouse);
  column->addWidget(m_outcome);

  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    m_confirmBar->hide();
    updateActions();
  });
  connect(m_proxy, &QAbstractItemModel::dataChanged, this, &ClusterPage::updateActions);
  m_fit.setSingleShot(true);
  m_fit.setInterval(kFitMs);
  connect(&m_fit, &QTimer::timeout, this, &ClusterPage::fitColumns);
  auto fitSoon = [this] {
    if (!m_fit.isActive()) m_fit.start();
  };
  connect(m_proxy, &QAbstractItemModel::dataChanged, this, fitSoon);
  connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &ClusterPage::fitColumns);
  connect(m_proxy, &QAbstractItemModel::modelReset, this, &ClusterPage::fitColumns);
  connect(m_drain, &QPushButton::clicked, this, [this] { ask(true); });
  connect(m_undrain, &QPushButton::clicked, this, [this] { ask(false); });
  connect(m_confirm, &QPushButton::clicked, this, &ClusterPage::confirm);
  connect(m_cancel, &QPushButton::clicked, m_confirmBar, &QWidget::hide);
  retranslateUi();
}

ClusterPage::~ClusterPage() {
  if (!m_model) return;
  disconnect(m_model, nullptr, this, nullptr);
  m_model->release(this);
}

ClusterPage::Card ClusterPage::makeCard() {
  // The Overview's card look (Theme: #card, #cardTitle, #cardValue, #cardDetail).
  Card card;
  card.frame = new QFrame;
  card.frame->setObjectName(QStringLiteral("card"));
  auto *layout = new QVBoxLayout(card.frame);
  layout->setContentsMargins(18, 14, 18, 14);
  layout->setSpacing(4);
  card.title = new QLabel;
  card.title->setObjectName(QStringLiteral("cardTitle"));
  card.value = new QLabel;
  card.value->setObjectName(QStringLiteral("cardValue"));
  card.detail = new QLabel;
  card.detail->setObjectName(QStringLiteral("cardDetail"));
  layout->addWidget(card.title);
  layout->addWidget(card.value);
  layout->addWidget(card.detail);
  return card;
}

void ClusterPage::setSession(models::NodeSession *session) {
  const bool shown = isVisible();
  if (m_model) {
    disconnect(m_model, nullptr, this, nullptr);
    if (shown) m_model->release(this);
  }
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  m_model = session ? session->cluster() : nullptr;
  m_proxy->setSourceModel(m_model);
  // Health takes the rest; the other columns fit their contents, measured at most once a fit
  // interval (ResizeToContents measured every cell of the table on each member's sample).
  QHeaderView *header = m_table->horizontalHeader();
  for (int c = 0; c < m_proxy->columnCount(); ++c)
    header->setSectionResizeMode(
        c, c == static_cast<int>(Column::Health) ? QHeaderView::Stretch : QHeaderView::Interactive);
  fitColumns();
  if (m_model) {
    connect(m_model, &ClusterModel::totalsChanged, this, &ClusterPage::refreshTiles);
    connect(m_model, &ClusterModel::clusterChanged, this, &ClusterPage::refreshSubtitle);
    connect(m_model, &QObject::destroyed, this, [this] { m_model = nullptr; });
    if (shown) m_model->acquire(this);
  }
  if (m_session) connect(m_session, &models::NodeSession::liveStateReplaced, this, &ClusterPage::bindClient);
  m_confirmBar->hide();
  m_outcome->clear();
  bindClient();
  refreshTiles();
  refreshSubtitle();
}

void ClusterPage::fitColumns() {
  m_fit.stop();
  for (int c = 0; c < m_proxy->columnCount(); ++c)
    if (c != static_cast<int>(Column::Health)) m_table->resizeColumnToContents(c);
}

void ClusterPage::bindClient() {
  if (m_clientWatch) disconnect(m_clientWatch, nullptr, this, nullptr);
  m_clientWatch = m_session ? m_session->opsClient() : nullptr;
  if (m_clientWatch)
    connect(static_cast<client::OpsClient *>(m_clientWatch.data()), &client::OpsClient::stateChanged, this,
            &ClusterPage::updateActions);
  updateActions();
}

QString ClusterPage::tileValue(Tile tile) const { return m_tiles[static_cast<size_t>(tile)].value->text(); }
QString ClusterPage::tileDetail(Tile tile) const { return m_tiles[static_cast<size_t>(tile)].detail->text(); }
QString ClusterPage::subtitleText() const { return m_subtitle->text(); }
QString ClusterPage::outcomeText() const { return m_outcome->text(); }

bool ClusterPage::selectNode(const QString &id) {
  for (int row = 0; row < m_proxy->rowCount(); ++row) {
    if (m_proxy->index(row, 0).data(ClusterModel::IdRole).toString() != id) continue;
    m_table->selectRow(row);
    return true;
  }
  return false;
}

QString ClusterPage::selectedId() const {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : rows.first().data(ClusterModel::IdRole).toString();
}

bool ClusterPage::mayOperate() const {
  if (!m_session) return false;
  const client::OpsClient *ops = m_session->opsClient();
  if (ops->state() != client::OpsClient::State::Live) return false;
  return models::CatalogModel::roleRank(ops->session().role) >=
         models::CatalogModel::roleRank(QStringLiteral("operator"));
}

void ClusterPage::updateActions() {
  const QString id = selectedId();
  const int row = m_model && !id.isEmpty() ? m_model->rowOf(id) : -1;
  const auto state = row >= 0 ? m_model->stateAt(row) : ClusterModel::State::Down;
  const bool may = mayOperate();
  m_drain->setEnabled(may && !m_busy && row >= 0 && state == ClusterModel::State::Up);
  m_undrain->setEnabled(may && !m_busy && row >= 0 && state == ClusterModel::State::Draining);
  QString hint;
  if (!m_session || m_session->opsClient()->state() != client::OpsClient::State::Live)
    hint = tr("Not connected to the node.");
  else if (!may)
    hint = tr("Draining needs the operator role; this key has %1.").arg(m_session->opsClient()->session().role);
  else if (row < 0)
    hint = tr("Select a node to drain or undrain it.");
  m_roleHint->setText(hint);
}

void ClusterPage::ask(bool drain) {
  const QString id = selectedId();
  if (id.isEmpty()) return;
  m_askedDrain = drain;
  m_askedId = id;
  m_confirmText->setText(
      drain ? tr("Drain %1? It stops taking new inference requests (503, and /readyz fails) until it is undrained; "
                 "requests in flight finish.")
                  .arg(id)
            : tr("Undrain %1? It takes inference requests again.").arg(id));
  m_confirm->setText(drain ? tr("Drain %1").arg(id) : tr("Undrain %1").arg(id));
  m_confirmBar->show();
}

void ClusterPage::confirm() {
  m_confirmBar->hide();
  if (!m_model || m_askedId.isEmpty()) return;
  m_busy = true;
  updateActions();
  const QString id = m_askedId;
  const bool drain = m_askedDrain;
  m_outcome->setText(drain ? tr("Draining %1…").arg(id) : tr("Undraining %1…").arg(id));
  m_model->setDrained(id, drain, this, [this, id, drain](const client::OpsReply &reply) {
    m_busy = false;
    const QString error = models::opsErrorText(reply);
    if (error.isEmpty())
      m_outcome->setText(drain ? tr("%1 is draining.").arg(id) : tr("%1 takes requests again.").arg(id));
    else
      m_outcome->setText(tr("Could not change %1: %2").arg(id, error));
    updateActions();
  });
}

void ClusterPage::refreshTiles() {
  auto set = [this](Tile tile, const QString &value, const QString &detail) {
    m_tiles[static_cast<size_t>(tile)].value->setText(value);
    m_tiles[static_cast<size_t>(tile)].detail->setText(detail);
  };
  if (!m_model || !m_model->hasMembers()) {
    for (Card &card : m_tiles) {
      card.value->setText(kDash);
      card.detail->clear();
    }
    return;
  }
  const ClusterModel::Totals t = m_model->totals();
  set(Tile::Nodes, tr("%1 / %2").arg(t.up).arg(t.members), tr("%1 draining · %2 down").arg(t.draining).arg(t.down));
  set(Tile::Qps, std::isfinite(t.qps) ? tr("%1 req/s").arg(QString::number(t.qps, 'f', t.qps < 10 ? 1 : 0)) : kDash,
      tr("summed over the nodes"));
  set(Tile::P99, std::isfinite(t.worstP99Ms) ? tr("%1 ms").arg(QString::number(t.worstP99Ms, 'f', 1)) : kDash,
      t.worstP99Node.isEmpty() ? tr("no requests") : tr("on %1").arg(t.worstP99Node));
  set(Tile::Errors, std::isfinite(t.errorRatio) ? tr("%1 %").arg(QString::number(t.errorRatio * 100, 'f', 2)) : kDash,
      tr("of the requests answered"));
}

void ClusterPage::refreshSubtitle() {
  if (!m_model || !m_model->hasMembers()) {
    m_subtitle->setText(tr("Waiting for the node's member list…"));
    return;
  }
  QString text = m_model->clusterName().isEmpty()
                     ? tr("%1 is not in a cluster (started without --etcd): a cluster of one.").arg(m_model->selfId())
                     : tr("Cluster %1 as %2 sees it; %3 leads.")
                           .arg(m_model->clusterName(), m_model->selfId(),
                                m_model->leaderId().isEmpty() ? tr("no node") : m_model->leaderId());
  if (!m_model->synced()) text += QLatin1Char(' ') + tr("It is not in sync with etcd: the list may be old.");
  m_subtitle->setText(text);
}

void ClusterPage::retranslateUi() {
  setWindowTitle(tr("Cluster"));
  m_title->setText(tr("Cluster"));
  const QString titles[] = {tr("Nodes up"), tr("Total QPS"), tr("Worst p99"), tr("Error rate")};
  for (size_t t = 0; t < m_tiles.size(); ++t) m_tiles[t].title->setText(titles[t].toUpper());
  m_drain->setText(tr("Drain…"));
  m_undrain->setText(tr("Undrain…"));
  m_cancel->setText(tr("Cancel"));
  if (m_model) m_model->retranslate();
  refreshTiles();
  refreshSubtitle();
  updateActions();
}

void ClusterPage::showEvent(QShowEvent *event) {
  if (m_model) m_model->acquire(this);
  QWidget::showEvent(event);
}

void ClusterPage::hideEvent(QHideEvent *event) {
  if (m_model) m_model->release(this);
  QWidget::hideEvent(event);
}

void ClusterPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
