// MixDialog: what to mix (docs/models.md, "Jobs": `mix`) — the new model's name, two or more
// published versions to interpolate, and either a weight for each (fixed weights) or a dev text
// the node tunes the weights on by EM (typed, or loaded from a file).
//
// Contract: opened with open() (window-modal, not blocking) with the versions that may be mixed
// (published or deployed, with a serving artifact); request() is what the form says. Mix is
// enabled once the name is a model name ([a-z][a-z0-9_-]{0,63}), two sources are checked and the
// weights are fixed or a dev text is given; the hint says what is missing otherwise. Weights are
// sent only when fixed, so what is shown enabled is what is sent.
#pragma once

#include "models/joblistmodel.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableWidget;

namespace lmfront::widgets {

class MixDialog : public QDialog {
  Q_OBJECT
public:
  struct Candidate {
    QString model;
    qint64 version = 0;
  };

  explicit MixDialog(const QList<Candidate> &candidates, QWidget *parent = nullptr);

  void setModelName(const QString &name);
  bool setSource(const QString &model, qint64 version, bool checked, double weight = 1);
  void setFixedWeights(bool fixed);
  void setDevText(const QString &text);
  bool canAccept() const;
  QString hintText() const;
  models::MixRequest request() const;

private:
  void refresh();
  int checkedCount() const;

  QList<Candidate> m_candidates;
  QLineEdit *m_name;
  QTableWidget *m_sources;
  QCheckBox *m_fixed;
  QPlainTextEdit *m_dev;
  QLabel *m_hint;
  QDialogButtonBox *m_buttons;
};

}  // namespace lmfront::widgets
