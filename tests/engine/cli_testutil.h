// Runs the real `lmfront` binary for the engine's CLI tests ($LMFRONT_BIN_DIR, set by ctest).
#pragma once

#include <QByteArray>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

namespace lmfront::testing {

struct CliRun {
  int exitCode = -1;  // -1: did not finish in time or crashed
  QByteArray out;
  QByteArray err;
};

inline QString lmfrontBinary() { return qEnvironmentVariable("LMFRONT_BIN_DIR") + QStringLiteral("/lmfront"); }

inline CliRun runLmfront(const QStringList &args) {
  QProcess p;
  p.start(lmfrontBinary(), args);
  CliRun r;
  if (!p.waitForFinished(60000)) return r;
  r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

inline void writeFile(const QString &path, const QByteArray &data) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  QCOMPARE(f.write(data), data.size());
}

}  // namespace lmfront::testing
