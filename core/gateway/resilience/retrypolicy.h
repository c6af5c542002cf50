// RetryPolicy: whether one failed attempt of a request may be tried again, and after how long.
// See docs/gateway-policies.md. Pure decision logic; the caller does the retrying (usually on another
// backend of the pool, or the backup pool).
//
// Never retries once any byte of the response reached the client (bytesSentToClient > 0): the
// client would get two answers spliced together. Otherwise retries only outcomes that say the
// backend did not do the work (connect failure, 502/503/504, 429 from the backend) — and, only if
// enabled, timeouts (the backend may still be generating: retrying doubles its load). Bounded by
// maxRetries per request and by a shared RetryBudget. Backoff is exponential with jitter
// ("equal jitter": half fixed, half random) so synchronized clients spread out.
//
// Thread-safe: decide() is const except for an atomic jitter counter.
#pragma once

#include "gateway/resilience/retrybudget.h"

#include <string_view>

namespace lmfront::gateway::resilience {

enum class AttemptOutcome {
  Success,
  ConnectFailure,  // refused, reset before any answer, DNS: the backend never saw the request
  Timeout,         // no (complete) answer in time
  Http5xx,         // 502, 503, 504 (gateway-ish); other 5xx are reported as Http5xxOther
  Http5xxOther,    // 500, 501…: the backend's own bug — the same request will likely fail again
  Http429,         // the backend is overloaded
  Http4xx,         // the request is wrong: retrying cannot help
};

struct RetryPolicyConfig {
  uint32_t maxRetries = 2;
  bool retryOnTimeout = false;
  bool retryOn429 = true;
  Clock::Duration baseBackoff = std::chrono::milliseconds(25);
  Clock::Duration maxBackoff = std::chrono::milliseconds(250);
  uint64_t seed = 0x5eed;  // jitter sequence (reproducible in tests)

  Status validate() const;
};

struct RetryDecision {
  bool retry = false;
  Clock::Duration backoff{0};
  std::string_view reason;  // why not (or "retryable"), for logs and metrics
};

class RetryPolicy {
public:
  explicit RetryPolicy(const RetryPolicyConfig &config) : m_config(config) {}

  // retriesSoFar: retries already made for this request (0 after the first attempt failed).
  // budget may be null (no budget). A true answer has consumed one retry from the budget.
  RetryDecision decide(uint32_t retriesSoFar, AttemptOutcome outcome, uint64_t bytesSentToClient,
                       RetryBudget *budget) const;

  bool isRetryable(AttemptOutcome outcome) const;

private:
  const RetryPolicyConfig m_config;
  mutable std::atomic<uint64_t> m_jitter{0};
};

}  // namespace lmfront::gateway::resilience
