// SamplingParams: the one definition of the sampling controls that `lmfront generate` takes as
// flags and the OpenAI API takes as request fields: name on each side, type, range, default and
// meaning. Both front ends read this table (the CLI builds its flags and usage from it, the API
// decoder its field checks), so they cannot drift apart; docs/http-api.md and `generate --help`
// show the same lines.
//
// Meanings follow OpenAI where it defines the field and vLLM for its extensions. Penalties act on
// the log-probabilities before temperature, as OpenAI's logits: a word seen c times so far in the
// completion loses c * frequency_penalty + (c > 0) * presence_penalty; repetition_penalty r
// multiplies the (negative) log-probability of every word seen in the prompt or the completion
// by r, so r > 1 makes repeats less likely. Plain C++ and constexpr data.
#pragma once

#include "common/status.h"

#include <span>
#include <string_view>

namespace lmfront::engine {

// The table's parameters, as values (engine::SamplingOptions and the API's request carry them).
struct SamplingKnobs {
  double temperature = 1.0;  // 0 = greedy (the most likely word); 1 = the model's distribution
  double topP = 1.0;         // (0, 1]; 1 = off
  int topK = 0;              // 0 = off
  double minP = 0.0;         // keep words with p >= min_p * p(most likely); 0 = off
  double presencePenalty = 0.0;
  double frequencyPenalty = 0.0;
  double repetitionPenalty = 1.0;  // 1 = off
  int minTokens = 0;               // </s> cannot end the text before this many words
  bool ignoreEos = false;          // </s> is never drawn: generation runs to max_tokens or a stop

  bool penalises() const { return presencePenalty != 0 || frequencyPenalty != 0 || repetitionPenalty != 1.0; }
  // Whether anything beyond temperature / top-k / top-p changes the distribution of the word
  // after `generated` words (the sampler then enumerates it word by word).
  bool reshapes(int generated) const { return minP > 0 || penalises() || ignoreEos || generated < minTokens; }
};

enum class ParamType { Number, Integer, Switch };

struct SamplingParamSpec {
  std::string_view api;   // request field: "presence_penalty"
  std::string_view flag;  // CLI flag without dashes: "presence-penalty"
  ParamType type;
  double min;
  double max;
  bool minExclusive;  // the range is (min, max] rather than [min, max]
  std::string_view defaultText;
  std::string_view meaning;
};

// Every sampling control of the table, in the order usage texts show them.
std::span<const SamplingParamSpec> samplingParams();
// The entry for an API field or CLI flag name, or null.
const SamplingParamSpec *findSamplingParam(std::string_view apiOrFlag);
// Checks `value` against the spec's type and range and stores it in `knobs`. InvalidArgument
// naming the API field ("'top_p' must be in (0, 1]") otherwise. Switches take 0 or 1.
Status setSamplingParam(const SamplingParamSpec &spec, double value, SamplingKnobs &knobs);
// The value `knobs` holds for the spec (a switch as 0 or 1).
double samplingParam(const SamplingParamSpec &spec, const SamplingKnobs &knobs);
// The range as the error messages and docs write it: "[-2, 2]", "(0, 1]", "integer in [0, 4096]".
std::string describeRange(const SamplingParamSpec &spec);

}  // namespace lmfront::engine
