// DeployDialog: how to deploy a published version — replace (load, swap, unload the old), canary
// N % with its limits (maximum error rate, p99 in ms or as a ratio to the stable version, the
// requests it needs before judging), or shadow N % (mirrored, answers discarded) — and a comment.
//
// Contract: opened with open() (window-modal, not blocking); request() is what the form says.
// The percent and sticky fields apply to canary and shadow, the limits to canary only: the others
// are disabled, so what is shown enabled is what is sent.
#pragma once

#include "models/deploymentstate.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLineEdit;
class QSpinBox;

namespace lmfront::widgets {

class DeployDialog : public QDialog {
  Q_OBJECT
public:
  using Strategy = models::DeployRequest::Strategy;

  DeployDialog(const QString &model, qint64 version, QWidget *parent = nullptr);

  void setStrategy(Strategy strategy);
  void setPercent(double percent);
  models::DeployRequest request() const;

private:
  void refresh();

  QString m_model;
  qint64 m_version;
  QComboBox *m_strategy;
  QDoubleSpinBox *m_percent;
  QCheckBox *m_sticky;
  QGroupBox *m_limits;
  QDoubleSpinBox *m_maxErrorRate;  // percent; 0: no limit
  QSpinBox *m_maxP99Ms;            // 0: no limit
  QDoubleSpinBox *m_maxP99Ratio;   // 0: no limit
  QSpinBox *m_minRequests;
  QLineEdit *m_comment;
};

}  // namespace lmfront::widgets
