#include "gateway/pool/pooltask.h"

#include <QMetaObject>
#include <QObject>
#include <QRunnable>
#include <QThreadPool>

#include <atomic>
#include <cstdint>

namespace lmfront::gateway::pool {

namespace {
std::atomic<std::uint64_t> g_queued{0};
}  // namespace

void startPooled(QThreadPool &threads, std::function<void()> task) {
  QRunnable *runnable = QRunnable::create([task = std::move(task)] {
    // Reads a count at least as new as the queueing thread's increment (it was queued after it),
    // so the queueing thread's writes happen before the task runs.
    (void)g_queued.load(std::memory_order_acquire);
    task();
  });
  g_queued.fetch_add(1, std::memory_order_release);
  threads.start(runnable);
}

void postQueued(QObject *target, std::function<void()> job) {
  g_queued.fetch_add(1, std::memory_order_release);
  QMetaObject::invokeMethod(
      target,
      [job = std::move(job)] {
        (void)g_queued.load(std::memory_order_acquire);
        job();
      },
      Qt::QueuedConnection);
}

}  // namespace lmfront::gateway::pool
