// UploadPanel: the Models section's view of a bundle being submitted — what is sent (packing a
// directory first), a progress bar over the archive's bytes the node acknowledged, Cancel while it
// runs, Resume after a failure the node holds part of (the upload continues at the node's offset),
// and the outcome: the version the node recorded and its validation job, or why it refused.
//
// Contract: a view of the BundleUpload it is given (not owned); hidden until an upload starts.
// Re-translates on QEvent::LanguageChange.
#pragma once

#include "models/bundleupload.h"

#include <QFrame>
#include <QJsonObject>

class QLabel;
class QProgressBar;
class QPushButton;

namespace lmfront::widgets {

class UploadPanel : public QFrame {
  Q_OBJECT
public:
  explicit UploadPanel(models::BundleUpload *upload, QWidget *parent = nullptr);

  QString text() const;
  int percent() const;  // the bar's value, 0..100
  bool isError() const { return m_error; }

protected:
  void changeEvent(QEvent *event) override;

private:
  void refresh();

  models::BundleUpload *m_upload;
  QLabel *m_text;
  QProgressBar *m_bar;
  QPushButton *m_cancel;
  QPushButton *m_resume;
  QJsonObject m_result;  // the node's answer to the last upload that finished
  bool m_error = false;
};

}  // namespace lmfront::widgets
