#include "widgets/commentdialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lmfront::widgets {

CommentDialog::CommentDialog(const QString &title, const QString &prompt, const QString &okText, bool commentRequired,
                             QWidget *parent)
    : QDialog(parent),
      m_prompt(new QLabel(prompt)),
      m_text(new QPlainTextEdit),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)),
      m_required(commentRequired) {
  setObjectName(QStringLiteral("commentDialog"));
  setWindowTitle(title);
  setWindowModality(Qt::WindowModal);
  m_prompt->setWordWrap(true);
  m_text->setObjectName(QStringLiteral("commentText"));
  m_text->setPlaceholderText(commentRequired ? tr("Comment (required)") : tr("Comment (optional)"));
  m_text->setTabChangesFocus(true);
  m_buttons->button(QDialogButtonBox::Ok)->setText(okText);
  m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("commentOk"));
  auto *layout = new QVBoxLayout(this);
  layout->addWidget(m_prompt);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_buttons);
  resize(460, 240);
  connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
    if (canAccept()) accept();
  });
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_text, &QPlainTextEdit::textChanged, this, &CommentDialog::refresh);
  refresh();
}

QString CommentDialog::comment() const { return m_text->toPlainText().trimmed(); }

void CommentDialog::setComment(const QString &text) { m_text->setPlainText(text); }

bool CommentDialog::canAccept() const { return !m_required || !comment().isEmpty(); }

void CommentDialog::refresh() { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept()); }

}  // namespace lmfront::widgets
