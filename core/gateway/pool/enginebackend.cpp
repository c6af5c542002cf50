#include "gateway/pool/enginebackend.h"

#include "engine/sampler.h"
#include "engine/scorer.h"

#include <QThreadPool>
#include <cmath>
#include <random>

namespace lmfront::gateway::pool {

EngineBackend::EngineBackend(std::string id, std::shared_ptr<const engine::Model> model,
                             std::shared_ptr<const engine::ContinuationIndex> index, engine::TokenizerOptions tokenizer,
                             QThreadPool *pool)
    : m_id(std::move(id)), m_model(std::move(model)), m_index(std::move(index)), m_tokenizer(tokenizer), m_pool(pool) {}

void EngineBackend::generate(const openai::CompletionRequest &request, std::shared_ptr<openai::GenerationSink> sink) {
  m_pool->start([this, request, sink = std::move(sink)] {
    if (sink->cancelled()) return sink->onError(Status::cancelled("the client went away"));
    runGeneration(request, *sink);
  });
}

void EngineBackend::score(const openai::ScoreRequest &request, std::function<void(Result<openai::ScoreResult>)> done) {
  m_pool->start([this, request, done = std::move(done)] { done(runScore(request)); });
}

void EngineBackend::runGeneration(const openai::CompletionRequest &request, openai::GenerationSink &sink) const {
  engine::SamplingOptions options;
  options.maxTokens = request.params.maxTokens;
  // OpenAI's temperature 0 means greedy decoding: the most probable word every time.
  if (request.params.temperature == 0.0) {
    options.topK = 1;
  } else {
    options.temperature = request.params.temperature;
    options.topK = request.params.topK;
    options.topP = request.params.topP;
  }
  options.seed = request.params.seed ? *request.params.seed : std::random_device{}() * 0x9E3779B97F4A7C15ull;
  options.stop = request.params.stop;
  auto index = this->index();
  if (!index) return sink.onError(Status::internal(index.status().message()));
  engine::Sampler sampler(m_model, *index);
  auto result = sampler.generate(request.prompt, options, m_tokenizer, [&](const engine::GeneratedToken &token) {
    if (sink.cancelled()) return false;
    sink.onToken(token.text);
    return true;
  });
  if (!result) return sink.onError(Status::invalidArgument(result.status().message()));
  if (sink.cancelled()) return sink.onError(Status::cancelled("the client went away"));
  openai::Usage usage;
  usage.promptTokens = static_cast<int>(result->promptTokens);
  usage.completionTokens = static_cast<int>(result->words.size());
  sink.onDone(result->finishReason == "length" ? openai::FinishReason::Length : openai::FinishReason::Stop, usage);
}

Result<std::shared_ptr<const engine::ContinuationIndex>> EngineBackend::index() const {
  std::call_once(m_indexOnce, [this] {
    if (m_index) return;
    auto built = engine::ContinuationIndex::build(*m_model);
    if (built)
      m_index = *built;
    else
      m_indexStatus = built.status().withContext(m_id + ": sampling index");
  });
  if (!m_index) return m_indexStatus;
  return m_index;
}

Result<openai::ScoreResult> EngineBackend::runScore(const openai::ScoreRequest &request) const {
  engine::Tokenizer tokenizer(m_tokenizer);
  std::vector<std::string_view> words;
  if (auto s = tokenizer.tokenize(request.text, words); !s) return Status::invalidArgument(s.message());
  engine::Scorer scorer(*m_model);
  engine::ScoreTotals totals;
  std::vector<engine::TokenScore> perToken;
  scorer.scoreSentence(words, totals, &perToken);
  openai::ScoreResult result;
  result.tokens.reserve(perToken.size());
  for (std::size_t i = 0; i < perToken.size(); ++i) {
    openai::TokenScore t;
    t.token = i < words.size() ? std::string(words[i]) : std::string("</s>");
    t.log10Prob = perToken[i].log10Prob;
    t.oov = perToken[i].word == engine::kUnk && i < words.size();
    t.ngramLength = t.oov ? 0 : perToken[i].ngramLength;
    result.tokens.push_back(std::move(t));
  }
  result.log10Prob = totals.log10Prob;
  result.perplexity = totals.perplexity();
  result.oov = static_cast<int>(totals.oov);
  return result;
}

}  // namespace lmfront::gateway::pool
