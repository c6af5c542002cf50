#include "samplingparams.h"

#include <cmath>
#include <string>

namespace lmfront::engine {
namespace {

constexpr SamplingParamSpec kParams[] = {
    {"temperature", "temperature", ParamType::Number, 0, 2, false, "1",
     "sampling temperature; 0 = greedy (always the most likely word), 1 = the model's own distribution"},
    {"top_p", "top-p", ParamType::Number, 0, 1, true, "1", "sample within this probability mass; 1 = off"},
    {"top_k", "top-k", ParamType::Integer, 0, 1'000'000, false, "0", "sample among the K most likely words; 0 = all"},
    {"min_p", "min-p", ParamType::Number, 0, 1, false, "0",
     "drop words less likely than min_p times the most likely one; 0 = off"},
    {"presence_penalty", "presence-penalty", ParamType::Number, -2, 2, false, "0",
     "subtract from the log-probability of every word already in the completion"},
    {"frequency_penalty", "frequency-penalty", ParamType::Number, -2, 2, false, "0",
     "subtract this times the word's count so far in the completion from its log-probability"},
    {"repetition_penalty", "repetition-penalty", ParamType::Number, 0, 10, true, "1",
     "multiply the log-probability of words seen in the prompt or completion; > 1 discourages repeats"},
    {"min_tokens", "min-tokens", ParamType::Integer, 0, 4096, false, "0",
     "the end of text cannot come before this many words"},
    {"ignore_eos", "ignore-eos", ParamType::Switch, 0, 1, false, "false",
     "never end the text by the model's end of sentence"},
};

std::string number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::span<const SamplingParamSpec> samplingParams() { return kParams; }

const SamplingParamSpec *findSamplingParam(std::string_view name) {
  for (const SamplingParamSpec &p : kParams)
    if (p.api == name || p.flag == name) return &p;
  return nullptr;
}

std::string describeRange(const SamplingParamSpec &spec) {
  if (spec.type == ParamType::Switch) return "true or false";
  std::string r = spec.type == ParamType::Integer ? "an integer in " : "a number in ";
  r += spec.minExclusive ? '(' : '[';
  r.append(number(spec.min)).append(", ").append(number(spec.max)).append("]");
  return r;
}

double samplingParam(const SamplingParamSpec &spec, const SamplingKnobs &k) {
  const std::string_view n = spec.api;
  if (n == "temperature") return k.temperature;
  if (n == "top_p") return k.topP;
  if (n == "top_k") return k.topK;
  if (n == "min_p") return k.minP;
  if (n == "presence_penalty") return k.presencePenalty;
  if (n == "frequency_penalty") return k.frequencyPenalty;
  if (n == "repetition_penalty") return k.repetitionPenalty;
  if (n == "min_tokens") return k.minTokens;
  return k.ignoreEos ? 1 : 0;
}

Status setSamplingParam(const SamplingParamSpec &spec, double v, SamplingKnobs &k) {
  const bool inRange = std::isfinite(v) && (spec.minExclusive ? v > spec.min : v >= spec.min) && v <= spec.max &&
                       (spec.type == ParamType::Number || v == std::floor(v));
  if (!inRange) {
    std::string message = "'";
    message.append(spec.api).append("' must be ").append(describeRange(spec));
    return Status::invalidArgument(message);
  }
  const std::string_view n = spec.api;
  if (n == "temperature")
    k.temperature = v;
  else if (n == "top_p")
    k.topP = v;
  else if (n == "top_k")
    k.topK = static_cast<int>(v);
  else if (n == "min_p")
    k.minP = v;
  else if (n == "presence_penalty")
    k.presencePenalty = v;
  else if (n == "frequency_penalty")
    k.frequencyPenalty = v;
  else if (n == "repetition_penalty")
    k.repetitionPenalty = v;
  else if (n == "min_tokens")
    k.minTokens = static_cast<int>(v);
  else if (n == "ignore_eos")
    k.ignoreEos = v != 0;
  else
    return Status::internal(std::string("sampling parameter has no field: ").append(n));
  return Status::ok();
}

}  // namespace lmfront::engine
