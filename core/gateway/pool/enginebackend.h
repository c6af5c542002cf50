// EngineBackend: an in-process replica of an n-gram model as a pool member.
//
// The model is immutable and shared (any number of replicas and threads query one mmapped
// file); each request runs on the backend's thread pool, never on a data-plane worker, and
// streams tokens to its sink as they are sampled. Prompts and scored text are tokenised the way
// the model was trained (TokenizerOptions, from the model's manifest).
#pragma once

#include "engine/continuationindex.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "gateway/openai/backend.h"

#include <memory>
#include <mutex>

class QThreadPool;

namespace lmfront::gateway::pool {

class EngineBackend final : public openai::Backend {
public:
  // `pool` must outlive the backend and every request it started (the node drains first).
  // `index` is the model's continuation index for sampling; null takes it on the first
  // generation from the model's file (lmb v5: mapped, instant) or builds it (older files:
  // hundreds of MB for the default models, which an idle node should not pay for).
  EngineBackend(std::string id, std::shared_ptr<const engine::Model> model,
                std::shared_ptr<const engine::ContinuationIndex> index, engine::TokenizerOptions tokenizer,
                QThreadPool *pool);

  const std::string &id() const override { return m_id; }
  void generate(const openai::CompletionRequest &request, std::shared_ptr<openai::GenerationSink> sink) override;
  void score(const openai::ScoreRequest &request, std::function<void(Result<openai::ScoreResult>)> done) override;

  const engine::Model &model() const { return *m_model; }

private:
  void runGeneration(const openai::CompletionRequest &request, openai::GenerationSink &sink) const;
  Result<std::shared_ptr<const engine::ContinuationIndex>> index() const;
  Result<openai::ScoreResult> runScore(const openai::ScoreRequest &request) const;

  std::string m_id;
  std::shared_ptr<const engine::Model> m_model;
  mutable std::once_flag m_indexOnce;
  mutable std::shared_ptr<const engine::ContinuationIndex> m_index;  // set once, under m_indexOnce
  mutable Status m_indexStatus;
  engine::TokenizerOptions m_tokenizer;
  QThreadPool *m_pool;
};

}  // namespace lmfront::gateway::pool
