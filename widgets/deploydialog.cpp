#include "widgets/deploydialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace lmfront::widgets {

DeployDialog::DeployDialog(const QString &model, qint64 version, QWidget *parent)
    : QDialog(parent),
      m_model(model),
      m_version(version),
      m_strategy(new QComboBox),
      m_percent(new QDoubleSpinBox),
      m_sticky(new QCheckBox),
      m_limits(new QGroupBox),
      m_maxErrorRate(new QDoubleSpinBox),
      m_maxP99Ms(new QSpinBox),
      m_maxP99Ratio(new QDoubleSpinBox),
      m_minRequests(new QSpinBox),
      m_comment(new QLineEdit) {
  setObjectName(QStringLiteral("deployDialog"));
  setWindowTitle(tr("Deploy %1 v%2").arg(model).arg(version));
  setWindowModality(Qt::WindowModal);
  m_strategy->setObjectName(QStringLiteral("deployStrategy"));
  m_strategy->addItem(tr("Replace: serve it instead of the current version"), static_cast<int>(Strategy::Replace));
  m_strategy->addItem(tr("Canary: a share of the requests, rolled back on a breach"),
                      static_cast<int>(Strategy::Canary));
  m_strategy->addItem(tr("Shadow: mirror a share, answers discarded and compared"), static_cast<int>(Strategy::Shadow));
  m_percent->setObjectName(QStringLiteral("deployPercent"));
  m_percent->setRange(0.1, 100);
  m_percent->setDecimals(1);
  m_percent->setValue(10);
  m_percent->setSuffix(QStringLiteral(" %"));
  m_sticky->setObjectName(QStringLiteral("deploySticky"));
  m_sticky->setText(tr("Sticky: the same caller always gets the same version"));

  m_maxErrorRate->setObjectName(QStringLiteral("deployMaxErrorRate"));
  m_maxErrorRate->setRange(0, 100);
  m_maxErrorRate->setDecimals(1);
  m_maxErrorRate->setSuffix(QStringLiteral(" %"));
  m_maxErrorRate->setValue(5);
  m_maxP99Ms->setObjectName(QStringLiteral("deployMaxP99Ms"));
  m_maxP99Ms->setRange(0, 600'000);
  m_maxP99Ms->setSuffix(QStringLiteral(" ms"));
  m_maxP99Ratio->setObjectName(QStringLiteral("deployMaxP99Ratio"));
  m_maxP99Ratio->setRange(0, 100);
  m_maxP99Ratio->setDecimals(2);
  m_maxP99Ratio->setSuffix(QStringLiteral(" ×"));
  m_minRequests->setObjectName(QStringLiteral("deployMinRequests"));
  m_minRequests->setRange(1, 1'000'000);
  m_minRequests->setValue(20);
  for (QAbstractSpinBox *box : std::initializer_list<QAbstractSpinBox *>{m_maxErrorRate, m_maxP99Ms, m_maxP99Ratio})
    box->setSpecialValueText(tr("no limit"));
  auto *limits = new QFormLayout(m_limits);
  limits->addRow(tr("Maximum error rate"), m_maxErrorRate);
  limits->addRow(tr("Maximum p99 latency"), m_maxP99Ms);
  limits->addRow(tr("Maximum p99 against stable"), m_maxP99Ratio);
  limits->addRow(tr("Judge after"), m_minRequests);
  m_limits->setTitle(tr("Canary limits: breaching one rolls the canary back"));

  m_comment->setObjectName(QStringLiteral("deployComment"));
  m_comment->setPlaceholderText(tr("Comment (optional, kept in the audit log)"));
  auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Deploy"));
  buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("deployOk"));

  auto *form = new QFormLayout;
  form->addRow(tr("Strategy"), m_strategy);
  form->addRow(tr("Share of requests"), m_percent);
  form->addRow(QString(), m_sticky);
  auto *layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(m_limits);
  layout->addWidget(m_comment);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_strategy, &QComboBox::currentIndexChanged, this, &DeployDialog::refresh);
  refresh();
}

void DeployDialog::setStrategy(Strategy strategy) {
  m_strategy->setCurrentIndex(m_strategy->findData(static_cast<int>(strategy)));
}

void DeployDialog::setPercent(double percent) { m_percent->setValue(percent); }

void DeployDialog::refresh() {
  const auto strategy = static_cast<Strategy>(m_strategy->currentData().toInt());
  m_percent->setEnabled(strategy != Strategy::Replace);
  m_sticky->setEnabled(strategy != Strategy::Replace);
  m_limits->setEnabled(strategy == Strategy::Canary);
}

models::DeployRequest DeployDialog::request() const {
  models::DeployRequest r;
  r.model = m_model;
  r.version = m_version;
  r.strategy = static_cast<Strategy>(m_strategy->currentData().toInt());
  r.percent = m_percent->value();
  r.sticky = m_sticky->isChecked();
  if (m_maxErrorRate->value() > 0) r.maxErrorRate = m_maxErrorRate->value() / 100;
  if (m_maxP99Ms->value() > 0) r.maxP99Ms = m_maxP99Ms->value();
  if (m_maxP99Ratio->value() > 0) r.maxP99Ratio = m_maxP99Ratio->value();
  r.minRequests = m_minRequests->value();
  r.comment = m_comment->text().trimmed();
  return r;
}

}  // namespace lmfront::widgets
