// Throwaway certificates for TLS tests, made with the `openssl` command at run time (nothing
// secret is checked in): a CA, and server certificates it signs with a subjectAltName, each as
// DIR/NAME.pem + DIR/NAME.key (EC P-256). Test-only; header-only (Qt Core).
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace lmfront::test {

inline bool runOpenssl(const QStringList &args, const QString &dir, const QByteArray &input = {}) {
  QProcess p;
  p.setWorkingDirectory(dir);
  p.start(QStringLiteral("openssl"), args);
  if (!input.isEmpty()) p.write(input);
  p.closeWriteChannel();
  if (!p.waitForFinished(30'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
    qWarning("openssl %s: %s", qPrintable(args.join(QLatin1Char(' '))), p.readAllStandardError().constData());
    return false;
  }
  return true;
}

// DIR/NAME.pem and DIR/NAME.key: a self-signed CA.
inline bool makeTestCa(const QString &dir, const QString &name = QStringLiteral("ca")) {
  return runOpenssl({u"req"_qs, u"-x509"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs,
                     u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs, u"-keyout"_qs, name + u".key"_qs, u"-out"_qs,
                     name + u".pem"_qs, u"-days"_qs, u"2"_qs, u"-subj"_qs, u"/CN=lmfront test CA "_qs + name},
                    dir);
}

// DIR/NAME.pem and DIR/NAME.key signed by DIR/CA.pem; san as openssl writes it ("IP:127.0.0.1",
// "DNS:other.example"). Each certificate gets the CA's next serial number
// (random at first), so two certificates never share one. days -1: expired since yesterday.
inline bool makeTestCertificate(const QString &dir, const QString &name, const QString &san,
                                const QString &ca = QStringLiteral("ca"), int days = 2) {
  if (!runOpenssl({u"req"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs, u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs,
                   u"-keyout"_qs, name + u".key"_qs, u"-out"_qs, name + u".csr"_qs, u"-subj"_qs, u"/CN="_qs + name},
                  dir))
    return false;
  // The subjectAltName reaches `openssl x509` through -extfile /dev/stdin.
  return runOpenssl({u"x509"_qs, u"-req"_qs, u"-in"_qs, name + u".csr"_qs, u"-CA"_qs, ca + u".pem"_qs, u"-CAkey"_qs,
                     ca + u".key"_qs, u"-CAcreateserial"_qs, u"-days"_qs, QString::number(days), u"-out"_qs,
                     name + u".pem"_qs, u"-extfile"_qs, u"/dev/stdin"_qs},
                    dir, QStringLiteral("subjectAltName=%1\n").arg(san).toUtf8());
}

// DIR/NAME.pem and DIR/NAME.key: a self-signed server certificate (its own issuer, not a CA) with
// the given subjectAltName, as a node's operator makes one with `openssl req -x509`.
inline bool makeSelfSignedCertificate(const QString &dir, const QString &name, const QString &san) {
  return runOpenssl({u"req"_qs, u"-x509"_qs, u"-newkey"_qs, u"ec"_qs, u"-pkeyopt"_qs,
                     u"ec_paramgen_curve:prime256v1"_qs, u"-nodes"_qs, u"-keyout"_qs, name + u".key"_qs, u"-out"_qs,
                     name + u".pem"_qs, u"-days"_qs, u"2"_qs, u"-subj"_qs, u"/CN="_qs + name, u"-addext"_qs,
                     u"subjectAltName="_qs + san, u"-addext"_qs, u"basicConstraints=critical,CA:FALSE"_qs},
                    dir);
}

}  // namespace lmfront::test
