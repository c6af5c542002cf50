#include "node/config/tlssection.h"

namespace lmfront::node {

Status readTlsSection(config::JsonSection tls, GatewaySettings &gateway) {
  LMFRONT_RETURN_IF_ERROR(tls.string(u"cert", gateway.tlsCertFile));
  LMFRONT_RETURN_IF_ERROR(tls.string(u"key", gateway.tlsKeyFile));
  return tls.finish();
}

Status checkTlsPair(const GatewaySettings &gateway) {
  if (gateway.tlsCertFile.isEmpty() == gateway.tlsKeyFile.isEmpty()) return Status::ok();
  return Status::invalidArgument(gateway.tlsCertFile.isEmpty()
                                     ? "a TLS key needs its certificate: --tls-cert FILE (tls.cert)"
                                     : "a TLS certificate needs its key: --tls-key FILE (tls.key)");
}

}  // namespace lmfront::node
