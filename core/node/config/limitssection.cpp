#include "node/config/limitssection.h"

#include "node/config/cachesection.h"

namespace lmfront::node {

namespace {
Status readRates(config::JsonSection &limits, QStringView key, RateLimits &rates) {
  auto section = limits.section(key);
  if (!section) return section.status();
  LMFRONT_RETURN_IF_ERROR(section->integer(u"requests_per_minute", 0, kMaxPerMinute, rates.requestsPerMinute));
  LMFRONT_RETURN_IF_ERROR(section->integer(u"tokens_per_minute", 0, kMaxPerMinute, rates.tokensPerMinute));
  return section->finish();
}
}  // namespace

Status readLimitsSection(config::JsonSection limits, GatewaySettings &gateway) {
  LMFRONT_RETURN_IF_ERROR(readRates(limits, u"per_key", gateway.perKey));
  LMFRONT_RETURN_IF_ERROR(readRates(limits, u"per_model", gateway.perModel));
  QString redis;
  const bool hasRedis = limits.contains(u"redis");
  LMFRONT_RETURN_IF_ERROR(limits.string(u"redis", redis));
  if (hasRedis)
    LMFRONT_RETURN_IF_ERROR(parseRedisAddress(redis, gateway).withContext(limits.pathOf(u"redis").toStdString()));
  return limits.finish();
}

}  // namespace lmfront::node
