#include "widgets/mixdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

namespace lmfront::widgets {

namespace {
bool isModelName(const QString &name) {
  static const QRegularExpression kName(QStringLiteral("^[a-z][a-z0-9_-]{0,63}$"));
  return kName.match(name).hasMatch();
}
}  // namespace

MixDialog::MixDialog(const QList<Candidate> &candidates, QWidget *parent)
    : QDialog(parent),
      m_candidates(candidates),
      m_name(new QLineEdit),
      m_sources(new QTableWidget(static_cast<int>(candidates.size()), 2)),
      m_fixed(new QCheckBox(tr("Fixed weights (else tuned by EM on the dev text)"))),
      m_dev(new QPlainTextEdit),
      m_hint(new QLabel),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
  setObjectName(QStringLiteral("mixDialog"));
  setWindowTitle(tr("Mix published versions"));
  setWindowModality(Qt::WindowModal);
  m_name->setObjectName(QStringLiteral("mixModel"));
  m_name->setPlaceholderText(tr("new or existing model name"));
  m_sources->setObjectName(QStringLiteral("mixSources"));
  m_sources->setHorizontalHeaderLabels({tr("Version"), tr("Weight")});
  m_sources->verticalHeader()->hide();
  m_sources->horizontalHeader()->setStretchLastSection(true);
  m_sources->setSelectionMode(QAbstractItemView::NoSelection);
  for (int row = 0; row < m_candidates.size(); ++row) {
    const Candidate &c = m_candidates[row];
    auto *item = new QTableWidgetItem(tr("%1 v%2").arg(c.model).arg(c.version));
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Unchecked);
    m_sources->setItem(row, 0, item);
    auto *weight = new QDoubleSpinBox;
    weight->setObjectName(QStringLiteral("mixWeight%1").arg(row));
    weight->setRange(0, 1000);
    weight->setDecimals(3);
    weight->setSingleStep(0.1);
    weight->setValue(1);
    m_sources->setCellWidget(row, 1, weight);
    connect(weight, &QDoubleSpinBox::valueChanged, this, &MixDialog::refresh);
  }
  m_sources->resizeColumnToContents(0);
  m_fixed->setObjectName(QStringLiteral("mixFixedWeights"));
  m_dev->setObjectName(QStringLiteral("mixDevText"));
  m_dev->setPlaceholderText(tr("Dev text: one sentence a line, as the mixed model should read"));
  auto *load = new QPushButton(tr("Load dev text…"));
  load->setObjectName(QStringLiteral("mixLoadDev"));
  m_hint->setObjectName(QStringLiteral("mixHint"));
  m_hint->setWordWrap(true);
  m_hint->setStyleSheet(QStringLiteral("color: #6b7785;"));
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Mix"));
  m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("mixOk"));

  auto *form = new QFormLayout;
  form->addRow(tr("Into model"), m_name);
  auto *devRow = new QHBoxLayout;
  devRow->addWidget(m_fixed, 1);
  devRow->addWidget(load);
  auto *layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(new QLabel(tr("Sources (published versions)")));
  layout->addWidget(m_sources, 2);
  layout->addLayout(devRow);
  layout->addWidget(m_dev, 1);
  layout->addWidget(m_hint);
  layout->addWidget(m_buttons);
  resize(560, 480);

  connect(load, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Dev text"), QString(), tr("Text (*.txt);;All (*)"));
    if (file.isEmpty()) return;
    QFile f(file);
    if (f.open(QIODevice::ReadOnly))
      setDevText(QString::fromUtf8(f.readAll()));
    else
      m_hint->setText(tr("Cannot read %1: %2").arg(file, f.errorString()));
  });
  connect(m_name, &QLineEdit::textChanged, this, &MixDialog::refresh);
  connect(m_sources, &QTableWidget::itemChanged, this, &MixDialog::refresh);
  connect(m_fixed, &QCheckBox::toggled, this, &MixDialog::refresh);
  connect(m_dev, &QPlainTextEdit::textChanged, this, &MixDialog::refresh);
  connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
    if (canAccept()) accept();
  });
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  refresh();
}

void MixDialog::setModelName(const QString &name) { m_name->setText(name); }

bool MixDialog::setSource(const QString &model, qint64 version, bool checked, double weight) {
  for (int row = 0; row < m_candidates.size(); ++row) {
    if (m_candidates[row].model != model || m_candidates[row].version != version) continue;
    m_sources->item(row, 0)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    static_cast<QDoubleSpinBox *>(m_sources->cellWidget(row, 1))->setValue(weight);
    return true;
  }
  return false;
}

void MixDialog::setFixedWeights(bool fixed) { m_fixed->setChecked(fixed); }
void MixDialog::setDevText(const QString &text) { m_dev->setPlainText(text); }

int MixDialog::checkedCount() const {
  int n = 0;
  for (int row = 0; row < m_sources->rowCount(); ++row) n += m_sources->item(row, 0)->checkState() == Qt::Checked;
  return n;
}

bool MixDialog::canAccept() const {
  return isModelName(m_name->text().trimmed()) && checkedCount() >= 2 &&
         (m_fixed->isChecked() || !m_dev->toPlainText().trimmed().isEmpty());
}

QString MixDialog::hintText() const { return m_hint->text(); }

models::MixRequest MixDialog::request() const {
  models::MixRequest r;
  r.model = m_name->text().trimmed();
  for (int row = 0; row < m_sources->rowCount(); ++row) {
    if (m_sources->item(row, 0)->checkState() != Qt::Checked) continue;
    models::MixRequest::Source s{m_candidates[row].model, m_candidates[row].version, {}};
    if (m_fixed->isChecked()) s.weight = static_cast<QDoubleSpinBox *>(m_sources->cellWidget(row, 1))->value();
    r.sources.append(s);
  }
  if (!m_fixed->isChecked()) r.devText = m_dev->toPlainText();
  return r;
}

void MixDialog::refresh() {
  for (int row = 0; row < m_sources->rowCount(); ++row)
    m_sources->cellWidget(row, 1)->setEnabled(m_fixed->isChecked() &&
                                              m_sources->item(row, 0)->checkState() == Qt::Checked);
  if (!isModelName(m_name->text().trimmed()))
    m_hint->setText(tr("Name the model the mix becomes a version of: lower-case letters, digits, - and _."));
  else if (checkedCount() < 2)
    m_hint->setText(tr("Check two or more versions to mix."));
  else if (!m_fixed->isChecked() && m_dev->toPlainText().trimmed().isEmpty())
    m_hint->setText(tr("Give a dev text to tune the weights on, or fix the weights."));
  else
    m_hint->setText(m_fixed->isChecked() ? tr("The sources are mixed with these weights (normalised by the node).")
                                         : tr("The node tunes the weights on the dev text, then mixes."));
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

}  // namespace lmfront::widgets
