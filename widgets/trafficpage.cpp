#include "widgets/trafficpage.h"

#include "models/livenodestate.h"
#include "models/nodesession.h"
#include "widgets/trafficchart.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace lmfront::widgets {

namespace {

constexpr std::array<TrafficPage::Chart, TrafficPage::kChartCount> kCharts{
    TrafficPage::Chart::Requests, TrafficPage::Chart::Latency,       TrafficPage::Chart::Ttft,
    TrafficPage::Chart::Errors,   TrafficPage::Chart::CacheHitRatio, TrafficPage::Chart::Tokens};

std::size_t indexOf(TrafficPage::Chart chart) {
  for (std::size_t i = 0; i < kCharts.size(); ++i)
    if (kCharts[i] == chart) return i;
  return 0;
}

QString chartTitle(TrafficPage::Chart chart) {
  switch (chart) {
  case TrafficPage::Chart::Requests: return TrafficPage::tr("Requests/s by model");
  case TrafficPage::Chart::Latency: return TrafficPage::tr("Latency (ms)");
  case TrafficPage::Chart::Ttft: return TrafficPage::tr("Time to first token (ms)");
  case TrafficPage::Chart::Errors: return TrafficPage::tr("Errors/s by model");
  case TrafficPage::Chart::CacheHitRatio: return TrafficPage::tr("Cache hit ratio");
  case TrafficPage::Chart::Tokens: return TrafficPage::tr("Tokens/s by model");
  }
  return {};
}

QStringList choices(const QComboBox *box) {
  QStringList out;
  for (int i = 1; i < box->count(); ++i) out << box->itemData(i).toString();
  return out;
}

}  // namespace

TrafficPage::TrafficPage(QWidget *parent) : QWidget(parent) {
  auto *layout = new QVBoxLayout(this);
  auto *bar = new QHBoxLayout;
  m_range = new QComboBox(this);
  m_model = new QComboBox(this);
  m_backend = new QComboBox(this);
  m_pause = new QPushButton(this);
  m_pause->setCheckable(true);
  m_status = new QLabel(this);
  for (QWidget *w : std::initializer_list<QWidget *>{m_range, m_model, m_backend, m_pause}) bar->addWidget(w);
  bar->addWidget(m_status, 1);
  layout->addLayout(bar);
  auto *grid = new QGridLayout;
  layout->addLayout(grid, 1);
  for (std::size_t i = 0; i < kCharts.size(); ++i) {
    m_models[i] = std::make_unique<models::TrafficModel>(kCharts[i]);
    const auto style = kCharts[i] == Chart::Requests ? TrafficChart::Style::Stacked : TrafficChart::Style::Lines;
    m_charts[i] = new TrafficChart(m_models[i].get(), style, this);
    grid->addWidget(m_charts[i], static_cast<int>(i / 2), static_cast<int>(i % 2));
    connect(m_models[i].get(), &models::TrafficModel::loadFailed, this,
            [this](const QString &reason) { m_status->setText(tr("Could not load the range: %1").arg(reason)); });
    connect(m_models[i].get(), &models::TrafficModel::loaded, this, [this] { m_status->clear(); });
  }
  connect(m_range, &QComboBox::activated, this,
          [this](int index) { setRange(static_cast<Range>(m_range->itemData(index).toInt())); });
  auto filterChanged = [this] { setFilter(m_model->currentData().toString(), m_backend->currentData().toString()); };
  connect(m_model, &QComboBox::activated, this, filterChanged);
  connect(m_backend, &QComboBox::activated, this, filterChanged);
  connect(m_pause, &QPushButton::toggled, this, [this](bool paused) { setPaused(paused); });
  m_model->addItem(QString(), QString());
  m_backend->addItem(QString(), QString());
  retranslateUi();
}

TrafficPage::~TrafficPage() = default;

void TrafficPage::setSession(models::NodeSession *session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  if (m_session) connect(m_session, &models::NodeSession::liveStateReplaced, this, &TrafficPage::bindLive);
  bindLive();
}

void TrafficPage::bindLive() {
  disconnect(m_metricsConnection);
  disconnect(m_nodeConnection);
  disconnect(m_stateConnection);
  models::NodeSession *session = m_session;
  for (auto &m : m_models) m->setClient(session ? session->opsClient() : nullptr);
  if (session) {
    models::LiveNodeState *live = session->liveState();
    m_metricsConnection = connect(live, &models::LiveNodeState::metricsChanged, this, [this, live] {
      for (auto &m : m_models) m->applySample(live->latestSample());
    });
    m_nodeConnection = connect(live, &models::LiveNodeState::nodeChanged, this, &TrafficPage::refillFilters);
    m_stateConnection =
        connect(live, &models::LiveNodeState::connectionChanged, this, [this](client::OpsClient::State state) {
          if (state == client::OpsClient::State::Live) reloadAll();
        });
  }
  refillFilters();
  reloadAll();
}

void TrafficPage::reloadAll() {
  for (auto &m : m_models) m->reload();
}

void TrafficPage::setRange(Range range) {
  for (auto &m : m_models) m->setRange(range);
  m_range->setCurrentIndex(m_range->findData(static_cast<int>(range)));
  reloadAll();
}

void TrafficPage::setFilter(const QString &model, const QString &backend) {
  for (auto &m : m_models) m->setFilter(model, backend);
  if (m_model->findData(model) < 0) m_model->addItem(model, model);
  if (m_backend->findData(backend) < 0) m_backend->addItem(backend, backend);
  m_model->setCurrentIndex(m_model->findData(model));
  m_backend->setCurrentIndex(m_backend->findData(backend));
  reloadAll();
}

void TrafficPage::setPaused(bool paused) {
  for (auto &m : m_models) m->setPaused(paused);
  if (m_pause->isChecked() != paused) m_pause->setChecked(paused);
  m_pause->setText(paused ? tr("Resume") : tr("Pause"));
}

bool TrafficPage::paused() const { return m_pause->isChecked(); }

void TrafficPage::refillFilters() {
  models::NodeSession *session = m_session;
  if (!session) return;
  // The node's pools name the models and their backends; a choice the node dropped stays
  // selected (its charts go empty) until the user picks another.
  const models::LiveNodeState *live = session->liveState();
  const QJsonObject node = live->node();
  const QString model = m_model->currentData().toString(), backend = m_backend->currentData().toString();
  QStringList models, backends;
  for (const auto &p : node.value(u"pools"_qs).toArray()) {
    const QJsonObject pool = p.toObject();
    models << pool.value(u"name"_qs).toString();
    for (const auto &b : pool.value(u"backends"_qs).toArray()) backends << b.toObject().value(u"id"_qs).toString();
  }
  for (const QString &m : live->modelNames())
    if (!models.contains(m)) models << m;
  backends.removeDuplicates();
  auto refill = [](QComboBox *box, QStringList names, const QString &current) {
    if (!current.isEmpty() && !names.contains(current)) names << current;
    if (choices(box) == names) return;
    while (box->count() > 1) box->removeItem(1);
    for (const QString &name : names) box->addItem(name, name);
    box->setCurrentIndex(std::max(0, box->findData(current)));
  };
  refill(m_model, models, model);
  refill(m_backend, backends, backend);
}

const models::TrafficModel *TrafficPage::model(Chart chart) const { return m_models[indexOf(chart)].get(); }

TrafficChart *TrafficPage::chart(Chart chart) const { return m_charts[indexOf(chart)]; }

QStringList TrafficPage::modelChoices() const { return choices(m_model); }

QStringList TrafficPage::backendChoices() const { return choices(m_backend); }

QString TrafficPage::statusText() const { return m_status->text(); }

void TrafficPage::retranslateUi() {
  setWindowTitle(tr("Traffic"));
  const int range = m_range->currentIndex();
  m_range->clear();
  m_range->addItem(tr("5 minutes"), static_cast<int>(Range::FiveMinutes));
  m_range->addItem(tr("1 hour"), static_cast<int>(Range::OneHour));
  m_range->addItem(tr("24 hours"), static_cast<int>(Range::OneDay));
  m_range->addItem(tr("30 days"), static_cast<int>(Range::ThirtyDays));
  m_range->setCurrentIndex(std::max(0, range));
  m_pause->setText(m_pause->isChecked() ? tr("Resume") : tr("Pause"));
  for (std::size_t i = 0; i < kCharts.size(); ++i) m_charts[i]->setTitle(chartTitle(kCharts[i]));
  m_model->setItemText(0, tr("All models"));
  m_backend->setItemText(0, tr("All backends"));
}

void TrafficPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
