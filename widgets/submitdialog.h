// SubmitDialog: which bundle to submit — a directory or a .tar.gz holding model.json, the model
// (model.arpa, or a corpus the node trains), an optional dev.txt and README.md (docs/model-format.md,
// "Submission bundle") — typed or picked with a file dialog (an archive) or a folder dialog.
//
// Contract: opened with open() (window-modal, not blocking); path() is the chosen path. Submit is
// enabled once the path names a directory or a .tar.gz / .tgz file that exists; the hint under
// the field says what is wrong with it otherwise.
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace lmfront::widgets {

class SubmitDialog : public QDialog {
  Q_OBJECT
public:
  explicit SubmitDialog(QWidget *parent = nullptr);

  QString path() const;
  void setPath(const QString &path);
  bool canAccept() const;

private:
  void refresh();

  QLineEdit *m_path;
  QLabel *m_hint;
  QDialogButtonBox *m_buttons;
};

}  // namespace lmfront::widgets
