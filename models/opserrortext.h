// opsErrorText(): what the console says when a node refused or did not answer an ops command, in
// the user's language around the node's own (English) reason. A role the key lacks is said
// plainly ("Not allowed: this needs the operator role; key 'ci-bot' has viewer"), so a viewer who
// tries to acknowledge sees why nothing happened.
#pragma once

#include "client/opsclient.h"

#include <QString>

namespace lmfront::models {

// Empty for a reply that is ok.
QString opsErrorText(const client::OpsReply &reply);

}  // namespace lmfront::models
