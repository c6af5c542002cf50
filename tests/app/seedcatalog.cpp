// lmfront-seedcatalog DATA_DIR: fills a node's catalog (DATA_DIR/catalog.db, the node stopped)
// with the versions, reviews and audit rows a team would leave behind, for the Models and Audit
// screenshots: more versions of `english` in every state a review leaves (published, approved,
// validated, rejected, submitted), a second model, a mix depending on both, a refused action, and
// the jobs those versions went through (one failed, one cancelled).
// Everything goes through CatalogDb's own door (addVersion, transition), as the node's would.
// Exit 0, or 1 with the reason on stderr.
#include "registry/catalogdb.h"

#include <QDateTime>
#include <cstdio>
#include <string>

using namespace lmfront;
using registry::LifecycleAction;
using A = LifecycleAction;

namespace {

struct Seed {
  const char *model;
  std::int64_t bytes;
  int order;
  std::int64_t vocabulary;
  double perplexity;  // 0: none
  const char *submitter;
  const char *card;
  std::vector<registry::VersionRef> dependsOn;
  // The actions taken on it, with their actor and comment.
  std::vector<std::tuple<A, const char *, const char *>> steps;
};

int fail(const std::string &why) {
  std::fprintf(stderr, "lmfront-seedcatalog: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) return fail("usage: lmfront-seedcatalog DATA_DIR");
  auto db = registry::CatalogDb::open(std::string(argv[1]) + "/catalog.db",
                                      {[] { return QDateTime::currentMSecsSinceEpoch(); }});
  if (!db) return fail(db.status().message());
  registry::CatalogDb &catalog = **db;
  for (const registry::NewModel &m :
       {registry::NewModel{"chinese-poetry", "Tang and Song poems, one token per character", "team-zh", "CC-BY-4.0"},
        registry::NewModel{"fortunes-mix", "english and chinese-poetry interpolated on a mixed dev set", "team-lm",
                           "CC-BY-4.0"}})
    if (Status st = catalog.createModel(m, "alice"); !st) return fail(st.message());

  const char *englishCard =
      "# english\n\nDebian's English fortunes and the King James Bible, lowercased, Kneser-Ney smoothed.\n\n"
      "- **Dev set**: every 10th fortune held out\n- **Intended use**: playful completions, demos\n";
  const std::vector<Seed> seeds{
      {"english",
       71'400'000,
       5,
       39'622,
       212.4,
       "alice",
       englishCard,
       {},
       {{A::Validate, "local", ""},
        {A::Approve, "bob", "dev perplexity 212, down from 240"},
        {A::Compile, "local", ""},
        {A::Publish, "carol", "ready for a canary"}}},
      {"english",
       73'100'000,
       5,
       40'120,
       209.8,
       "alice",
       englishCard,
       {},
       {{A::Validate, "local", ""}, {A::Approve, "bob", "adds the 2026 fortunes"}}},
      {"english", 69'800'000, 5, 39'001, 248.9, "dave", englishCard, {}, {{A::Validate, "local", ""}}},
      {"english",
       70'200'000,
       4,
       39'622,
       231.0,
       "dave",
       englishCard,
       {},
       {{A::Validate, "local", ""}, {A::Reject, "bob", "the dev set overlaps the training text"}}},
      {"english", 74'000'000, 5, 41'300, 0, "ci-bot", englishCard, {}, {}},
      {"chinese-poetry",
       26'900'000,
       5,
       12'400,
       28.5,
       "mei",
       "# chinese-poetry\n\n300 Tang poems, 100 Song poems.\n",
       {},
       {{A::Validate, "local", ""},
        {A::Approve, "bob", "character model, held-out perplexity 28.5"},
        {A::Compile, "local", ""},
        {A::Publish, "carol", ""}}},
      {"chinese-poetry",
       27'300'000,
       6,
       12'480,
       28.4,
       "mei",
       "# chinese-poetry\n\nOrder 6: 0.3 % better.\n",
       {},
       {{A::Validate, "local", ""}}},
      {"fortunes-mix",
       98'100'000,
       5,
       51'022,
       196.3,
       "alice",
       "# fortunes-mix\n\nEM-tuned weights 0.83 english, 0.17 chinese-poetry.\n",
       {{"english", 1}, {"chinese-poetry", 1}},
       {{A::Validate, "local", ""}, {A::Approve, "bob", "weights tuned on the mixed dev set"}}},
  };
  int n = 0;
  for (const Seed &s : seeds) {
    registry::NewVersion v;
    v.sha256 = std::string(56, 'c') + std::to_string(10'000'000 + ++n);
    v.bytes = s.bytes;
    v.order = s.order;
    v.vocabularySize = s.vocabulary;
    if (s.perplexity > 0) v.devPerplexity = s.perplexity;
    v.submitter = s.submitter;
    v.card = s.card;
    v.dependsOn = s.dependsOn;
    auto number = catalog.addVersion(s.model, v, s.submitter);
    if (!number) return fail(number.status().message());
    for (const auto &[action, actor, comment] : s.steps)
      if (auto done = catalog.transition(s.model, *number, action, actor, comment); !done)
        return fail(done.status().message());
  }
  // A refusal is audited too: approving a version nobody validated.
  (void)catalog.transition("english", 6, A::Approve, "ci-bot", "auto-approve");
  // The jobs those versions went through, as the Models section's jobs panel lists them: the
  // validations, a compile, a mix, a training that failed and one cancelled.
  using K = registry::JobKind;
  const std::vector<std::tuple<K, const char *, std::int64_t, const char *, double, const char *>> jobs{
      {K::Validate, "english", 1, "local", 1, ""},
      {K::Compile, "english", 1, "local", 1, ""},
      {K::Validate, "chinese-poetry", 1, "local", 1, ""},
      {K::Mix, "fortunes-mix", 1, "alice", 1, ""},
      {K::Validate, "english", 2, "local", 1, ""},
      {K::Train, "english", 6, "ci-bot", 0.1, "train: the corpus has no sentence of 2 words or more"},
      {K::Validate, "chinese-poetry", 2, "local", 1, ""},
      {K::Compile, "english", 2, "bob", 0.6, "cancel"},
  };
  for (const auto &[kind, model, version, actor, progress, error] : jobs) {
    auto id = catalog.jobs().create(kind, model, version, actor);
    if (!id) return fail(id.status().message());
    Status done = catalog.jobs().start(*id);
    if (done) done = catalog.jobs().progress(*id, progress, "seeded");
    if (done && std::string_view(error) == "cancel")
      done = catalog.jobs().cancel(*id, "bob", "wrong version");
    else if (done)
      done = catalog.jobs().finish(*id, *error ? Status::internal(error) : Status::ok());
    if (!done) return fail(done.message());
  }
  return 0;
}
