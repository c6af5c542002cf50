#include "widgets/alerthistoryview.h"

#include "models/alertlistmodel.h"
#include "models/nodeinfomodel.h"
#include "models/nodesession.h"
#include "widgets/alertsperdaychart.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QEvent>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::AlertHistoryModel;
using models::AlertListModel;

namespace {
const QString kDash = QStringLiteral("—");

QString durationText(const std::optional<double> &seconds) {
  return seconds ? models::NodeInfoModel::formatUptime(*seconds) : kDash;
}
}  // namespace

AlertHistoryView::AlertHistoryView(QWidget *parent)
    : QWidget(parent),
      m_proxy(new QSortFilterProxyModel(this)),
      m_range(new QComboBox),
      m_from(new QDateTimeEdit),
      m_to(new QDateTimeEdit),
      m_severity(new QComboBox),
      m_rule(new QLineEdit),
      m_modelFilter(new QLineEdit),
      m_node(new QLineEdit),
      m_state(new QComboBox),
      m_text(new QLineEdit),
      m_apply(new QPushButton),
      m_export(new QPushButton),
      m_status(new QLabel),
      m_chart(new AlertsPerDayChart),
      m_chartTitle(new QLabel),
      m_mtta(new QLabel),
      m_mttr(new QLabel),
      m_fired(new QLabel),
      m_table(new QTableView) {
  m_range->setObjectName(QStringLiteral("historyRange"));
  m_from->setObjectName(QStringLiteral("historyFrom"));
  m_to->setObjectName(QStringLiteral("historyTo"));
  m_severity->setObjectName(QStringLiteral("historySeverity"));
  m_rule->setObjectName(QStringLiteral("historyRule"));
  m_modelFilter->setObjectName(QStringLiteral("historyModel"));
  m_node->setObjectName(QStringLiteral("historyNode"));
  m_state->setObjectName(QStringLiteral("historyState"));
  m_text->setObjectName(QStringLiteral("historyText"));
  m_apply->setObjectName(QStringLiteral("historyApply"));
  m_export->setObjectName(QStringLiteral("historyExport"));
  m_status->setObjectName(QStringLiteral("historyStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  for (QDateTimeEdit *edit : {m_from, m_to}) {
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
  }
  const QDateTime now = QDateTime::currentDateTime();
  m_from->setDateTime(now.addDays(-7));
  m_to->setDateTime(now);
  for (int i = 0; i < 6; ++i) m_range->addItem(QString(), i);
  m_severity->addItem(QString(), QString());
  for (const char *s : {"critical", "warning", "info"}) m_severity->addItem(QString(), QString::fromLatin1(s));
  m_state->addItem(QString(), QString());
  for (const char *s : {"pending", "firing", "resolved", "inactive", "acknowledged", "silenced", "expired"})
    m_state->addItem(QString(), QString::fromLatin1(s));

  auto *filters = new QGridLayout;
  filters->setHorizontalSpacing(10);
  auto *range = new QHBoxLayout;
  range->addWidget(m_range);
  range->addWidget(m_from);
  range->addWidget(m_to);
  range->addStretch(1);
  filters->addLayout(range, 0, 0, 1, 4);
  filters->addWidget(m_severity, 1, 0);
  filters->addWidget(m_state, 1, 1);
  filters->addWidget(m_rule, 1, 2);
  filters->addWidget(m_modelFilter, 1, 3);
  filters->addWidget(m_node, 2, 0);
  filters->addWidget(m_text, 2, 1, 1, 2);
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_apply);
  buttons->addWidget(m_export);
  filters->addLayout(buttons, 2, 3);

  m_chartTitle->setObjectName(QStringLiteral("sectionTitle"));
  m_mtta->setObjectName(QStringLiteral("historyMtta"));
  m_mttr->setObjectName(QStringLiteral("historyMttr"));
  m_fired->setObjectName(QStringLiteral("historyFired"));
  auto *figures = new QHBoxLayout;
  figures->addWidget(m_chartTitle);
  figures->addStretch(1);
  figures->addWidget(m_fired);
  figures->addSpacing(16);
  figures->addWidget(m_mtta);
  figures->addSpacing(16);
  figures->addWidget(m_mttr);

  m_proxy->setSourceModel(&m_model);
  m_proxy->setSortRole(AlertHistoryModel::RawRole);
  m_table->setObjectName(QStringLiteral("historyTable"));
  m_table->setModel(m_proxy);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(static_cast<int>(AlertHistoryModel::Column::Time), Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);

  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 8, 0, 0);
  layout->addLayout(filters);
  layout->addWidget(m_status);
  layout->addLayout(figures);
  layout->addWidget(m_chart);
  layout->addWidget(m_table, 1);

  connect(m_range, &QComboBox::currentIndexChanged, this, [this](int i) {
    const bool custom = static_cast<Range>(i) == Range::Custom;
    m_from->setVisible(custom);
    m_to->setVisible(custom);
  });
  connect(m_apply, &QPushButton::clicked, this, &AlertHistoryView::refresh);
  connect(m_export, &QPushButton::clicked, this, &AlertHistoryView::chooseCsvFile);
  for (QLineEdit *edit : {m_rule, m_modelFilter, m_node, m_text})
    connect(edit, &QLineEdit::returnPressed, this, &AlertHistoryView::refresh);
  connect(&m_model, &AlertHistoryModel::queried, this, [this](const QString &error) {
    if (error.isEmpty())
      setStatus(eventsText(m_model.rowCount()), false);
    else
      setStatus(error, true);
    m_table->resizeColumnsToContents();
    if (--m_waiting == 0) Q_EMIT refreshed();
  });
  connect(&m_model, &AlertHistoryModel::summaryLoaded, this, &AlertHistoryView::showSummary);
  connect(&m_model, &AlertHistoryModel::exported, this, [this](const QString &path, int rows, const QString &error) {
    if (error.isEmpty())
      setStatus(tr("Exported %1 to %2").arg(eventsText(rows), path), false);
    else
      setStatus(error, true);
    Q_EMIT exported(path, rows, error);
  });
  setRange(Range::LastWeek);
  retranslateUi();
}

void AlertHistoryView::setSession(models::NodeSession *session) {
  m_session = session;
  m_model.setSession(session);
  m_model.setEvents({});
  m_chart->setDays({});
  m_waiting = 0;
  if (isVisible()) refresh();
}

void AlertHistoryView::setRange(Range range) { m_range->setCurrentIndex(static_cast<int>(range)); }

models::AlertHistoryFilter AlertHistoryView::filter() const {
  models::AlertHistoryFilter f;
  switch (static_cast<Range>(m_range->currentIndex())) {
  case Range::LastHour: f.since = QStringLiteral("1h"); break;
  case Range::LastDay: f.since = QStringLiteral("24h"); break;
  case Range::LastWeek: f.since = QStringLiteral("7d"); break;
  case Range::LastMonth: f.since = QStringLiteral("30d"); break;
  case Range::All: break;
  case Range::Custom:
    f.since = m_from->dateTime().toUTC().toString(Qt::ISODate);
    f.until = m_to->dateTime().toUTC().toString(Qt::ISODate);
    break;
  }
  f.severity = m_severity->currentData().toString();
  f.state = m_state->currentData().toString();
  f.rule = m_rule->text();
  f.model = m_modelFilter->text();
  f.node = m_node->text();
  f.text = m_text->text();
  return f;
}

void AlertHistoryView::refresh() {
  if (!m_session) return;
  const models::AlertHistoryFilter f = filter();
  m_waiting = 2;
  setStatus(tr("Loading…"), false);
  m_model.query(f);
  m_model.loadSummary(f);
}

void AlertHistoryView::showSummary(const models::AlertSummary &summary, const QString &error) {
  if (!error.isEmpty()) {
    setStatus(error, true);
    m_chart->setDays({});
    for (QLabel *l : {m_mtta, m_mttr, m_fired}) l->setText(kDash);
  } else {
    m_chart->setDays(summary.days());
    m_mtta->setText(tr("MTTA %1").arg(durationText(summary.mttaS)));
    m_mttr->setText(tr("MTTR %1").arg(durationText(summary.mttrS)));
    m_fired->setText(tr("%1 fired, %2 acknowledged, %3 resolved")
                         .arg(summary.fired)
                         .arg(summary.acknowledged)
                         .arg(summary.resolved));
  }
  if (--m_waiting == 0) Q_EMIT refreshed();
}

void AlertHistoryView::chooseCsvFile() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export alert history"),
                                                    QStringLiteral("alert-history.csv"), tr("CSV files (*.csv)"));
  if (!path.isEmpty()) exportCsvTo(path);
}

void AlertHistoryView::exportCsvTo(const QString &path) { m_model.exportCsv(filter(), path); }

QString AlertHistoryView::eventsText(int n) { return n == 1 ? tr("1 event") : tr("%1 events").arg(n); }

QString AlertHistoryView::statusText() const { return m_status->text(); }
QString AlertHistoryView::mttaText() const { return m_mtta->text(); }
QString AlertHistoryView::mttrText() const { return m_mttr->text(); }
QString AlertHistoryView::firedText() const { return m_fired->text(); }

void AlertHistoryView::setStatus(const QString &text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QString());
}

void AlertHistoryView::retranslateUi() {
  const QString ranges[] = {tr("Last hour"),    tr("Last 24 hours"), tr("Last 7 days"),
                            tr("Last 30 days"), tr("All time"),      tr("Custom range")};
  for (int i = 0; i < 6; ++i) m_range->setItemText(i, ranges[i]);
  m_severity->setItemText(0, tr("Any severity"));
  for (int i = 1; i < m_severity->count(); ++i)
    m_severity->setItemText(i, AlertListModel::severityText(m_severity->itemData(i).toString()));
  m_state->setItemText(0, tr("Any state"));
  for (int i = 1; i < m_state->count(); ++i)
    m_state->setItemText(i, AlertListModel::stateText(m_state->itemData(i).toString()));
  m_rule->setPlaceholderText(tr("Rule"));
  m_modelFilter->setPlaceholderText(tr("Model"));
  m_node->setPlaceholderText(tr("Node"));
  m_text->setPlaceholderText(tr("Text in rule, labels, summary or comment"));
  m_apply->setText(tr("Apply"));
  m_export->setText(tr("Export CSV…"));
  m_chartTitle->setText(tr("Alerts per day"));
  if (m_mtta->text().isEmpty()) {
    m_mtta->setText(tr("MTTA %1").arg(kDash));
    m_mttr->setText(tr("MTTR %1").arg(kDash));
  }
  m_chart->update();
  m_model.retranslate();
}

void AlertHistoryView::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void AlertHistoryView::showEvent(QShowEvent *event) {
  QWidget::showEvent(event);
  refresh();
}

}  // namespace lmfront::widgets
