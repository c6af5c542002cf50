// What the upstream client's tests record: a ResponseHandler keeping each body piece as it
// arrives, a GenerationSink keeping each call, and a bounded wait for their completion. Test-only.
#pragma once

#include "gateway/openai/backend.h"
#include "gateway/upstream/httpclient.h"

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <vector>

namespace lmfront::gateway::upstream::recorders {

struct Recorder final : ResponseHandler {
  std::string body() {
    std::lock_guard lock(mutex);
    std::string all;
    for (const auto &p : pieces) all += p;
    return all;
  }
  int status = 0;
  std::vector<std::string> pieces;
  std::promise<Status> done;
  std::mutex mutex;
  std::condition_variable cv;
  void onHead(int s, const HeaderList &) override { status = s; }
  void onBody(std::string_view d) override {
    std::lock_guard lock(mutex);
    pieces.emplace_back(d);
    cv.notify_all();
  }
  void onComplete(const Status &s) override { done.set_value(s); }
  bool waitPieces(std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return pieces.size() >= n; });
  }
};

inline Status wait(const std::shared_ptr<Recorder> &r) {
  auto f = r->done.get_future();
  if (f.wait_for(std::chrono::seconds(10)) != std::future_status::ready)
    return Status::internal("no completion within 10 s");
  return f.get();
}

struct SinkRecorder final : openai::GenerationSink {
  std::vector<std::string> tokens;
  std::promise<Status> done;
  openai::FinishReason finish = openai::FinishReason::Stop;
  openai::Usage usage;
  void onToken(std::string_view t) override { tokens.emplace_back(t); }
  void onChoiceToken(int index, std::string_view t, const openai::TokenLogprob *lp) override {
    std::string entry = std::to_string(index);
    entry.append(":").append(t);
    if (lp) entry.append("@").append(std::to_string(lp->logprob));
    choiceTokens.push_back(std::move(entry));
  }
  void onChoiceDone(int index, openai::FinishReason) override { choicesDone.push_back(index); }
  std::vector<std::string> choiceTokens;
  std::vector<int> choicesDone;
  void onDone(openai::FinishReason f, openai::Usage u) override {
    finish = f;
    usage = u;
    done.set_value(Status::ok());
  }
  void onError(const Status &s) override { done.set_value(s); }
  bool cancelled() const override { return false; }
};

}  // namespace lmfront::gateway::upstream::recorders
