#include "widgets/uploadpanel.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

namespace lmfront::widgets {

using models::BundleUpload;
using State = BundleUpload::State;

UploadPanel::UploadPanel(BundleUpload *upload, QWidget *parent)
    : QFrame(parent),
      m_upload(upload),
      m_text(new QLabel),
      m_bar(new QProgressBar),
      m_cancel(new QPushButton),
      m_resume(new QPushButton) {
  setObjectName(QStringLiteral("uploadPanel"));
  m_text->setObjectName(QStringLiteral("uploadText"));
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_bar->setObjectName(QStringLiteral("uploadProgress"));
  m_bar->setRange(0, 100);
  m_bar->setMaximumWidth(260);
  m_cancel->setObjectName(QStringLiteral("uploadCancel"));
  m_resume->setObjectName(QStringLiteral("uploadResume"));
  auto *layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 2, 0, 2);
  layout->addWidget(m_text, 1);
  layout->addWidget(m_bar);
  layout->addWidget(m_cancel);
  layout->addWidget(m_resume);
  hide();

  connect(m_cancel, &QPushButton::clicked, upload, &BundleUpload::cancel);
  connect(m_resume, &QPushButton::clicked, upload, &BundleUpload::resume);
  connect(upload, &BundleUpload::stateChanged, this, [this](State state) {
    if (state == State::Packing || state == State::Uploading) m_result = {};
    refresh();
  });
  connect(upload, &BundleUpload::progress, this, &UploadPanel::refresh);
  connect(upload, &BundleUpload::finished, this, [this](const QJsonObject &result) {
    m_result = result;
    refresh();
  });
  refresh();
}

QString UploadPanel::text() const { return m_text->text(); }
int UploadPanel::percent() const { return m_bar->value(); }

void UploadPanel::refresh() {
  const State state = m_upload->state();
  const QString name = QFileInfo(m_upload->path()).fileName();
  const qint64 total = m_upload->total();
  const int percent = total > 0 ? static_cast<int>(m_upload->sent() * 100 / total) : 0;
  m_error = state == State::Failed;
  m_text->setStyleSheet(m_error ? QStringLiteral("color: #b42318;") : QString());
  switch (state) {
  case State::Idle:
    m_text->setText(m_upload->path().isEmpty() ? QString() : tr("Upload of %1 cancelled.").arg(name));
    break;
  case State::Packing: m_text->setText(tr("Packing %1 into a .tar.gz…").arg(name)); break;
  case State::Uploading:
    m_text->setText(tr("Uploading %1: %2 of %3")
                        .arg(name, QLocale().formattedDataSize(m_upload->sent()), QLocale().formattedDataSize(total)));
    break;
  case State::Done:
    m_text->setText(tr("Submitted %1 as %2 v%3; its validation is job %4.")
                        .arg(name, m_result.value(QLatin1StringView("model")).toString())
                        .arg(m_result.value(QLatin1StringView("version")).toInteger())
                        .arg(m_result.value(QLatin1StringView("job")).toInteger()));
    break;
  case State::Failed: m_text->setText(tr("Upload of %1 failed: %2").arg(name, m_upload->error())); break;
  }
  m_bar->setValue(state == State::Done ? 100 : percent);
  m_bar->setVisible(state == State::Uploading || state == State::Done || state == State::Failed);
  m_bar->setFormat(state == State::Packing ? QString() : QStringLiteral("%p %"));
  m_cancel->setVisible(m_upload->isBusy());
  m_resume->setVisible(m_upload->canResume());
  setVisible(!m_upload->path().isEmpty());
  m_cancel->setText(tr("Cancel upload"));
  m_resume->setText(tr("Resume"));
}

void UploadPanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) refresh();
  QFrame::changeEvent(event);
}

}  // namespace lmfront::widgets
