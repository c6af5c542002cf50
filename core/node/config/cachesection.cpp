#include "node/config/cachesection.h"

namespace lmfront::node {

Status parseRedisAddress(const QString &text, GatewaySettings &gateway) {
  const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
  bool ok = false;
  const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
  if (colon <= 0 || !ok || port == 0 || port > 65535)
    return Status::invalidArgument(QStringLiteral("expected HOST:PORT, got '%1'").arg(text).toStdString());
  gateway.redisHost = text.left(colon);
  gateway.redisPort = static_cast<quint16>(port);
  return Status::ok();
}

Status readCacheSection(config::JsonSection cache, GatewaySettings &gateway) {
  LMFRONT_RETURN_IF_ERROR(cache.boolean(u"enabled", gateway.cacheEnabled));
  LMFRONT_RETURN_IF_ERROR(cache.integer(u"max_bytes", 0, kMaxCacheBytes, gateway.cacheBytes));
  LMFRONT_RETURN_IF_ERROR(cache.integer(u"ttl_s", 1, kMaxCacheTtlSeconds, gateway.cacheTtlSeconds));
  LMFRONT_RETURN_IF_ERROR(cache.boolean(u"push", gateway.cachePush));
  QString redis;
  const bool hasRedis = cache.contains(u"redis");
  LMFRONT_RETURN_IF_ERROR(cache.string(u"redis", redis));
  if (hasRedis)
    LMFRONT_RETURN_IF_ERROR(parseRedisAddress(redis, gateway).withContext(cache.pathOf(u"redis").toStdString()));
  return cache.finish();
}

}  // namespace lmfront::node
