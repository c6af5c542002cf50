// The "cache" section of the node's config file: enabled, max_bytes, ttl_s, push, redis (what they do:
// docs/cache.md). It fills GatewaySettings, from which GatewayRuntime sets the response cache
// options of core/gateway/cache.
//
// Why here and not in core/gateway/cache: lmfront_cache is plain C++ without Qt, while config
// files are read with Qt's JSON through config::JsonSection (see authsection.h).
#pragma once

#include "common/status.h"
#include "config/jsonsection.h"
#include "node/nodeconfig.h"

namespace lmfront::node {

constexpr qint64 kMaxCacheBytes = 1'000'000'000'000;
constexpr int kMaxCacheTtlSeconds = 7 * 24 * 3600;

Status readCacheSection(config::JsonSection cache, GatewaySettings &gateway);

// "HOST:PORT" of the one Redis a node shares its cache and rate limits through (cache.redis,
// limits.redis and --redis all set it). Errors say what was wrong; the caller names the key.
Status parseRedisAddress(const QString &text, GatewaySettings &gateway);

}  // namespace lmfront::node
