// LanguageManager: switches the application's language at run time.
//
// Contract: GUI thread. apply() installs (or removes, for English, the source language) the
// embedded translation ":/i18n/lmfront_<code>.qm" plus Qt's own translation when Qt ships one;
// Qt then posts QEvent::LanguageChange to every widget, and each page re-translates itself in
// changeEvent(). Unknown codes or a missing .qm fail without changing anything.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTranslator>
#include <memory>

namespace lmfront::widgets {

class LanguageManager : public QObject {
  Q_OBJECT
public:
  explicit LanguageManager(QObject *parent = nullptr);
  ~LanguageManager() override;

  static QStringList supportedLanguages();  // {"en", "zh_CN"}
  // Each language's name in itself ("English", "简体中文"): never translated.
  static QString nativeName(const QString &code);

  bool apply(const QString &code);
  QString current() const { return m_current; }

Q_SIGNALS:
  void languageChanged(const QString &code);

private:
  void removeTranslators();

  std::unique_ptr<QTranslator> m_app;  // installed while non-null
  std::unique_ptr<QTranslator> m_qt;
  QString m_current = QStringLiteral("en");
};

}  // namespace lmfront::widgets
