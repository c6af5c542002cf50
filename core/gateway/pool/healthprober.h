// HealthProber: drives the periodic work of the pools a node serves (docs/gateway-policies.md): active
// health checks of URL backends (HTTP GET <url><path>, over TLS verified as the backend's own
// requests for https://; a timeout or a failed handshake is a failure, any 2xx a success; HealthState decides when to
// probe and what the results mean) and the return of ejected backends (OutlierDetector::tick()). One thread, waking
// every 20 ms; pools are held weakly, so a pool swapped out of the table stops being probed once its last request
// ended.
#pragma once

#include "gateway/pool/modeltable.h"
#include "gateway/upstream/httpclient.h"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace lmfront::gateway::pool {

class HealthProber {
public:
  explicit HealthProber(upstream::HttpClient &client);
  ~HealthProber();
  HealthProber(const HealthProber &) = delete;
  HealthProber &operator=(const HealthProber &) = delete;

  // Starts watching every pool of the table that has resilience state (idempotent per pool).
  void watch(const ModelTable &table);

private:
  void run();
  void probe(const std::shared_ptr<const ModelPool> &pool, std::size_t i);

  upstream::HttpClient &m_client;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;                              // guarded by m_mutex
  std::vector<std::weak_ptr<const ModelPool>> m_pools;  // guarded by m_mutex
  std::thread m_thread;
};

}  // namespace lmfront::gateway::pool
