#include "widgets/languagemanager.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>

namespace lmfront::widgets {

LanguageManager::LanguageManager(QObject *parent) : QObject(parent) {}

LanguageManager::~LanguageManager() { removeTranslators(); }

QStringList LanguageManager::supportedLanguages() { return {QStringLiteral("en"), QStringLiteral("zh_CN")}; }

QString LanguageManager::nativeName(const QString &code) {
  if (code == QLatin1String("zh_CN")) return QString::fromUtf8("简体中文");
  return QStringLiteral("English");
}

void LanguageManager::removeTranslators() {
  if (m_app) QCoreApplication::removeTranslator(m_app.get());
  if (m_qt) QCoreApplication::removeTranslator(m_qt.get());
  m_app.reset();
  m_qt.reset();
}

bool LanguageManager::apply(const QString &code) {
  if (!supportedLanguages().contains(code)) return false;
  if (code == m_current) return true;
  auto app = std::make_unique<QTranslator>();
  auto qt = std::make_unique<QTranslator>();
  if (code != QLatin1String("en")) {
    if (!app->load(QStringLiteral(":/i18n/lmfront_%1.qm").arg(code))) return false;
    // Qt's own strings (dialog buttons) when the distribution ships them; optional.
    if (!qt->load(QStringLiteral("qtbase_%1").arg(code), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
      qt.reset();
  }
  // Installing or removing a translator posts LanguageChange to every widget.
  removeTranslators();
  if (code != QLatin1String("en")) {
    m_app = std::move(app);
    QCoreApplication::installTranslator(m_app.get());
    if (qt) {
      m_qt = std::move(qt);
      QCoreApplication::installTranslator(m_qt.get());
    }
  }
  QLocale::setDefault(code == QLatin1String("en") ? QLocale(QLocale::English, QLocale::UnitedStates) : QLocale(code));
  m_current = code;
  Q_EMIT languageChanged(code);
  return true;
}

}  // namespace lmfront::widgets
