// The "tls" section of the node's config file: cert and key, the PEM files that make the data
// plane speak HTTPS and WSS on its port (docs/http-dataplane.md "TLS"). Both or neither: the
// check runs once flags and files are all applied (checkTlsPair), since either may come from
// either place. The files are read at start and on SIGHUP, not here.
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

// Reads the section into `gateway`; unknown keys are errors. An empty section changes nothing.
Status readTlsSection(config::JsonSection tls, GatewaySettings &gateway);
// InvalidArgument when only one of the certificate and the key is set.
Status checkTlsPair(const GatewaySettings &gateway);

}  // namespace lmfront::node
