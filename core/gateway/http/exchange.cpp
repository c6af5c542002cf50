#include "gateway/http/exchange.h"

#include "gateway/http/httpconnection.h"

namespace lmfront::gateway {

void Mailbox::post(std::function<void()> fn) {
  std::lock_guard lock(m_mutex);
  if (m_target == nullptr) return;
  const bool wake = m_queue.empty();
  m_queue.push_back(std::move(fn));
  // One queued event per batch: later posts ride along until the worker drains the queue. The
  // target stays alive while we hold the lock (close() takes it before the worker goes away).
  if (wake)
    QMetaObject::invokeMethod(
        m_target, [this] { runPending(); }, Qt::QueuedConnection);
}

void Mailbox::runPending() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(m_mutex);
    batch.swap(m_queue);
  }
  for (auto &fn : batch) fn();
}

void Mailbox::close() {
  std::vector<std::function<void()>> dropped;
  std::lock_guard lock(m_mutex);
  m_target = nullptr;
  dropped.swap(m_queue);
}

template <typename F>
void ResponderImpl::run(F &&fn) {
  if (m_mailbox->onOwnerThread()) {
    fn(*m_exchange);
  } else {
    m_mailbox->post([ex = m_exchange, f = std::forward<F>(fn)]() mutable { f(*ex); });
  }
}

ResponderImpl::~ResponderImpl() {
  if (m_finished.load(std::memory_order_relaxed)) return;
  // Dropped without completing: 500 if nothing was sent yet, else the stream is cut.
  run([](Exchange &ex) {
    if (ex.conn != nullptr) ex.conn->abandon(ex);
  });
}

void ResponderImpl::respond(HttpResponse response) {
  if (m_finished.exchange(true)) return;
  run([r = std::move(response)](Exchange &ex) mutable {
    if (ex.conn != nullptr) ex.conn->respond(ex, std::move(r));
  });
}

void ResponderImpl::beginStream(int status, HeaderList headers) {
  if (m_finished.load(std::memory_order_relaxed)) return;
  run([status, h = std::move(headers)](Exchange &ex) mutable {
    if (ex.conn != nullptr) ex.conn->beginStream(ex, status, std::move(h));
  });
}

void ResponderImpl::writeChunk(std::string data) {
  if (m_finished.load(std::memory_order_relaxed) || data.empty()) return;
  if (!isOpen()) return;
  run([d = std::move(data)](Exchange &ex) mutable {
    if (ex.conn != nullptr) ex.conn->writeChunk(ex, std::move(d));
  });
}

void ResponderImpl::endStream() {
  if (m_finished.exchange(true)) return;
  run([](Exchange &ex) {
    if (ex.conn != nullptr) ex.conn->endStream(ex);
  });
}

}  // namespace lmfront::gateway
