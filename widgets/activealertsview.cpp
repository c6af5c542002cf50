#include "widgets/activealertsview.h"

#include "models/alertlistmodel.h"
#include "models/nodesession.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::AlertListModel;
using Column = AlertListModel::Column;

namespace {
int col(Column c) { return static_cast<int>(c); }
}  // namespace

ActiveAlertsView::ActiveAlertsView(QWidget *parent)
    : QWidget(parent),
      m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView),
      m_count(new QLabel),
      m_selected(new QLabel),
      m_ackBox(new QGroupBox),
      m_ackComment(new QLineEdit),
      m_ackButton(new QPushButton),
      m_silenceBox(new QGroupBox),
      m_matchersLabel(new QLabel),
      m_matchers(new QPlainTextEdit),
      m_durationLabel(new QLabel),
      m_duration(new QComboBox),
      m_silenceComment(new QLineEdit),
      m_silenceButton(new QPushButton),
      m_message(new QLabel) {
  m_proxy->setSortRole(AlertListModel::RawRole);
  m_proxy->setDynamicSortFilter(true);
  m_table->setObjectName(QStringLiteral("activeAlertsTable"));
  m_table->setModel(m_proxy);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setSortingEnabled(true);
  m_table->setAlternatingRowColors(true);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setWordWrap(false);
  m_count->setObjectName(QStringLiteral("activeAlertsCount"));
  m_selected->setObjectName(QStringLiteral("hint"));
  m_selected->setWordWrap(true);

  m_ackComment->setObjectName(QStringLiteral("ackComment"));
  m_ackButton->setObjectName(QStringLiteral("ackButton"));
  auto *ackLine = new QHBoxLayout(m_ackBox);
  ackLine->addWidget(m_ackComment, 1);
  ackLine->addWidget(m_ackButton);

  m_matchers->setObjectName(QStringLiteral("silenceMatchers"));
  m_matchers->setFixedHeight(84);
  m_duration->setObjectName(QStringLiteral("silenceDuration"));
  m_duration->setEditable(true);
  m_duration->addItems({QStringLiteral("30m"), QStringLiteral("1h"), QStringLiteral("2h"), QStringLiteral("4h"),
                        QStringLiteral("12h"), QStringLiteral("1d"), QStringLiteral("7d")});
  m_duration->setCurrentText(QStringLiteral("2h"));
  m_silenceComment->setObjectName(QStringLiteral("silenceComment"));
  m_silenceButton->setObjectName(QStringLiteral("silenceButton"));
  auto *silenceForm = new QFormLayout(m_silenceBox);
  silenceForm->addRow(m_matchersLabel, m_matchers);
  auto *line = new QHBoxLayout;
  line->addWidget(m_duration);
  line->addWidget(m_silenceComment, 1);
  line->addWidget(m_silenceButton);
  silenceForm->addRow(m_durationLabel, line);

  m_message->setObjectName(QStringLiteral("alertActionMessage"));
  m_message->setWordWrap(true);
  m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 8, 0, 0);
  layout->addWidget(m_count);
  layout->addWidget(m_table, 1);
  layout->addWidget(m_selected);
  auto *forms = new QHBoxLayout;
  forms->addWidget(m_ackBox, 2);
  forms->addWidget(m_silenceBox, 3);
  layout->addLayout(forms);
  layout->addWidget(m_message);

  connect(m_ackButton, &QPushButton::clicked, this, &ActiveAlertsView::acknowledge);
  connect(m_ackComment, &QLineEdit::returnPressed, this, &ActiveAlertsView::acknowledge);
  connect(m_silenceButton, &QPushButton::clicked, this, &ActiveAlertsView::silence);
  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ActiveAlertsView::onSelection);
  connect(m_proxy, &QAbstractItemModel::dataChanged, this, [this] {
    refreshCount();
    onSelection();
  });
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(m_proxy, signal, this, &ActiveAlertsView::refreshCount);
  connect(m_proxy, &QAbstractItemModel::modelReset, this, &ActiveAlertsView::refreshCount);
  retranslateUi();
  onSelection();
}

void ActiveAlertsView::setSession(models::NodeSession *session) {
  if (m_model) disconnect(m_model, nullptr, this, nullptr);
  m_model = session ? session->alerts() : nullptr;
  m_proxy->setSourceModel(m_model);
  if (m_model) {
    connect(m_model, &AlertListModel::commandFinished, this,
            [this](AlertListModel::Command command, const QString &error, const QJsonValue &result) {
              if (!error.isEmpty()) return showMessage(error, true);
              if (command == AlertListModel::Command::Ack) {
                m_ackComment->clear();
                return showMessage(tr("Acknowledged."), false);
              }
              m_silenceComment->clear();
              showMessage(
                  tr("Silenced until %1 (silence %2).")
                      .arg(AlertListModel::timeText(result.toObject().value(QLatin1StringView("ends")).toString()),
                           result.toObject().value(QLatin1StringView("id")).toString()),
                  false);
            });
  }
  m_table->sortByColumn(col(Column::Since), Qt::DescendingOrder);
  m_table->sortByColumn(col(Column::Severity), Qt::AscendingOrder);
  m_message->clear();
  refreshCount();
  onSelection();
}

bool ActiveAlertsView::selectAlert(const QString &id) {
  const int row = m_model ? m_model->rowOf(id) : -1;
  if (row < 0) return false;
  const QModelIndex at = m_proxy->mapFromSource(m_model->index(row, 0));
  m_table->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_table->setCurrentIndex(at);
  return true;
}

QString ActiveAlertsView::selectedId() const {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : rows.first().data(AlertListModel::IdRole).toString();
}

QString ActiveAlertsView::messageText() const { return m_message->text(); }

QString ActiveAlertsView::countText() const { return m_count->text(); }

void ActiveAlertsView::refreshCount() {
  const int total = m_model ? m_model->rowCount() : 0;
  int firing = 0;
  for (int r = 0; r < total; ++r)
    if (m_model->alert(r).value(QLatin1StringView("state")).toString() == QLatin1StringView("firing")) ++firing;
  m_count->setText(total == 0 ? tr("No active alerts.") : tr("%1 active, %2 firing").arg(total).arg(firing));
  if (total > 0) m_table->resizeColumnsToContents();
}

void ActiveAlertsView::onSelection() {
  const QString id = selectedId();
  const int row = m_model && !id.isEmpty() ? m_model->rowOf(id) : -1;
  const bool any = row >= 0;
  m_ackBox->setEnabled(any);
  m_silenceBox->setEnabled(any);
  if (!any) {
    m_selected->setText(tr("Select an alert to acknowledge or silence it."));
    return;
  }
  const QJsonObject alert = m_model->alert(row);
  const QString summary = alert.value(QLatin1StringView("summary")).toString();
  m_selected->setText(summary.isEmpty() ? alert.value(QLatin1StringView("rule")).toString() : summary);
  m_ackButton->setEnabled(!alert.value(QLatin1StringView("ack")).isObject());
  // Prefilled per alert: a new selection replaces what was typed for the previous one.
  if (m_matchers->property("alertId").toString() != id) {
    m_matchers->setPlainText(AlertListModel::matchersText(AlertListModel::silenceMatchers(alert)));
    m_matchers->setProperty("alertId", id);
  }
}

void ActiveAlertsView::acknowledge() {
  const QString id = selectedId();
  if (!m_model || id.isEmpty()) return;
  m_model->acknowledge(id, m_ackComment->text().trimmed());
}

void ActiveAlertsView::silence() {
  if (!m_model || selectedId().isEmpty()) return;
  QString error;
  const QJsonObject matchers = AlertListModel::parseMatchers(m_matchers->toPlainText(), &error);
  if (matchers.isEmpty()) return showMessage(error, true);
  m_model->silence(matchers, m_duration->currentText().trimmed(), m_silenceComment->text().trimmed());
}

void ActiveAlertsView::showMessage(const QString &text, bool error) {
  m_messageIsError = error;
  m_message->setText(text);
  m_message->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QStringLiteral("color: #2e7d4f;"));
}

void ActiveAlertsView::retranslateUi() {
  m_ackBox->setTitle(tr("Acknowledge"));
  m_ackComment->setPlaceholderText(tr("Comment (who is on it, what is being done)"));
  m_ackButton->setText(tr("Acknowledge"));
  m_silenceBox->setTitle(tr("Silence"));
  m_matchersLabel->setText(tr("Matchers"));
  m_matchers->setToolTip(tr("One label=regular expression per line; every line must match the whole value."));
  m_durationLabel->setText(tr("For"));
  m_silenceComment->setPlaceholderText(tr("Comment"));
  m_silenceButton->setText(tr("Silence"));
  if (m_model) m_model->retranslate();
  refreshCount();
  onSelection();
}

void ActiveAlertsView::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
