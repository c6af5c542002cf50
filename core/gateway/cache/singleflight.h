// SingleFlight: N identical concurrent requests → one backend call (request coalescing).
//
// Contract:
// - join(key, onResult) returns the caller's role, without ever blocking on another request:
//     Leader   — nobody is computing `key`: the caller must compute it and then call
//                complete(key, result) exactly once (success or failure). onResult is dropped.
//     Follower — someone is: onResult is stored and later called exactly once with the leader's
//                result (a value, or the leader's error: a follower may then retry on its own).
//     Overflow — `maxWaitersPerKey` followers already wait: onResult is dropped; the caller should
//                compute on its own (or shed load). Bounds memory under a stampede.
// - complete() removes the flight and calls every follower's callback on the COMPLETING thread,
//   after releasing the lock, in join order. Callers marshal to their own thread/event loop (a
//   worker posts the result to the connection's loop); a callback must not block.
// - A leader that never completes (a bug, a lost backend) would strand its followers: a flight
//   older than `leaderTimeout` (injected clock) is failed with DeadlineExceeded by the next join()
//   of that key (which becomes the new leader) or by expireStale(), called periodically.
//   A late complete() of a replaced flight completes the new flight instead: the value is for the
//   same deterministic request, so it is as good; an error makes those followers retry.
// - Sharded by key hash; each shard has its own mutex. Thread-safe. Header-only (a template on
//   the key, its hash and the result value).
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace lmfront::gateway::cache {

struct SingleFlightOptions {
  std::size_t maxWaitersPerKey = 1024;
  std::size_t shards = 16;
  Clock::Duration leaderTimeout = std::chrono::seconds(120);
};

template <typename Key, typename V, typename Hash = std::hash<Key>>
class SingleFlight {
public:
  using Callback = std::function<void(const Result<V> &)>;
  enum class Role { Leader, Follower, Overflow };

  SingleFlight(SingleFlightOptions options, const Clock &clock)
      : m_options(options), m_clock(clock), m_shards(std::max<std::size_t>(options.shards, 1)) {}
  SingleFlight(const SingleFlight &) = delete;
  SingleFlight &operator=(const SingleFlight &) = delete;

  Role join(const Key &key, Callback onResult) {
    const auto now = m_clock.now();
    std::vector<Callback> stranded;
    Role role;
    {
      Shard &shard = shardFor(key);
      std::lock_guard lock(shard.mutex);
      auto [it, inserted] = shard.flights.try_emplace(key);
      Flight &flight = it->second;
      if (!inserted && now - flight.started >= m_options.leaderTimeout) {
        stranded = std::move(flight.waiters);
        flight.waiters.clear();
        inserted = true;  // take over as the new leader
      }
      if (inserted) {
        flight.started = now;
        role = Role::Leader;
      } else if (flight.waiters.size() >= m_options.maxWaitersPerKey) {
        role = Role::Overflow;
      } else {
        flight.waiters.push_back(std::move(onResult));
        role = Role::Follower;
      }
    }
    notify(stranded, timeoutError());
    return role;
  }

  // Delivers the leader's result to every follower. Returns how many were notified (0 also when
  // no flight exists for key: e.g. it expired and nobody joined since).
  std::size_t complete(const Key &key, const Result<V> &result) {
    std::vector<Callback> waiters;
    {
      Shard &shard = shardFor(key);
      std::lock_guard lock(shard.mutex);
      const auto it = shard.flights.find(key);
      if (it == shard.flights.end()) return 0;
      waiters = std::move(it->second.waiters);
      shard.flights.erase(it);
    }
    notify(waiters, result);
    return waiters.size();
  }

  // Fails flights older than leaderTimeout; returns how many followers were failed.
  std::size_t expireStale() {
    const auto now = m_clock.now();
    std::vector<Callback> stranded;
    for (auto &shard : m_shards) {
      std::lock_guard lock(shard.mutex);
      for (auto it = shard.flights.begin(); it != shard.flights.end();) {
        if (now - it->second.started >= m_options.leaderTimeout) {
          for (auto &w : it->second.waiters) stranded.push_back(std::move(w));
          it = shard.flights.erase(it);
        } else {
          ++it;
        }
      }
    }
    notify(stranded, timeoutError());
    return stranded.size();
  }

  std::size_t inFlight() const {
    std::size_t n = 0;
    for (auto &shard : m_shards) {
      std::lock_guard lock(shard.mutex);
      n += shard.flights.size();
    }
    return n;
  }

private:
  struct Flight {
    Clock::TimePoint started;
    std::vector<Callback> waiters;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Flight, Hash> flights;  // GUARDED_BY(mutex)
  };

  Shard &shardFor(const Key &key) { return m_shards[(Hash{}(key) >> 7) % m_shards.size()]; }
  static Result<V> timeoutError() {
    return Status::deadlineExceeded("coalesced request: the leading request did not finish in time");
  }
  static void notify(std::vector<Callback> &waiters, const Result<V> &result) {
    for (auto &w : waiters)
      if (w) w(result);
  }

  const SingleFlightOptions m_options;
  const Clock &m_clock;
  std::vector<Shard> m_shards;
};

}  // namespace lmfront::gateway::cache
