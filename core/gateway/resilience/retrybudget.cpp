#include "gateway/resilience/retrybudget.h"

namespace lmfront::gateway::resilience {

Status RetryBudgetConfig::validate() const {
  if (!(retryRatio >= 0.0 && retryRatio <= 1.0)) return Status::invalidArgument("retry_ratio must be in [0, 1]");
  if (!(minRetriesPerSecond >= 0.0 && minRetriesPerSecond <= 1e6))
    return Status::invalidArgument("min_retries_per_second must be in [0, 1e6]");
  if (window < std::chrono::milliseconds(100)) return Status::invalidArgument("window must be at least 100 ms");
  return Status::ok();
}

RetryBudget::RetryBudget(const RetryBudgetConfig &config, const Clock &clock) : m_config(config), m_clock(clock) {}

Result<std::unique_ptr<RetryBudget>> RetryBudget::create(const RetryBudgetConfig &config, const Clock &clock) {
  LMFRONT_RETURN_IF_ERROR(config.validate());
  return std::make_unique<RetryBudget>(config, clock);
}

int64_t RetryBudget::currentEpoch() const { return m_clock.now().time_since_epoch() / (m_config.window / kBuckets); }

RetryBudget::Bucket &RetryBudget::bucketFor(int64_t epoch) {
  Bucket &b = m_buckets[epoch % kBuckets];
  int64_t seen = b.epoch.load(std::memory_order_acquire);
  // The first caller of a new epoch recycles the slot; counts added by others between its CAS
  // and its reset are lost (rare, and the budget is approximate by design).
  if (seen < epoch && b.epoch.compare_exchange_strong(seen, epoch, std::memory_order_acq_rel)) {
    b.requests.store(0, std::memory_order_relaxed);
    b.retries.store(0, std::memory_order_relaxed);
  }
  return b;
}

void RetryBudget::sum(uint64_t &requests, uint64_t &retries) const {
  const int64_t now = currentEpoch();
  requests = retries = 0;
  for (const Bucket &b : m_buckets) {
    const int64_t e = b.epoch.load(std::memory_order_acquire);
    if (e < 0 || e > now || now - e >= kBuckets) continue;
    requests += b.requests.load(std::memory_order_relaxed);
    retries += b.retries.load(std::memory_order_relaxed);
  }
}

void RetryBudget::onRequest() { bucketFor(currentEpoch()).requests.fetch_add(1, std::memory_order_relaxed); }

bool RetryBudget::tryRetry() {
  const int64_t epoch = currentEpoch();
  Bucket &b = bucketFor(epoch);
  uint64_t requests = 0, retries = 0;
  sum(requests, retries);
  const double windowSeconds = std::chrono::duration<double>(m_config.window).count();
  const double allowance = m_config.retryRatio * double(requests) + m_config.minRetriesPerSecond * windowSeconds;
  if (double(retries + 1) > allowance + 1e-9) {
    m_denied.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  b.retries.fetch_add(1, std::memory_order_relaxed);
  return true;
}

uint64_t RetryBudget::requestsInWindow() const {
  uint64_t requests = 0, retries = 0;
  sum(requests, retries);
  return requests;
}

uint64_t RetryBudget::retriesInWindow() const {
  uint64_t requests = 0, retries = 0;
  sum(requests, retries);
  return retries;
}

}  // namespace lmfront::gateway::resilience
