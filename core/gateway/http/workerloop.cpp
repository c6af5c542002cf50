#include "gateway/http/workerloop.h"

namespace lmfront::gateway {

namespace {
thread_local WorkerLoop *t_current = nullptr;
}

WorkerLoop *WorkerLoop::current() { return t_current; }
void WorkerLoop::setCurrent(WorkerLoop *loop) { t_current = loop; }

}  // namespace lmfront::gateway
