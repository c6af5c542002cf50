// ResponseCache: the whole cache flow of one request in one call — local tier, single flight,
// Redis tier — so the request path only decides "serve this" or "compute this".
//
// Contract:
// - lookup(key, now, done) calls `done` exactly once with a Lookup:
//     Hit       — value from the local tier (done runs synchronously, inside lookup) or from
//                 Redis (done runs on the Redis lookup thread);       x-lmfront-cache: hit
//     Coalesced — value (or error) of an identical request that was already in flight; done runs
//                 on the thread that completed that request;           x-lmfront-cache: coalesced
//     Lead      — nobody has it: the caller computes it and MUST then call complete(key, result,
//                 store) exactly once, success or failure (done runs synchronously, or on the
//                 Redis thread after a Redis miss);                    x-lmfront-cache: miss
//     Alone     — too many requests already wait on this key: compute without coalescing; call
//                 put() to store, never complete().                    x-lmfront-cache: miss
//   `done` must not block; it posts to the caller's event loop (it may run on foreign threads).
//   localMissed: the caller has just read the local tier for this key and found nothing (the
//   cache-hit fast path does): lookup() starts at the single flight, and the miss is counted once.
// - Bypass (Cache-Control: no-cache) is the caller's: don't call lookup() at all; store the
//   result with put() unless no-store. Non-deterministic requests have no key at all.
// - complete() stores a successful result (when `store`) in both tiers, then hands it to every
//   coalesced follower; a failure reaches the followers as an error and is not stored.
// Thread-safe.
#pragma once

#include "common/status.h"
#include "gateway/cache/singleflight.h"
#include "gateway/cache/tieredcache.h"

#include <functional>

namespace lmfront::gateway::cache {

class ResponseCache {
public:
  enum class Source { Hit, Coalesced, Lead, Alone };
  struct Lookup {
    Source source = Source::Lead;
    Value value;                  // Hit, Coalesced (null when the leader failed)
    Status error = Status::ok();  // Coalesced only: the leader's failure
  };
  using Done = std::function<void(const Lookup &)>;

  ResponseCache(TieredCacheOptions options, SingleFlightOptions flight, const Clock &clock,
                const CacheMetrics *metrics = nullptr);

  void lookup(const CacheKey &key, Clock::TimePoint now, Done done, bool localMissed = false);
  std::size_t complete(const CacheKey &key, const Result<Value> &result, bool store = true);
  void put(const CacheKey &key, Value value) { m_tiers.put(key, std::move(value)); }

  TieredCache &tiers() { return m_tiers; }
  std::size_t inFlight() const { return m_flights.inFlight(); }
  // Fails followers of leaders that never completed (call from a periodic tick).
  std::size_t expireStale() { return m_flights.expireStale(); }

private:
  // Flights outlive the tiers: destroying the tiers joins the Redis thread, whose last callbacks
  // may still complete a flight.
  SingleFlight<CacheKey, Value, CacheKeyHash> m_flights;
  TieredCache m_tiers;
};

}  // namespace lmfront::gateway::cache
