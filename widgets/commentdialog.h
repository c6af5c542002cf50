// CommentDialog: asks for the comment a review or a retirement carries ("dev perplexity 212, down
// from 240"), which the node keeps with the version and in the audit log. A reject needs one
// (commentRequired): OK stays disabled until something is written.
//
// Contract: opened with open() (window-modal, not blocking), so the caller continues from
// accepted(); comment() is the trimmed text.
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace lmfront::widgets {

class CommentDialog : public QDialog {
  Q_OBJECT
public:
  CommentDialog(const QString &title, const QString &prompt, const QString &okText, bool commentRequired,
                QWidget *parent = nullptr);

  QString comment() const;
  void setComment(const QString &text);
  bool canAccept() const;

private:
  void refresh();

  QLabel *m_prompt;
  QPlainTextEdit *m_text;
  QDialogButtonBox *m_buttons;
  bool m_required;
};

}  // namespace lmfront::widgets
