#include "gateway/cache/responsecache.h"

namespace lmfront::gateway::cache {

ResponseCache::ResponseCache(TieredCacheOptions options, SingleFlightOptions flight, const Clock &clock,
                             const CacheMetrics *metrics)
    : m_flights(flight, clock), m_tiers(std::move(options), clock, metrics) {}

void ResponseCache::lookup(const CacheKey &key, Clock::TimePoint now, Done done, bool localMissed) {
  if (Value v = localMissed ? nullptr : m_tiers.getLocal(key, now)) {
    done(Lookup{Source::Hit, std::move(v), Status::ok()});
    return;
  }
  // The follower callback is only stored when the role is Follower; `done` is still ours otherwise.
  auto shared = std::make_shared<Done>(std::move(done));
  const auto role = m_flights.join(key, [shared](const Result<Value> &r) {
    (*shared)(r.isOk() ? Lookup{Source::Coalesced, *r, Status::ok()} : Lookup{Source::Coalesced, nullptr, r.status()});
  });
  switch (role) {
  case SingleFlight<CacheKey, Value, CacheKeyHash>::Role::Follower: return;
  case SingleFlight<CacheKey, Value, CacheKeyHash>::Role::Overflow:
    (*shared)(Lookup{Source::Alone, nullptr, {}});
    return;
  case SingleFlight<CacheKey, Value, CacheKeyHash>::Role::Leader: break;
  }
  // Leader: ask the shared tier before computing. A Redis hit also serves the followers.
  const bool asked = m_tiers.getRemote(key, [this, key, shared](Value v) {
    if (v) {
      m_flights.complete(key, v);
      (*shared)(Lookup{Source::Hit, std::move(v), Status::ok()});
    } else {
      (*shared)(Lookup{Source::Lead, nullptr, Status::ok()});
    }
  });
  if (!asked) (*shared)(Lookup{Source::Lead, nullptr, Status::ok()});
}

std::size_t ResponseCache::complete(const CacheKey &key, const Result<Value> &result, bool store) {
  if (store && result.isOk() && *result) m_tiers.put(key, *result);
  return m_flights.complete(key, result);
}

}  // namespace lmfront::gateway::cache
