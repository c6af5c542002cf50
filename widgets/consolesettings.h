// The console's stored preferences: one place for the QSettings keys and their defaults, so the
// Settings page, the main window and main() agree.
//
// Stored with QSettings (organisation "lmfront", application "lmfront-console"): on Linux
// ~/.config/lmfront/lmfront-console.conf. Values read back are validated here: a hand-edited
// file with a bad port or unknown language yields the default, never a crash. The Playground's
// API key is kept here too, in a file made readable by its owner only; it is never logged.
#pragma once

#include <QFile>
#include <QSettings>
#include <QString>

namespace lmfront::widgets {

inline constexpr quint16 kDefaultListenPort = 8080;
// Ports below this need root on Linux; the Settings page refuses them.
inline constexpr int kMinListenPort = 1024;

struct ConsoleSettings {
  static QString listenPortKey() { return QStringLiteral("node/listenPort"); }
  static QString languageKey() { return QStringLiteral("ui/language"); }
  static QString geometryKey() { return QStringLiteral("window/geometry"); }
  static QString sectionKey() { return QStringLiteral("window/section"); }
  static QString playgroundApiKeyKey() { return QStringLiteral("playground/apiKey"); }

  static quint16 listenPort(const QSettings &s) {
    bool ok = false;
    const int port = s.value(listenPortKey(), kDefaultListenPort).toInt(&ok);
    return ok && port >= kMinListenPort && port <= 65535 ? static_cast<quint16>(port) : kDefaultListenPort;
  }
  // "en" or "zh_CN"; anything else reads as "en".
  static QString language(const QSettings &s) {
    const QString lang = s.value(languageKey()).toString();
    return lang == QLatin1String("zh_CN") ? lang : QStringLiteral("en");
  }
  // The API key the Playground sends ("Authorization: Bearer"); empty when none is set.
  static QString playgroundApiKey(const QSettings &s) { return s.value(playgroundApiKeyKey()).toString().trimmed(); }
  // Stores it (an empty key removes the entry) and makes the settings file readable by its owner
  // only, since it now holds a secret (QSettings keeps a file's permissions when it rewrites it).
  static void setPlaygroundApiKey(QSettings &s, const QString &key) {
    if (key.isEmpty())
      s.remove(playgroundApiKeyKey());
    else
      s.setValue(playgroundApiKeyKey(), key);
    s.sync();
    // Not gated on status(): Qt 6.4 can report AccessError from a fallback path after a good write.
    if (!key.isEmpty() && QFile::exists(s.fileName()))
      QFile::setPermissions(s.fileName(), QFileDevice::ReadOwner | QFileDevice::WriteOwner);
  }
};

}  // namespace lmfront::widgets
