#include "widgets/auditpage.h"

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
#include <QTableView>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::AuditModel;

namespace {
// The actions the node audits (docs/models.md, "Audit"), in lifecycle order.
constexpr const char *kActions[] = {"import",  "create_model", "submit",     "validate",       "approve",  "reject",
                                    "compile", "publish",      "deploy",     "promote",        "rollback", "retire",
                                    "delete",  "job",          "cancel_job", "job_interrupted"};

// Keeps the typed text and the first ("any") item while the list of choices changes.
void setChoices(QComboBox *box, QStringList choices) {
  choices.sort(Qt::CaseInsensitive);
  QStringList have;
  for (int i = 1; i < box->count(); ++i) have << box->itemText(i);
  if (have == choices) return;
  const QString typed = box->currentText();
  while (box->count() > 1) box->removeItem(1);
  box->addItems(choices);
  box->setCurrentText(typed);
}
}  // namespace

AuditPage::AuditPage(QWidget *parent)
    : QWidget(parent),
      m_filter(new models::AuditFilterModel(this)),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_range(new QComboBox),
      m_from(new QDateTimeEdit),
      m_to(new QDateTimeEdit),
      m_modelFilter(new QComboBox),
      m_actor(new QComboBox),
      m_action(new QComboBox),
      m_text(new QLineEdit),
      m_export(new QPushButton),
      m_count(new QLabel),
      m_status(new QLabel),
      m_table(new QTableView) {
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_range->setObjectName(QStringLiteral("auditRange"));
  m_from->setObjectName(QStringLiteral("auditFrom"));
  m_to->setObjectName(QStringLiteral("auditTo"));
  m_modelFilter->setObjectName(QStringLiteral("auditModel"));
  m_actor->setObjectName(QStringLiteral("auditActor"));
  m_action->setObjectName(QStringLiteral("auditAction"));
  m_text->setObjectName(QStringLiteral("auditText"));
  m_export->setObjectName(QStringLiteral("auditExport"));
  m_count->setObjectName(QStringLiteral("auditCount"));
  m_status->setObjectName(QStringLiteral("auditStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  for (QDateTimeEdit *edit : {m_from, m_to}) {
    edit->setCalendarPopup(true);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
  }
  const QDateTime now = QDateTime::currentDateTime();
  m_from->setDateTime(now.addDays(-7));
  m_to->setDateTime(now.addSecs(3600));
  for (int i = 0; i < 6; ++i) m_range->addItem(QString(), i);
  for (QComboBox *box : {m_modelFilter, m_actor}) {
    box->setEditable(true);
    box->setInsertPolicy(QComboBox::NoInsert);
    box->addItem(QString());
    box->setMinimumWidth(140);
  }
  m_action->addItem(QString(), QString());
  for (const char *a : kActions) m_action->addItem(QString(), QString::fromLatin1(a));

  auto *filters = new QGridLayout;
  filters->setHorizontalSpacing(10);
  auto *range = new QHBoxLayout;
  range->addWidget(m_range);
  range->addWidget(m_from);
  range->addWidget(m_to);
  range->addStretch(1);
  filters->addLayout(range, 0, 0, 1, 4);
  filters->addWidget(m_modelFilter, 1, 0);
  filters->addWidget(m_actor, 1, 1);
  filters->addWidget(m_action, 1, 2);
  filters->addWidget(m_text, 1, 3);
  auto *bar = new QHBoxLayout;
  bar->addWidget(m_count, 1);
  bar->addWidget(m_export);

  m_filter->setSourceModel(&m_model);
  m_table->setObjectName(QStringLiteral("auditTable"));
  m_table->setModel(m_filter);
  m_table->setSortingEnabled(true);
  m_table->sortByColumn(static_cast<int>(AuditModel::Column::Time), Qt::DescendingOrder);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setAlternatingRowColors(true);
  m_table->setWordWrap(false);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);

  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(32, 28, 32, 20);
  layout->setSpacing(6);
  layout->addWidget(m_title);
  layout->addWidget(m_subtitle);
  layout->addSpacing(8);
  layout->addLayout(filters);
  layout->addLayout(bar);
  layout->addWidget(m_status);
  layout->addWidget(m_table, 1);

  connect(m_range, &QComboBox::currentIndexChanged, this, &AuditPage::applyRange);
  connect(m_from, &QDateTimeEdit::dateTimeChanged, this, &AuditPage::applyRange);
  connect(m_to, &QDateTimeEdit::dateTimeChanged, this, &AuditPage::applyFilter);
  for (QComboBox *box : {m_modelFilter, m_actor})
    connect(box, &QComboBox::currentTextChanged, this, &AuditPage::applyFilter);
  connect(m_action, &QComboBox::currentIndexChanged, this, &AuditPage::applyFilter);
  connect(m_text, &QLineEdit::textChanged, this, &AuditPage::applyFilter);
  connect(m_export, &QPushButton::clicked, this, &AuditPage::chooseCsvFile);
  connect(&m_model, &AuditModel::snapshotApplied, this, [this] {
    refreshChoices();
    refreshCount();
    m_table->resizeColumnsToContents();
  });
  connect(&m_model, &QAbstractItemModel::rowsInserted, this, [this] {
    refreshChoices();
    refreshCount();
  });
  connect(m_filter, &QAbstractItemModel::modelReset, this, &AuditPage::refreshCount);
  setRange(Range::LastWeek);
  retranslateUi();
}

void AuditPage::setSession(models::NodeSession *session) {
  m_status->clear();
  m_model.setSession(session);
  applyRange();
}

void AuditPage::setRange(Range range) {
  m_range->setCurrentIndex(static_cast<int>(range));
  applyRange();
}

void AuditPage::setCustomRange(const QDateTime &from, const QDateTime &until) {
  const QSignalBlocker block(m_from);
  m_from->setDateTime(from);
  m_to->setDateTime(until);
  setRange(Range::Custom);
}

QDateTime AuditPage::rangeStart() const {
  const QDateTime now = QDateTime::currentDateTimeUtc();
  switch (static_cast<Range>(m_range->currentIndex())) {
  case Range::LastHour: return now.addSecs(-3600);
  case Range::LastDay: return now.addDays(-1);
  case Range::LastWeek: return now.addDays(-7);
  case Range::LastMonth: return now.addDays(-30);
  case Range::All: return {};
  case Range::Custom: return m_from->dateTime().toUTC();
  }
  return {};
}

void AuditPage::applyRange() {
  const bool custom = static_cast<Range>(m_range->currentIndex()) == Range::Custom;
  m_from->setVisible(custom);
  m_to->setVisible(custom);
  // Minute precision: the edits show minutes, and a range picked again keeps its subscription.
  QDateTime since = rangeStart();
  if (since.isValid()) since.setTime(QTime(since.time().hour(), since.time().minute()));
  m_model.follow(since);
  applyFilter();
}

models::AuditFilter AuditPage::filter() const {
  models::AuditFilter f;
  f.model = m_modelFilter->currentText();
  f.actor = m_actor->currentText();
  f.action = m_action->currentData().toString();
  f.text = m_text->text();
  if (static_cast<Range>(m_range->currentIndex()) == Range::Custom) {
    f.from = m_from->dateTime().toUTC();
    f.until = m_to->dateTime().toUTC();
  }
  return f;
}

void AuditPage::applyFilter() {
  m_filter->setFilter(filter());
  refreshCount();
}

void AuditPage::refreshChoices() {
  QStringList models, actors;
  for (int r = 0; r < m_model.rowCount(); ++r) {
    const QJsonObject e = m_model.entry(r);
    const QString model = e.value(QLatin1StringView("model")).toString();
    const QString actor = e.value(QLatin1StringView("actor")).toString();
    if (!model.isEmpty() && !models.contains(model)) models << model;
    if (!actor.isEmpty() && !actors.contains(actor)) actors << actor;
  }
  setChoices(m_modelFilter, models);
  setChoices(m_actor, actors);
}

void AuditPage::refreshCount() {
  if (!m_model.hasSnapshot()) {
    m_count->setText(tr("Loading…"));
    return;
  }
  const int shown = m_filter->rowCount();
  const int total = m_model.rowCount();
  m_count->setText(shown == total ? actionsText(total) : tr("%1 of %2").arg(shown).arg(actionsText(total)));
}

void AuditPage::chooseCsvFile() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export the audit log"), QStringLiteral("audit.csv"),
                                                    tr("CSV files (*.csv)"));
  if (!path.isEmpty()) exportCsvTo(path);
}

void AuditPage::exportCsvTo(const QString &path) {
  const int rows = m_filter->rowCount();
  const QString error = m_filter->exportCsv(path);
  if (error.isEmpty())
    setStatus(tr("Exported %1 to %2").arg(actionsText(rows), path), false);
  else
    setStatus(error, true);
  Q_EMIT exported(path, rows, error);
}

QString AuditPage::actionsText(int n) { return n == 1 ? tr("1 action") : tr("%1 actions").arg(n); }

QString AuditPage::statusText() const { return m_status->text(); }

void AuditPage::setStatus(const QString &text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QString());
}

void AuditPage::retranslateUi() {
  setWindowTitle(tr("Audit"));
  m_title->setText(tr("Audit"));
  m_subtitle->setText(
      tr("Every action on the node's models: who did what to which version, when, and why — "
         "refusals included."));
  const QString ranges[] = {tr("Last hour"),    tr("Last 24 hours"), tr("Last 7 days"),
                            tr("Last 30 days"), tr("All time"),      tr("Custom range")};
  for (int i = 0; i < 6; ++i) m_range->setItemText(i, ranges[i]);
  m_modelFilter->lineEdit()->setPlaceholderText(tr("Any model"));
  m_actor->lineEdit()->setPlaceholderText(tr("Any actor"));
  m_action->setItemText(0, tr("Any action"));
  for (int i = 1; i < m_action->count(); ++i)
    m_action->setItemText(i, AuditModel::actionText(m_action->itemData(i).toString()));
  m_text->setPlaceholderText(tr("Text in any field (reason, state, version…)"));
  m_export->setText(tr("Export CSV…"));
  m_model.retranslate();
  refreshCount();
}

void AuditPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
