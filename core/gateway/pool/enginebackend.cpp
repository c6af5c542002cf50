#include "gateway/pool/enginebackend.h"

#include "engine/sampler.h"
#include "engine/scorer.h"
#include "gateway/pool/pooltask.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <random>

namespace lmfront::gateway::pool {

EngineBackend::EngineBackend(std::string id, std::shared_ptr<const engine::Model> model,
                             std::shared_ptr<const engine::ContinuationIndex> index, engine::TokenizerOptions tokenizer,
                             QThreadPool *pool)
    : m_id(std::move(id)), m_model(std::move(model)), m_index(std::move(index)), m_tokenizer(tokenizer), m_pool(pool) {}

void EngineBackend::generate(const openai::CompletionRequest &request, std::shared_ptr<openai::GenerationSink> sink) {
  startPooled(*m_pool, [this, request, sink = std::move(sink)] {
    if (sink->cancelled()) return sink->onError(Status::cancelled("the client went away"));
    runGeneration(request, *sink);
  });
}

void EngineBackend::score(const openai::ScoreRequest &request, std::function<void(Result<openai::ScoreResult>)> done) {
  startPooled(*m_pool, [this, request, done = std::move(done)] { done(runScore(request)); });
}

namespace {

// Choice k of a request draws with its own seed, derived from the request's so that a seeded
// request with n > 1 repeats every choice; choice 0 keeps the seed itself (n = 1 is unchanged).
std::uint64_t choiceSeed(std::uint64_t seed, int k) {
  if (k == 0) return seed;
  engine::Rng mix(seed ^ (static_cast<std::uint64_t>(k) * 0xD1B54A32D192ED03ull));
  return mix.next();
}

openai::TokenLogprob toLogprob(std::string token, const engine::GeneratedToken &t) {
  openai::TokenLogprob lp;
  lp.token = std::move(token);
  lp.logprob = t.logprob;
  lp.top.reserve(t.top.size());
  for (const auto &alt : t.top) lp.top.emplace_back(alt.text, alt.logprob);
  return lp;
}

bool equalsFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Where each prompt token's piece starts in the prompt as sent: right after the previous token
// (so a piece carries its leading space, as OpenAI's tokens do). Each token's text as the
// tokenizer gave it is found by an ASCII case-folded search; one normalised beyond that takes no
// text. Put together, the pieces are the prompt exactly.
std::vector<std::size_t> tokenStarts(std::string_view prompt, const std::vector<engine::GeneratedToken> &tokens) {
  std::vector<std::size_t> starts;
  std::size_t from = 0;
  for (const auto &t : tokens) {
    starts.push_back(from);
    std::string_view word = t.text;
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    for (std::size_t i = from; word.size() > 0 && i + word.size() <= prompt.size(); ++i)
      if (equalsFolded(prompt.substr(i, word.size()), word)) {
        from = i + word.size();
        break;
      }
  }
  if (!starts.empty()) starts.front() = 0;
  return starts;
}

}  // namespace

void EngineBackend::runGeneration(const openai::CompletionRequest &request, openai::GenerationSink &sink) const {
  if (request.api == openai::ApiKind::PassThrough || !request.passThrough.empty())
    return sink.onError(
        Status::invalidArgument("model '" + m_id + "' is served by the engine: it cannot honour " +
                                (request.passThrough.empty() ? request.path : request.passThrough.front().first)));
  engine::SamplingOptions options;
  static_cast<engine::SamplingKnobs &>(options) = request.params;
  options.maxTokens = request.params.maxTokens;
  const std::uint64_t seed =
      request.params.seed ? *request.params.seed : std::random_device{}() * 0x9E3779B97F4A7C15ull;
  options.seed = seed;
  options.stop = request.params.stop;
  for (const auto &[id, bias] : request.params.logitBias) {
    if (id >= m_model->vocab().size())
      return sink.onError(Status::invalidArgument("logit_bias: model '" + m_id + "' has no token id " +
                                                  std::to_string(id) + " (ids are 0 to " +
                                                  std::to_string(m_model->vocab().size() - 1) + ")"));
    options.logitBias.emplace_back(id, bias);
  }
  auto index = this->index();
  if (!index) return sink.onError(Status::internal(index.status().message()));
  engine::Sampler sampler(m_model, *index);
  if (!request.rich()) {
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
    return sink.onDone(result->finishReason == "length" ? openai::FinishReason::Length : openai::FinishReason::Stop,
                       usage);
  }
  // best_of draws more candidates than it answers with: the n of highest total log-probability.
  const int draws = std::max(request.n, request.bestOf);
  const bool choose = draws > request.n;
  const bool withLogprobs = request.logprobs >= 0;
  options.logprobs = withLogprobs ? request.logprobs : (choose ? 0 : -1);
  openai::Usage usage;
  struct Piece {
    std::string text;
    openai::TokenLogprob logprob;
  };
  struct Candidate {
    std::vector<Piece> pieces;
    double total = 0;
    openai::FinishReason finish = openai::FinishReason::Stop;
  };
  for (int p = 0; p < request.prompts(); ++p) {
    const std::string &prompt = request.batch.empty() ? request.prompt : request.batch[static_cast<std::size_t>(p)];
    // The echoed prompt: its text as sent, in pieces per token when log-probabilities go with it.
    std::vector<Piece> echo;
    if (request.echo) {
      if (!withLogprobs) {
        echo.push_back({prompt, {}});
      } else {
        engine::SamplingOptions scoring = options;
        scoring.maxTokens = 0;
        scoring.promptLogprobs = true;
        auto scored = sampler.generate(prompt, scoring, m_tokenizer);
        if (!scored) return sink.onError(Status::invalidArgument(scored.status().message()));
        const auto starts = tokenStarts(prompt, scored->prompt);
        for (std::size_t k = 0; k < starts.size(); ++k) {
          const std::size_t end = k + 1 < starts.size() ? starts[k + 1] : prompt.size();
          std::string text = prompt.substr(starts[k], end - starts[k]);
          echo.push_back({text, toLogprob(text, scored->prompt[k])});
        }
      }
    }
    std::vector<Candidate> candidates;
    for (int j = 0; j < draws; ++j) {
      const int choice = p * request.n + j;
      options.seed = choiceSeed(seed, p * draws + j);
      Candidate c;
      auto emit = [&](const std::string &text, const openai::TokenLogprob *lp) {
        if (choose)
          c.pieces.push_back({text, lp ? *lp : openai::TokenLogprob{}});
        else
          sink.onChoiceToken(choice, text, withLogprobs ? lp : nullptr);
      };
      for (const Piece &e : echo) emit(e.text, withLogprobs ? &e.logprob : nullptr);
      auto result = sampler.generate(prompt, options, m_tokenizer, [&](const engine::GeneratedToken &token) {
        if (sink.cancelled()) return false;
        c.total += token.logprob;
        if (options.logprobs < 0) {
          emit(token.text, nullptr);
        } else {
          const openai::TokenLogprob lp = toLogprob(token.text, token);
          emit(token.text, &lp);
        }
        return true;
      });
      if (!result) return sink.onError(Status::invalidArgument(result.status().message()));
      if (sink.cancelled()) return sink.onError(Status::cancelled("the client went away"));
      if (j == 0) usage.promptTokens += static_cast<int>(result->promptTokens);
      usage.completionTokens += static_cast<int>(result->words.size());
      c.finish = result->finishReason == "length" ? openai::FinishReason::Length : openai::FinishReason::Stop;
      if (choose)
        candidates.push_back(std::move(c));
      else
        sink.onChoiceDone(choice, c.finish);
    }
    if (!choose) continue;
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) { return a.total > b.total; });
    for (int j = 0; j < request.n; ++j) {
      const int choice = p * request.n + j;
      for (const Piece &piece : candidates[static_cast<std::size_t>(j)].pieces)
        sink.onChoiceToken(choice, piece.text, withLogprobs ? &piece.logprob : nullptr);
      sink.onChoiceDone(choice, candidates[static_cast<std::size_t>(j)].finish);
    }
  }
  sink.onDone(openai::FinishReason::Stop, usage);
}

Result<std::shared_ptr<const engine::ContinuationIndex>> EngineBackend::index() const {
  std::call_once(m_indexOnce, [this] {
    if (m_index) return;
    auto built = engine::ContinuationIndex::forModel(m_model);
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
