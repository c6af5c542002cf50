// The one shape of every error lmfront generates (core/gateway/http/apierror.h, the table in
// docs/http-api.md): a JSON object holding only "error", which holds exactly "message" (string),
// "type" (string), "param" (null or string) and "code" (a non-empty string). Tests of the data
// plane and of the node check every error they provoke against it.
#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace lmfront::testing {

// Empty when `body` has the shape; otherwise what is wrong with it.
inline QString errorShapeProblem(const QByteArray &body) {
  QJsonParseError parse{};
  const QJsonDocument doc = QJsonDocument::fromJson(body, &parse);
  if (parse.error != QJsonParseError::NoError || !doc.isObject()) return QStringLiteral("not a JSON object");
  const QJsonObject outer = doc.object();
  if (outer.keys() != QStringList{QStringLiteral("error")}) return QStringLiteral("keys other than \"error\"");
  const QJsonObject e = outer[u"error"].toObject();
  QStringList keys = e.keys();
  keys.sort();
  if (keys !=
      QStringList{QStringLiteral("code"), QStringLiteral("message"), QStringLiteral("param"), QStringLiteral("type")})
    return QStringLiteral("error keys are ") + keys.join(u',');
  if (!e[u"message"].isString() || e[u"message"].toString().isEmpty()) return QStringLiteral("message not a string");
  if (!e[u"type"].isString() || e[u"type"].toString().isEmpty()) return QStringLiteral("type not a string");
  if (!e[u"param"].isNull() && !e[u"param"].isString()) return QStringLiteral("param neither null nor a string");
  if (!e[u"code"].isString() || e[u"code"].toString().isEmpty()) return QStringLiteral("code not a string");
  return {};
}

// The error's code, for a body that has the shape.
inline QString errorCode(const QByteArray &body) {
  return QJsonDocument::fromJson(body).object()[u"error"].toObject()[u"code"].toString();
}

}  // namespace lmfront::testing
