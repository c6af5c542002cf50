// RetryBudget: retries are allowed only while they stay a small fraction of the traffic, so a
// struggling pool is not hit by a retry storm (Finagle's RetryBudget, Envoy's retry_budget).
// See docs/gateway-policies.md.
//
// Over a sliding window (10 buckets): a retry is allowed when
//   retries + 1 ≤ retryRatio × requests + minRetriesPerSecond × window_seconds
// i.e. ≤ 20 % extra load by default, plus a small floor so a quiet pool can still retry.
// Every original request calls onRequest(); every retry asks tryRetry(), which records it when
// allowed.
//
// Thread-safe and lock-free (atomic buckets). Under heavy concurrency a check-then-record race
// can let through at most one extra retry per concurrent caller; the budget is a guard rail, not
// an exact quota.
#pragma once

#include "common/clock.h"
#include "common/status.h"

#include <atomic>
#include <memory>

namespace lmfront::gateway::resilience {

struct RetryBudgetConfig {
  double retryRatio = 0.2;
  double minRetriesPerSecond = 3;
  Clock::Duration window = std::chrono::seconds(10);

  Status validate() const;
};

class RetryBudget {
public:
  // config must be valid (see create()).
  RetryBudget(const RetryBudgetConfig &config, const Clock &clock);
  static Result<std::unique_ptr<RetryBudget>> create(const RetryBudgetConfig &config, const Clock &clock);

  void onRequest();
  bool tryRetry();

  uint64_t requestsInWindow() const;
  uint64_t retriesInWindow() const;
  uint64_t deniedCount() const { return m_denied.load(std::memory_order_relaxed); }

private:
  static constexpr int64_t kBuckets = 10;
  struct alignas(64) Bucket {
    std::atomic<int64_t> epoch{-1};
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> retries{0};
  };
  int64_t currentEpoch() const;
  Bucket &bucketFor(int64_t epoch);
  void sum(uint64_t &requests, uint64_t &retries) const;

  const RetryBudgetConfig m_config;
  const Clock &m_clock;
  Bucket m_buckets[kBuckets];
  std::atomic<uint64_t> m_denied{0};
};

}  // namespace lmfront::gateway::resilience
