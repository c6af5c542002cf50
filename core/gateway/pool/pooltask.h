#pragma once
// startPooled(): QThreadPool::start with a happens-before edge ThreadSanitizer can see.
// QThreadPool queues a task under a QMutex of the uninstrumented Qt; when a pool thread takes the
// next task without sleeping in between, TSan sees no edge from the thread that queued it, and
// reports every read of data the task was handed (a loaded model, a request) as a race. Every
// task lmfront hands a QThreadPool goes through here: a release on queueing, an acquire before
// the task runs, on one atomic counter.
// postQueued(): the same for a job queued to another thread's event loop (Qt's event queue takes
// a QMutex TSan cannot see either) — a worker's results handed back to the node thread.

#include <functional>

class QObject;
class QThreadPool;

namespace lmfront::gateway::pool {

void startPooled(QThreadPool &threads, std::function<void()> task);
// Runs `job` on `target`'s thread (Qt::QueuedConnection); dropped if `target` is destroyed first.
void postQueued(QObject *target, std::function<void()> job);

}  // namespace lmfront::gateway::pool
