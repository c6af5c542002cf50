#include "widgets/validationreportview.h"

#include <QEvent>
#include <QJsonArray>
#include <QLocale>

namespace lmfront::widgets {

namespace {

const QString kPass = QStringLiteral("#2e7d4f");
const QString kFail = QStringLiteral("#b42318");

QString esc(const QString &s) { return s.toHtmlEscaped(); }
bool present(const QJsonObject &o, const char *key) {
  const QJsonValue v = o.value(QLatin1StringView(key));
  return !v.isUndefined() && !v.isNull();
}
QString num(const QJsonValue &v, int decimals = 2) {
  return v.isDouble() ? QLocale().toString(v.toDouble(), 'f', decimals) : QStringLiteral("—");
}
QString count(const QJsonValue &v) { return QLocale().toString(v.toInteger()); }

}  // namespace

ValidationReportView::ValidationReportView(QWidget *parent) : QTextBrowser(parent) {
  setObjectName(QStringLiteral("validationReport"));
  setOpenLinks(false);
}

void ValidationReportView::setReport(const QJsonObject &report) {
  m_report = report;
  m_message.clear();
  setHtml(html(report));
}

void ValidationReportView::setMessage(const QString &text) {
  m_report = {};
  m_message = text;
  setPlainText(text);
}

bool ValidationReportView::verdictPassed() const { return m_report.value(QLatin1StringView("passed")).toBool(); }

QString ValidationReportView::checkText(const QString &name) {
  if (name == QLatin1StringView("manifest")) return tr("Manifest");
  if (name == QLatin1StringView("arpa")) return tr("ARPA file");
  if (name == QLatin1StringView("special_tokens")) return tr("Special tokens");
  if (name == QLatin1StringView("order")) return tr("Order");
  if (name == QLatin1StringView("size")) return tr("Size");
  if (name == QLatin1StringView("normalization")) return tr("Normalization");
  if (name == QLatin1StringView("dev_perplexity")) return tr("Dev perplexity");
  return name;
}

QString ValidationReportView::html(const QJsonObject &report) {
  const QJsonArray checks = report.value(QLatin1StringView("checks")).toArray();
  qsizetype passedChecks = 0;
  for (const QJsonValue &c : checks) passedChecks += c.toObject().value(QLatin1StringView("passed")).toBool() ? 1 : 0;
  const bool passed = report.value(QLatin1StringView("passed")).toBool();
  QString out =
      QStringLiteral("<p style='font-weight:600; color:%1'>%2</p>")
          .arg(passed ? kPass : kFail, esc(passed ? tr("Passed: %1 of %2 checks.").arg(passedChecks).arg(checks.size())
                                                  : tr("Failed: %1 of %2 checks did not pass.")
                                                        .arg(checks.size() - passedChecks)
                                                        .arg(checks.size())));

  out += QStringLiteral("<table cellspacing='0' cellpadding='2'>");
  auto row = [&out](const QString &name, const QString &value) {
    out += QStringLiteral("<tr><td style='color:#6b7785; padding-right:12px'>%1</td><td>%2</td></tr>")
               .arg(esc(name), esc(value));
  };
  if (present(report, "dev")) {
    const QJsonObject dev = report.value(QLatin1StringView("dev")).toObject();
    const QJsonValue perplexity = dev.value(QLatin1StringView("perplexity"));
    const QJsonValue threshold = dev.value(QLatin1StringView("threshold"));
    QString verdict;
    if (!perplexity.isDouble())
      verdict = tr("overflowed (threshold %1)").arg(num(threshold, 0));
    else if (perplexity.toDouble() <= threshold.toDouble())
      verdict = tr("%1, within the threshold of %2").arg(num(perplexity), num(threshold, 0));
    else
      verdict = tr("%1, above the threshold of %2").arg(num(perplexity), num(threshold, 0));
    row(tr("Dev perplexity"), verdict);
    row(tr("Dev set"),
        tr("%1 sentences, %2 tokens, %3 out of vocabulary (%4 %)")
            .arg(count(dev.value(QLatin1StringView("sentences"))), count(dev.value(QLatin1StringView("tokens"))),
                 count(dev.value(QLatin1StringView("oov"))),
                 num(QJsonValue(dev.value(QLatin1StringView("oov_rate")).toDouble() * 100), 1)));
  } else {
    row(tr("Dev perplexity"), tr("not measured: the bundle has no dev.txt"));
  }
  if (present(report, "order")) {
    QStringList counts;
    for (const QJsonValue &c : report.value(QLatin1StringView("counts")).toArray()) counts << count(c);
    row(tr("Order"), QString::number(report.value(QLatin1StringView("order")).toInt()));
    row(tr("N-grams per order"), counts.join(QStringLiteral(" / ")));
    row(tr("Vocabulary"), count(report.value(QLatin1StringView("vocabulary"))));
    row(QStringLiteral("<unk>"), report.value(QLatin1StringView("unk")).toString() == QLatin1StringView("present")
                                     ? tr("present")
                                     : tr("synthesized"));
  }
  if (present(report, "normalization")) {
    const QJsonObject n = report.value(QLatin1StringView("normalization")).toObject();
    const QString worstContext = n.value(QLatin1StringView("worst_context")).toString();
    row(tr("Normalization"),
        tr("%1 of %2 contexts checked%3, %4 off by more than %5; the worst by %6 (%7)")
            .arg(count(n.value(QLatin1StringView("checked"))), count(n.value(QLatin1StringView("contexts"))),
                 n.value(QLatin1StringView("sampled")).toBool() ? tr(" (a sample)") : QString(),
                 count(n.value(QLatin1StringView("failed"))),
                 QString::number(n.value(QLatin1StringView("tolerance")).toDouble()),
                 QString::number(n.value(QLatin1StringView("worst_deviation")).toDouble(), 'g', 3),
                 worstContext.isEmpty() ? tr("the unigrams") : u'"' + worstContext + u'"'));
  }
  out += QStringLiteral("</table><table cellspacing='0' cellpadding='2' style='margin-top:8px'>");
  for (const QJsonValue &value : checks) {
    const QJsonObject c = value.toObject();
    const bool ok = c.value(QLatin1StringView("passed")).toBool();
    out += QStringLiteral(
               "<tr><td style='color:%1; padding-right:6px'>%2</td><td style='padding-right:12px'><b>%3</b>"
               "</td><td>%4</td></tr>")
               .arg(ok ? kPass : kFail, ok ? QStringLiteral("✓") : QStringLiteral("✗"),
                    esc(checkText(c.value(QLatin1StringView("name")).toString())),
                    esc(c.value(QLatin1StringView("detail")).toString()));
  }
  return out + QStringLiteral("</table>");
}

void ValidationReportView::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) {
    if (!m_report.isEmpty()) setHtml(html(m_report));
  }
  QTextBrowser::changeEvent(event);
}

}  // namespace lmfront::widgets
