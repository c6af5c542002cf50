// Backend: one member of a model's pool that can generate and score text.
//
// Contract: generate() and score() return at once; the work runs on the backend's own threads
// (engine replicas) or sockets (remote nodes), never on the calling data-plane worker. The sink /
// callback is invoked from those threads: implementations of GenerationSink must be thread-safe
// (the gateway's marshal to the connection's worker through Responder). A sink receives tokens in
// order, then exactly one of onDone() or onError(). Backends check sink->cancelled() between
// tokens so an abandoned stream stops costing CPU.
#pragma once

#include "common/status.h"
#include "gateway/openai/requests.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lmfront::gateway::openai {

enum class FinishReason { Stop, Length };
std::string_view finishReasonName(FinishReason reason);

struct Usage {
  int promptTokens = 0;
  int completionTokens = 0;
};

// A token's log-probabilities (natural log) for answers that asked for them.
struct TokenLogprob {
  std::string token;  // the piece of text, as it appears in the answer
  double logprob = 0;
  std::vector<std::pair<std::string, double>> top;  // the most likely alternatives, most likely first
};

class GenerationSink {
public:
  virtual ~GenerationSink() = default;
  // A piece of text, already detokenised (carries its own leading space where one belongs).
  virtual void onToken(std::string_view text) = 0;
  // Rich answers (CompletionRequest::rich()): a piece of choice `index` (choices arrive one after
  // the other, each ended by onChoiceDone), with its log-probabilities when they were asked for.
  // The defaults serve sinks that only take plain answers.
  virtual void onChoiceToken(int index, std::string_view text, const TokenLogprob *logprob) {
    if (index == 0) onToken(text);
    (void)logprob;
  }
  virtual void onChoiceDone(int index, FinishReason reason) { (void)index, (void)reason; }
  // Pass-through answers (ApiKind::PassThrough): the upstream's content type, then its body's
  // bytes as they arrive, then onDone.
  virtual void onRawBegin(std::string_view contentType) { (void)contentType; }
  virtual void onRawBytes(std::string_view bytes) { (void)bytes; }
  virtual void onDone(FinishReason reason, Usage usage) = 0;
  virtual void onError(const Status &status) = 0;
  virtual bool cancelled() const = 0;
};

struct TokenScore {
  std::string token;
  double log10Prob = 0;
  int ngramLength = 0;  // length of the n-gram that matched; 0 for an OOV
  bool oov = false;
};

struct ScoreResult {
  std::vector<TokenScore> tokens;  // the text's tokens plus </s>
  double log10Prob = 0;
  double perplexity = 0;
  int oov = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual const std::string &id() const = 0;  // e.g. "engine:english/0", "http://127.0.0.1:9001"
  // Whether request fields the node does not interpret (CompletionRequest::passThrough) reach
  // the backend unchanged; engine replicas refuse them instead.
  virtual bool passesThrough() const { return false; }
  virtual void generate(const CompletionRequest &request, std::shared_ptr<GenerationSink> sink) = 0;
  virtual void score(const ScoreRequest &request, std::function<void(Result<ScoreResult>)> done) = 0;
};

}  // namespace lmfront::gateway::openai
