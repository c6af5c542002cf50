#include "gateway/pool/healthprober.h"

#include "gateway/pool/upstreambackend.h"

namespace lmfront::gateway::pool {

namespace {
class ProbeHandler final : public upstream::ResponseHandler {
public:
  ProbeHandler(std::shared_ptr<const ModelPool> pool, std::size_t index) : m_pool(std::move(pool)), m_index(index) {}
  void onHead(int status, const HeaderList &) override { m_status = status; }
  void onBody(std::string_view) override {}
  void onComplete(const Status &status) override {
    auto &res = *m_pool->resilience;
    auto *health = res.health(m_index);
    if (health && health->record(status.isOk() && m_status >= 200 && m_status < 300)) res.refresh(m_index);
  }

private:
  std::shared_ptr<const ModelPool> m_pool;
  std::size_t m_index;
  int m_status = 0;
};
}  // namespace

HealthProber::HealthProber(upstream::HttpClient &client) : m_client(client), m_thread([this] { run(); }) {}

HealthProber::~HealthProber() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
}

void HealthProber::watch(const ModelTable &table) {
  std::lock_guard lock(m_mutex);
  for (const auto &[name, pool] : table.pools) {
    if (!pool->resilience) continue;
    bool known = false;
    for (const auto &w : m_pools)
      if (w.lock() == pool) known = true;
    if (!known) m_pools.push_back(pool);
  }
}

void HealthProber::probe(const std::shared_ptr<const ModelPool> &pool, std::size_t i) {
  auto *upstream = dynamic_cast<const UpstreamBackend *>(pool->backends[i].get());
  auto *health = pool->resilience->health(i);
  if (!upstream || !health) return;
  health->beginProbe();
  const auto &cfg = pool->resilience->config();
  upstream::ClientRequest r = upstream->baseRequest(cfg.healthPath, {});
  r.method = "GET";
  r.headers.clear();
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.health.timeout);
  r.timeouts = {timeout, timeout, timeout, timeout};
  m_client.send(std::move(r), std::make_shared<ProbeHandler>(pool, i));
}

void HealthProber::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    m_wake.wait_for(lock, std::chrono::milliseconds(20));
    if (m_stopping) break;
    std::vector<std::shared_ptr<const ModelPool>> live;
    std::erase_if(m_pools, [&](const std::weak_ptr<const ModelPool> &w) {
      auto p = w.lock();
      if (!p) return true;
      live.push_back(std::move(p));
      return false;
    });
    lock.unlock();
    for (const auto &pool : live) {
      pool->resilience->tick();
      for (std::size_t i = 0; i < pool->backends.size(); ++i) {
        auto *health = pool->resilience->health(i);
        if (health && health->due()) probe(pool, i);
      }
    }
    live.clear();  // drop the last references outside the lock
    lock.lock();
  }
}

}  // namespace lmfront::gateway::pool
