#include "widgets/overviewpage.h"

#include "models/clustermodel.h"
#include "models/nodesession.h"
#include "widgets/sparkline.h"

#include <QColor>
#include <QComboBox>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QScopedValueRollback>
#include <QScrollArea>
#include <QShowEvent>
#include <QVBoxLayout>
#include <cmath>

namespace lmfront::widgets {

using models::NodeInfoModel;
using Row = NodeInfoModel::Row;
using models::LiveNodeState;
using State = client::OpsClient::State;

namespace {
constexpr int kTickMs = 250;  // well under a second so the ticking uptime never skips a value
constexpr int kDotSize = 12;
const QString kDash = QStringLiteral("—");

void paintDot(QLabel *dot, const QColor &color) {
  dot->setStyleSheet(QStringLiteral("background: %1; border-radius: %2px;").arg(color.name()).arg(kDotSize / 2));
}

QColor stateColor(State state) {
  switch (state) {
  case State::Live: return QColor(0x2e, 0x9d, 0x5b);
  case State::Stale: return QColor(0xd0, 0x8c, 0x12);
  case State::Failed: return QColor(0xc9, 0x41, 0x41);
  case State::Connecting:
  case State::Closed: break;
  }
  return QColor(0x9a, 0xa3, 0xad);
}
}  // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent),
      m_liveTitle(new QLabel),
      m_liveDot(new QLabel),
      m_liveStatus(new QLabel),
      m_liveReason(new QLabel),
      m_liveHint(new QLabel),
      m_endpointHint(new QLabel),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_nodeSelector(new QComboBox) {
  auto *content = new QWidget;
  auto *column = new QVBoxLayout(content);
  column->setContentsMargins(32, 28, 32, 28);
  column->setSpacing(6);
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addSpacing(14);

  // What is happening now first; the node's fixed facts (identity, address, data dir) below.
  m_liveTitle->setObjectName(QStringLiteral("sectionTitle"));
  auto *statusLine = new QHBoxLayout;
  statusLine->setSpacing(10);
  m_liveDot->setFixedSize(kDotSize, kDotSize);
  m_liveReason->setObjectName(QStringLiteral("cardDetail"));
  m_liveReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusLine->addWidget(m_liveTitle);
  m_nodeSelector->setObjectName(QStringLiteral("nodeSelector"));
  m_nodeSelector->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  m_nodeSelector->hide();
  statusLine->addWidget(m_nodeSelector);
  statusLine->addSpacing(8);
  statusLine->addWidget(m_liveDot);
  statusLine->addWidget(m_liveStatus);
  statusLine->addWidget(m_liveReason, 1);
  column->addLayout(statusLine);
  m_liveHint->setObjectName(QStringLiteral("hint"));
  m_liveHint->setWordWrap(true);
  column->addWidget(m_liveHint);
  column->addSpacing(8);

  auto *live = new QGridLayout;
  live->setHorizontalSpacing(16);
  live->setVerticalSpacing(16);
  for (size_t f = 0; f < m_facts.size(); ++f) {
    m_facts[f] = makeCard();
    live->addWidget(m_facts[f].frame, 0, static_cast<int>(f) * 3, 1, 3);  // 4 across a 12-column grid
  }
  for (size_t m = 0; m < m_metrics.size(); ++m) {
    m_metrics[m] = makeCard();
    m_sparklines[m] = new Sparkline;
    m_metrics[m].frame->layout()->addWidget(m_sparklines[m]);
    const int at = static_cast<int>(m);
    live->addWidget(m_metrics[m].frame, 1 + at / 3, (at % 3) * 4, 1, 4);  // 3 across
  }
  for (int c = 0; c < 12; ++c) live->setColumnStretch(c, 1);
  column->addLayout(live);

  column->addSpacing(22);
  auto *grid = new QGridLayout;
  grid->setHorizontalSpacing(16);
  grid->setVerticalSpacing(16);
  for (size_t r = 0; r < m_cards.size(); ++r) m_cards[r] = makeCard(static_cast<Row>(r) == Row::Health);
  auto place = [&](Row row, int gridRow, int gridColumn, int span = 1) {
    grid->addWidget(m_cards[static_cast<size_t>(row)].frame, gridRow, gridColumn, 1, span);
  };
  place(Row::Health, 0, 0);
  place(Row::NodeId, 0, 1);
  place(Row::Version, 0, 2);
  place(Row::Uptime, 1, 0);
  place(Row::Listen, 1, 1);
  place(Row::Models, 1, 2);
  place(Row::DataDir, 2, 0, 3);
  m_endpoint = makeCard();
  m_endpointHint->setObjectName(QStringLiteral("cardDetail"));
  m_endpointHint->setWordWrap(true);
  m_endpoint.frame->layout()->addWidget(m_endpointHint);
  grid->addWidget(m_endpoint.frame, 3, 0, 1, 3);
  for (int c = 0; c < 3; ++c) grid->setColumnStretch(c, 1);
  column->addLayout(grid);

  column->addStretch(1);

  auto *scroll = new QScrollArea;
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto *outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  m_sinceHealth.start();
  m_tick.setInterval(kTickMs);
  connect(&m_tick, &QTimer::timeout, this, [this] {
    if (m_model) m_model->setSecondsSinceUpdate(static_cast<double>(m_sinceHealth.elapsed()) / 1000.0);
  });
  connect(m_nodeSelector, &QComboBox::activated, this,
          [this](int index) { showNode(m_nodeSelector->itemData(index).toString()); });
  connect(&m_all, &models::ClusterMetrics::changed, this, [this] {
    refreshMetrics();
    refreshLiveFacts();
    refreshLiveStatus();
  });

  retranslateUi();
}

void OverviewPage::setSession(models::NodeSession *session) {
  if (m_model) disconnect(m_model, nullptr, this, nullptr);
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  if (m_cluster) {
    disconnect(m_cluster, nullptr, this, nullptr);
    m_cluster->release(this);
  }
  m_session = session;
  m_cluster = session ? session->cluster() : nullptr;
  m_scope.clear();
  if (m_session) connect(m_session, &models::NodeSession::liveStateReplaced, this, &OverviewPage::bindLive);
  if (m_cluster) {
    connect(m_cluster, &QObject::destroyed, this, [this] { m_cluster = nullptr; });
    connect(m_cluster, &models::ClusterModel::clusterChanged, this, &OverviewPage::rebuildSelector);
    connect(m_cluster, &QAbstractItemModel::rowsInserted, this, &OverviewPage::rebuildSelector);
    connect(m_cluster, &QAbstractItemModel::rowsRemoved, this, &OverviewPage::rebuildSelector);
    connect(m_cluster, &QAbstractItemModel::modelReset, this, &OverviewPage::rebuildSelector);
    connect(m_cluster, &models::ClusterModel::memberLiveChanged, this, [this](const QString &id) {
      if (id == m_scope) bindLive();
    });
  }
  rebuildSelector();
  bindLive();
  m_model = session ? session->nodeInfo() : nullptr;
  if (m_model) {
    connect(m_model, &QAbstractItemModel::dataChanged, this, &OverviewPage::refresh);
    connect(m_model, &QAbstractItemModel::headerDataChanged, this, &OverviewPage::refresh);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OverviewPage::refresh);
    connect(m_model, &NodeInfoModel::healthReceived, this, [this] { m_sinceHealth.restart(); });
  }
  m_sinceHealth.restart();
  retranslateUi();
}

OverviewPage::Card OverviewPage::makeCard(bool withDot) {
  Card card;
  card.frame = new QFrame;
  card.frame->setObjectName(QStringLiteral("card"));
  card.frame->setMinimumHeight(92);
  auto *layout = new QVBoxLayout(card.frame);
  layout->setContentsMargins(18, 14, 18, 14);
  layout->setSpacing(6);
  card.title = new QLabel;
  card.title->setObjectName(QStringLiteral("cardTitle"));
  card.value = new QLabel;
  card.value->setObjectName(QStringLiteral("cardValue"));
  card.value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  card.value->setWordWrap(true);
  layout->addWidget(card.title);
  if (withDot) {
    auto *line = new QHBoxLayout;
    line->setSpacing(10);
    card.dot = new QLabel;
    card.dot->setFixedSize(kDotSize, kDotSize);
    line->addWidget(card.dot);
    line->addWidget(card.value, 1);
    layout->addLayout(line);
  } else {
    layout->addWidget(card.value);
  }
  layout->addStretch(1);
  return card;
}

QString OverviewPage::cardValue(Row row) const { return m_cards[static_cast<size_t>(row)].value->text(); }

QString OverviewPage::endpointText() const { return m_endpoint.value->text(); }

QString OverviewPage::liveFactValue(LiveFact fact) const { return m_facts[static_cast<size_t>(fact)].value->text(); }

QString OverviewPage::metricValue(Series series) const { return m_metrics[static_cast<size_t>(series)].value->text(); }

const Sparkline *OverviewPage::sparkline(Series series) const { return m_sparklines[static_cast<size_t>(series)]; }

QString OverviewPage::liveStatusText() const { return m_liveStatus->text(); }

QString OverviewPage::liveReasonText() const { return m_liveReason->text(); }

OverviewPage::~OverviewPage() {
  if (!m_cluster) return;
  disconnect(m_cluster, nullptr, this, nullptr);
  m_cluster->release(this);
}

void OverviewPage::bindLive() {
  // Acquiring makes member live states, which call back here: the outer call binds.
  if (m_binding) return;
  const QScopedValueRollback binding(m_binding, true);
  // Hold the member connections first: holding makes a member's live state.
  const bool needsMembers = m_shown && m_cluster && !m_scope.isEmpty();
  if (m_cluster) {
    if (needsMembers)
      m_cluster->acquire(this);
    else
      m_cluster->release(this);
  }
  models::LiveNodeState *live = m_session ? m_session->liveState() : nullptr;
  if (m_cluster && !m_scope.isEmpty()) {
    const int row = m_cluster->rowOf(m_scope);
    live = showsAll() || row < 0 ? nullptr : m_cluster->liveStateAt(row);
  }
  m_all.setModel(showsAll() ? m_cluster : nullptr);
  if (live != m_live) {
    if (m_live) disconnect(m_live, nullptr, this, nullptr);
    m_live = live;
    if (m_live) {
      connect(m_live, &LiveNodeState::nodeChanged, this, &OverviewPage::refreshLiveFacts);
      connect(m_live, &LiveNodeState::metricsChanged, this, &OverviewPage::refreshMetrics);
      connect(m_live, &LiveNodeState::connectionChanged, this, &OverviewPage::refreshLiveStatus);
      // A replaced state dies with its session's connection: never keep a dangling pointer.
      connect(m_live, &QObject::destroyed, this, [this] { m_live = nullptr; });
    }
  }
  refreshLiveFacts();
  refreshMetrics();
  refreshLiveStatus();
}

void OverviewPage::refreshLiveFacts() {
  auto set = [this](LiveFact fact, const QString &text) {
    m_facts[static_cast<size_t>(fact)].value->setText(text.isEmpty() ? kDash : text);
  };
  if (showsAll()) return refreshClusterFacts();
  if (!m_live || !m_live->hasNode()) {
    for (Card &card : m_facts) card.value->setText(kDash);
    return;
  }
  const QString health = m_live->health();
  set(LiveFact::Health, health == QLatin1StringView("ok") ? tr("healthy") : health);
  const QString reason = m_live->notReadyReason();
  set(LiveFact::Readiness, m_live->ready()    ? tr("ready")
                           : reason.isEmpty() ? tr("not ready")
                                              : tr("not ready: %1").arg(reason));
  set(LiveFact::Draining, m_live->draining() ? tr("draining") : tr("not draining"));
  const QStringList models = m_live->modelNames();
  set(LiveFact::Models, models.isEmpty() ? tr("none") : models.join(QStringLiteral(", ")));
}

QString OverviewPage::metricText(Series series, double v) const {
  if (!std::isfinite(v)) return kDash;
  switch (series) {
  case Series::Qps: return tr("%1 req/s").arg(QString::number(v, 'f', v < 10 ? 1 : 0));
  case Series::ErrorRatio: return tr("%1 %").arg(QString::number(v * 100, 'f', 2));
  case Series::P99Ms: return tr("%1 ms").arg(QString::number(v, 'f', 1));
  case Series::InFlight: return QString::number(v, 'f', 0);
  case Series::CpuPercent: return tr("%1 %").arg(QString::number(v, 'f', 1));
  case Series::RssBytes: return locale().formattedDataSize(static_cast<qint64>(v));
  case Series::Count: break;
  }
  return kDash;
}

void OverviewPage::refreshMetrics() {
  for (int i = 0; i < LiveNodeState::kSeriesCount; ++i) {
    const auto series = static_cast<Series>(i);
    const auto at = static_cast<size_t>(i);
    if (showsAll()) {
      m_metrics[at].value->setText(metricText(series, m_all.latest(series)));
      m_sparklines[at]->setValues(m_all.values(series), m_all.capacity());
      continue;
    }
    m_metrics[at].value->setText(m_live ? metricText(series, m_live->latest(series)) : kDash);
    if (m_live)
      m_sparklines[at]->setValues(m_live->values(series), m_live->capacity());
    else
      m_sparklines[at]->setValues({});
  }
}

void OverviewPage::refreshLiveStatus() {
  if (showsAll()) return paintDot(m_liveDot, stateColor(refreshClusterStatus()));
  const State state = m_live ? m_live->connectionState() : State::Closed;
  switch (state) {
  case State::Closed: m_liveStatus->setText(tr("Not connected")); break;
  case State::Connecting: m_liveStatus->setText(tr("Connecting…")); break;
  case State::Live: m_liveStatus->setText(tr("Live")); break;
  case State::Stale: m_liveStatus->setText(tr("Stale — the values below may be out of date")); break;
  case State::Failed: m_liveStatus->setText(tr("Live data unavailable")); break;
  }
  // The client's reason is English by contract; it names what the node answered.
  m_liveReason->setText(m_live ? m_live->connectionReason() : QString());
  if (!m_live && m_cluster && !m_scope.isEmpty()) {
    // A member without a connection: the cluster's word for why (down, not reached yet).
    const int row = m_cluster->rowOf(m_scope);
    if (row >= 0)
      m_liveReason->setText(
          m_cluster->index(row, static_cast<int>(models::ClusterModel::Column::Health)).data().toString());
  }
  paintDot(m_liveDot, stateColor(state));
  const bool current = state == State::Live;
  for (Card &card : m_facts) card.value->setEnabled(current);
  for (Card &card : m_metrics) card.value->setEnabled(current);
  for (Sparkline *line : m_sparklines) line->setEnabled(current);
  const bool fallback = !current && !(m_live && m_live->hasNode());
  m_liveHint->setVisible(fallback);
}

void OverviewPage::refresh() {
  if (!m_model) {
    for (Card &card : m_cards) {
      card.value->setText(kDash);
      card.value->setToolTip({});
    }
    m_endpoint.value->setText(kDash);
    m_subtitle->setText(tr("The node this console runs, seen through its HTTP API."));
    return;
  }
  for (size_t r = 0; r < m_cards.size(); ++r) {
    const int row = static_cast<int>(r);
    Card &card = m_cards[r];
    card.title->setText(m_model->headerData(row, Qt::Vertical).toString().toUpper());
    const QModelIndex value = m_model->index(row, static_cast<int>(NodeInfoModel::Column::Value));
    card.value->setText(value.data().toString());
    card.value->setToolTip(value.data(Qt::ToolTipRole).toString());
    if (card.dot) {
      const QColor color = value.data(Qt::DecorationRole).value<QColor>();
      paintDot(card.dot, color.isValid() ? color : stateColor(State::Closed));
    }
  }
  const QString listen = m_model->health().listen;
  m_endpoint.value->setText(listen.isEmpty() ? kDash : QStringLiteral("http://%1/v1").arg(listen));
  m_subtitle->setText(listen.isEmpty() ? tr("The node this console runs, seen through its HTTP API.")
                                       : tr("The node this console runs, seen through its HTTP API at %1.")
                                             .arg(QStringLiteral("http://%1").arg(listen)));
}

void OverviewPage::retranslateUi() {
  setWindowTitle(tr("Overview"));
  m_title->setText(tr("Overview"));
  m_endpoint.title->setText(tr("OpenAI-compatible endpoint").toUpper());
  m_endpointHint->setText(tr("Point any OpenAI SDK or HTTP client at this base URL."));
  m_liveTitle->setText(tr("Live"));
  m_nodeSelector->setToolTip(tr("Show the live figures of one node, or of all nodes summed"));
  rebuildSelector();
  m_liveHint->setText(tr("The cards above come from HTTP polling until the node serves its ops API (/ops)."));
  const QString factTitles[] = {tr("Health"), tr("Readiness"), tr("Draining"), tr("Models served")};
  for (size_t f = 0; f < m_facts.size(); ++f) m_facts[f].title->setText(factTitles[f].toUpper());
  const QString metricTitles[] = {tr("QPS"),       tr("Error rate"), tr("p99 latency"),
                                  tr("In flight"), tr("CPU"),        tr("Memory")};
  for (size_t m = 0; m < m_metrics.size(); ++m) m_metrics[m].title->setText(metricTitles[m].toUpper());
  refreshLiveFacts();
  refreshMetrics();
  refreshLiveStatus();
  if (m_model) m_model->retranslate();  // emits header/data changes, which refresh the cards
  refresh();
}

void OverviewPage::showEvent(QShowEvent *event) {
  m_tick.start();  // nothing else shows the ticking uptime: no wake-ups while hidden
  if (!event->spontaneous()) {
    m_shown = true;
    bindLive();
  }
  QWidget::showEvent(event);
}

void OverviewPage::hideEvent(QHideEvent *event) {
  m_tick.stop();
  if (!event->spontaneous()) {
    m_shown = false;
    bindLive();  // releases the member connections another view may still hold
  }
  QWidget::hideEvent(event);
}

void OverviewPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
