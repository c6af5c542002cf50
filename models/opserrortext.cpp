#include "models/opserrortext.h"

#include <QCoreApplication>

namespace lmfront::models {

QString opsErrorText(const client::OpsReply &reply) {
  using Outcome = client::OpsReply::Outcome;
  using Code = client::OpsErrorCode;
  const QString why = reply.error.message;
  switch (reply.outcome) {
  case Outcome::Ok: return {};
  case Outcome::Timeout: return QCoreApplication::translate("OpsErrorText", "The node did not answer in time.");
  case Outcome::Disconnected:
    return QCoreApplication::translate("OpsErrorText", "Not connected to the node: %1").arg(why);
  case Outcome::Refused: break;
  }
  switch (reply.error.code) {
  case Code::Forbidden:
  case Code::Unauthenticated: return QCoreApplication::translate("OpsErrorText", "Not allowed: %1").arg(why);
  case Code::UnknownCommand:
    return QCoreApplication::translate("OpsErrorText", "The node does not offer this command (an older version?): %1")
        .arg(why);
  default: break;
  }
  return QCoreApplication::translate("OpsErrorText", "Refused: %1").arg(why);
}

}  // namespace lmfront::models
