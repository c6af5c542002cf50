// ValidationReportView: a version's stored validation report (docs/model-format.md, "Validation
// report") as a reviewer reads it — the verdict (checks passed of all), the dev-set perplexity
// against the threshold it had to meet, the model's figures (order, n-grams, vocabulary, <unk>),
// the normalisation check's numbers, then every check with its verdict and the node's sentence.
//
// Contract: a read-only QTextBrowser; setReport() renders a report object as the node sends it
// (fields it lacks are left out, as the format allows), setMessage() shows a line instead (loading,
// not validated yet, an error). verdictPassed() is the last report's verdict; plainText() what
// shows. Re-translates on QEvent::LanguageChange.
#pragma once

#include <QJsonObject>
#include <QTextBrowser>

namespace lmfront::widgets {

class ValidationReportView : public QTextBrowser {
  Q_OBJECT
public:
  explicit ValidationReportView(QWidget *parent = nullptr);

  void setReport(const QJsonObject &report);
  void setMessage(const QString &text);
  bool hasReport() const { return !m_report.isEmpty(); }
  bool verdictPassed() const;
  QString plainText() const { return toPlainText(); }

  // Translated name of a check ("dev_perplexity" → "Dev perplexity"); unknown names as they came.
  static QString checkText(const QString &name);
  static QString html(const QJsonObject &report);

protected:
  void changeEvent(QEvent *event) override;

private:
  QJsonObject m_report;
  QString m_message;
};

}  // namespace lmfront::widgets
