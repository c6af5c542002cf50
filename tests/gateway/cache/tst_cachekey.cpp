// Cache key: changes with every output-affecting parameter, the model version and the input;
// stays put for what does not affect output. isCacheable and Cache-Control parsing.
#include "gateway/cache/cachecontrol.h"
#include "gateway/cache/cachekey.h"

#include <QtTest>
#include <functional>
#include <set>

using namespace lmfront::gateway::cache;

namespace {

CacheRequest base() {
  CacheRequest r;
  r.model = "kjv";
  r.modelVersion = "sha256:aaaa";
  r.endpoint = EndpointKind::Completions;
  r.prompt = "In the beginning";
  r.params.temperature = 0.0;
  r.params.maxTokens = 16;
  return r;
}

std::string hexOf(const CacheRequest &r) {
  auto k = makeCacheKey(r);
  return k.isOk() ? k->hex() : std::string("error");
}

}  // namespace

class TstCacheKey : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void stableAndHex() {
    const std::string a = hexOf(base());
    QCOMPARE(a.size(), 64u);
    QCOMPARE(hexOf(base()), a);
    QVERIFY(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  }

  void everyOutputAffectingParamChangesTheKey() {
    // One mutation per parameter in LMFRONT_CACHE_OUTPUT_PARAMS, plus the identity fields. The
    // count check below fails when a parameter is added to the list without a case here.
    const std::vector<std::pair<const char *, std::function<void(CacheRequest &)>>> mutations = {
        {"model", [](CacheRequest &r) { r.model = "bible"; }},
        {"version", [](CacheRequest &r) { r.modelVersion = "sha256:bbbb"; }},
        {"endpoint", [](CacheRequest &r) { r.endpoint = EndpointKind::ChatCompletions; }},
        {"prompt", [](CacheRequest &r) { r.prompt += " "; }},
        {"messages",
         [](CacheRequest &r) {
           r.messages.push_back({"user", "hi", ""});
         }},
        {"max_tokens", [](CacheRequest &r) { r.params.maxTokens = 17; }},
        {"temperature", [](CacheRequest &r) { r.params.temperature = 0.5; }},
        {"top_p", [](CacheRequest &r) { r.params.topP = 0.9; }},
        {"top_k", [](CacheRequest &r) { r.params.topK = 40; }},
        {"min_p", [](CacheRequest &r) { r.params.minP = 0.05; }},
        {"seed", [](CacheRequest &r) { r.params.seed = 7; }},
        {"stop", [](CacheRequest &r) { r.params.stop = {"\n"}; }},
        {"n", [](CacheRequest &r) { r.params.n = 2; }},
        {"best_of", [](CacheRequest &r) { r.params.bestOf = 3; }},
        {"logprobs", [](CacheRequest &r) { r.params.logprobs = 5; }},
        {"top_logprobs", [](CacheRequest &r) { r.params.topLogprobs = 2; }},
        {"echo", [](CacheRequest &r) { r.params.echo = true; }},
        {"suffix", [](CacheRequest &r) { r.params.suffix = "end"; }},
        {"presence_penalty", [](CacheRequest &r) { r.params.presencePenalty = 0.1; }},
        {"frequency_penalty", [](CacheRequest &r) { r.params.frequencyPenalty = 0.1; }},
        {"repetition_penalty", [](CacheRequest &r) { r.params.repetitionPenalty = 1.1; }},
        {"logit_bias",
         [](CacheRequest &r) {
           r.params.logitBias = {{"42", -100}};
         }},
        {"response_format", [](CacheRequest &r) { r.params.responseFormat = "json_object"; }},
        {"min_tokens", [](CacheRequest &r) { r.params.minTokens = 1; }},
        {"ignore_eos", [](CacheRequest &r) { r.params.ignoreEos = true; }},
    };
    int params = 0;
#define LMFRONT_COUNT_PARAM(type, member, wire) ++params;
    LMFRONT_CACHE_OUTPUT_PARAMS(LMFRONT_COUNT_PARAM)
#undef LMFRONT_COUNT_PARAM
    QCOMPARE(static_cast<int>(mutations.size()), params + 5);

    std::set<std::string> keys{hexOf(base())};
    for (const auto &[name, mutate] : mutations) {
      CacheRequest r = base();
      mutate(r);
      QVERIFY2(keys.insert(hexOf(r)).second, name);  // distinct from base and from every other
    }
  }

  void absentDiffersFromSetAndValuesDoNotAlias() {
    CacheRequest a = base(), b = base();
    a.params.seed = std::nullopt;
    b.params.seed = 0;
    QVERIFY(hexOf(a) != hexOf(b));
    // Length prefixes: moving bytes between adjacent strings changes the key.
    CacheRequest c = base(), d = base();
    c.params.stop = {"ab", "c"};
    d.params.stop = {"a", "bc"};
    QVERIFY(hexOf(c) != hexOf(d));
    CacheRequest e = base(), f = base();
    e.messages = {{"user", "ab", ""}};
    f.messages = {{"usera", "b", ""}};
    QVERIFY(hexOf(e) != hexOf(f));
    // Same value in two different parameters is two different requests.
    CacheRequest g = base(), h = base();
    g.params.topK = 5;
    h.params.n = 5;
    QVERIFY(hexOf(g) != hexOf(h));
  }

  void canonicalisation() {
    CacheRequest a = base(), b = base();
    a.params.logitBias = {{"1", 2.0}, {"3", -1.0}};
    b.params.logitBias = {{"3", -1.0}, {"1", 2.0}};  // JSON object order is meaningless
    QCOMPARE(hexOf(a), hexOf(b));
    a.params.temperature = -0.0;
    b.params.temperature = 0.0;
    QCOMPARE(hexOf(a), hexOf(b));
  }

  void nonAffectingFieldsAreNotInTheKey() {
    // `user`, `stream`, `stream_options` have no member in CacheRequest at all: prove the
    // encoding carries no such field names, so two requests differing only there share a key.
    const std::string enc = canonicalEncoding(base());
    for (const char *absent : {"user", "stream", "metadata"}) QVERIFY(enc.find(absent) == std::string::npos);
    QVERIFY(enc.find("max_tokens") != std::string::npos);
  }

  void cacheability() {
    OutputParams p;
    QVERIFY(!isCacheable(p));  // default temperature is 1: sampling
    p.temperature = 0.7;
    QVERIFY(!isCacheable(p));
    p.seed = 1;
    QVERIFY(isCacheable(p));
    p = {};
    p.temperature = 0;
    QVERIFY(isCacheable(p));
    p = {};
    p.topK = 1;
    QVERIFY(isCacheable(p));
    p.topK = 2;
    QVERIFY(!isCacheable(p));
  }

  void cacheControl() {
    QVERIFY(!parseCacheControl("").bypass);
    QVERIFY(parseCacheControl("no-cache").bypass);
    QVERIFY(!parseCacheControl("no-cache").noStore);
    QVERIFY(parseCacheControl("No-Cache").bypass);
    QVERIFY(parseCacheControl("max-age=0").bypass);
    QVERIFY(!parseCacheControl("max-age=60").bypass);
    const auto both = parseCacheControl(" max-stale , NO-STORE,no-cache ");
    QVERIFY(both.bypass && both.noStore);
    // A quoted argument containing a comma and a directive name is skipped as a whole.
    const auto quoted = parseCacheControl("ext=\"a, no-cache, \\\"x\", no-store");
    QVERIFY(!quoted.bypass);
    QVERIFY(quoted.noStore);
    QVERIFY(!parseCacheControl("no-cachex").bypass);
    QVERIFY(!parseCacheControl(",,,=,\"").bypass);  // garbage never fails
    QVERIFY(parseCacheControl("max-age=\"0\"").bypass);
  }
};

QTEST_APPLESS_MAIN(TstCacheKey)
#include "tst_cachekey.moc"
