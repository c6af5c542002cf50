#include "node/config/authsection.h"

namespace lmfront::node {

Status readAuthSection(config::JsonSection auth, GatewaySettings &gateway) {
  LMFRONT_RETURN_IF_ERROR(auth.boolean(u"require_keys", gateway.requireKeys));
  LMFRONT_RETURN_IF_ERROR(auth.stringList(u"allowed_hosts", gateway.allowedHosts));
  LMFRONT_RETURN_IF_ERROR(auth.stringList(u"trusted_origins", gateway.trustedOrigins));
  return auth.finish();
}

}  // namespace lmfront::node
