#include "gateway/resilience/retrypolicy.h"

#include <algorithm>

namespace lmfront::gateway::resilience {

Status RetryPolicyConfig::validate() const {
  if (maxRetries > 10) return Status::invalidArgument("max_retries must be at most 10");
  if (baseBackoff < Clock::Duration::zero() || maxBackoff < baseBackoff)
    return Status::invalidArgument("backoff must satisfy 0 ≤ base_backoff ≤ max_backoff");
  return Status::ok();
}

bool RetryPolicy::isRetryable(AttemptOutcome outcome) const {
  switch (outcome) {
  case AttemptOutcome::ConnectFailure:
  case AttemptOutcome::Http5xx: return true;
  case AttemptOutcome::Timeout: return m_config.retryOnTimeout;
  case AttemptOutcome::Http429: return m_config.retryOn429;
  case AttemptOutcome::Success:
  case AttemptOutcome::Http5xxOther:
  case AttemptOutcome::Http4xx: return false;
  }
  return false;
}

RetryDecision RetryPolicy::decide(uint32_t retriesSoFar, AttemptOutcome outcome, uint64_t bytesSentToClient,
                                  RetryBudget *budget) const {
  if (outcome == AttemptOutcome::Success) return {false, {}, "succeeded"};
  if (bytesSentToClient > 0) return {false, {}, "response already started"};
  if (!isRetryable(outcome)) return {false, {}, "outcome not retryable"};
  if (retriesSoFar >= m_config.maxRetries) return {false, {}, "max retries reached"};
  if (budget && !budget->tryRetry()) return {false, {}, "retry budget exhausted"};

  // base × 2^n, capped; half of it fixed, the other half uniformly random.
  const auto ceiling =
      std::min(m_config.maxBackoff, m_config.baseBackoff * (int64_t(1) << std::min(retriesSoFar, 20u)));
  uint64_t x = m_config.seed + m_jitter.fetch_add(1, std::memory_order_relaxed) * 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  const int64_t half = ceiling.count() / 2;
  const int64_t jitter = half > 0 ? int64_t(x % uint64_t(half + 1)) : 0;
  return {true, Clock::Duration(ceiling.count() - half + jitter), "retryable"};
}

}  // namespace lmfront::gateway::resilience
