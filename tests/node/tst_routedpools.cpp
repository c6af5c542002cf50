// Which routed pools a member list makes (node/clusterrouting.h): only up members other than this
// node take part (down ones when no up one serves the model), a model this node serves itself is never routed, each
// member is one backend (kind lmfront) forwarding in this node's name, cluster.routing overrides the defaults, and the
// models a node advertises are only those with an engine backend.
#include "cluster/membership.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/upstreambackend.h"
#include "node/clusterrouting.h"

#include <QTest>

using namespace lmfront;
using lmfront::cluster::MemberInfo;

namespace {

MemberInfo member(const QString &id, const QString &state, const QStringList &models) {
  MemberInfo m;
  m.id = id;
  m.address = u"http://127.0.0.1:"_qs + QString::number(8000 + id.back().unicode());
  m.state = state;
  m.models = models;
  return m;
}

std::vector<std::string> urls(const gateway::pool::PoolSpec &spec) {
  std::vector<std::string> out;
  for (const auto &b : spec.backends) out.push_back(b.url + "|" + b.kind);
  return out;
}

// An openai::Backend that is neither engine nor URL: stands for an engine replica.
class LocalBackend final : public gateway::openai::Backend {
public:
  const std::string &id() const override { return m_id; }
  void generate(const gateway::openai::CompletionRequest &, std::shared_ptr<gateway::openai::GenerationSink>) override {
  }
  void score(const gateway::openai::ScoreRequest &,
             std::function<void(Result<gateway::openai::ScoreResult>)>) override {}

private:
  std::string m_id = "engine:x";
};

}  // namespace

class TestRoutedPools : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void upMembersOtherThanSelfServeWhatSelfDoesNot() {
    const QList<MemberInfo> members = {
        member(u"a"_qs, u"up"_qs, {u"english"_qs, u"local"_qs}),
        member(u"b"_qs, u"up"_qs, {}),
        member(u"c"_qs, u"up"_qs, {u"english"_qs}),
        member(u"d"_qs, u"draining"_qs, {u"english"_qs}),
        member(u"e"_qs, u"down"_qs, {u"english"_qs}),
        member(u"f"_qs, u"up"_qs, {u"french"_qs}),
    };
    const auto routed = node::routedPoolSpecs(members, u"b"_qs, {u"local"_qs}, {});
    QVERIFY(routed.errors.isEmpty());
    QCOMPARE(routed.specs.size(), std::size_t{2});
    const auto &english = routed.specs[0];
    QCOMPARE(english.name, std::string("english"));
    QCOMPARE(urls(english), (std::vector<std::string>{member(u"a"_qs, {}, {}).address.toStdString() + "|lmfront",
                                                      member(u"c"_qs, {}, {}).address.toStdString() + "|lmfront"}));
    QCOMPARE(english.forwardedBy, std::string("b"));
    QCOMPARE(english.resilience.retry.maxRetries, 2u);  // max_attempts 3
    QVERIFY(english.resilience.healthChecks);
    QCOMPARE(routed.specs[1].name, std::string("french"));
    // A model only down members list stays routed to them; a draining member never takes part.
    const auto lapsed = node::routedPoolSpecs(
        {member(u"a"_qs, u"down"_qs, {u"m"_qs}), member(u"c"_qs, u"draining"_qs, {u"m"_qs, u"n"_qs})}, u"b"_qs, {}, {});
    QCOMPARE(lapsed.specs.size(), std::size_t{1});
    QCOMPARE(urls(lapsed.specs[0]),
             (std::vector<std::string>{member(u"a"_qs, {}, {}).address.toStdString() + "|lmfront"}));
    // This node's own record never routes back to itself.
    QVERIFY(node::routedPoolSpecs({member(u"b"_qs, u"up"_qs, {u"x"_qs})}, u"b"_qs, {}, {}).specs.empty());
  }

  void settingsOverrideTheDefaultsKeyByKey() {
    const QJsonObject settings{{u"balancer"_qs, u"least_outstanding"_qs},
                               {u"retry"_qs, QJsonObject{{u"max_attempts"_qs, 1}}}};
    QVERIFY(node::validateRoutingSettings(settings).isOk());
    const auto routed = node::routedPoolSpecs({member(u"a"_qs, u"up"_qs, {u"m"_qs})}, u"b"_qs, {}, settings);
    QCOMPARE(routed.specs.size(), std::size_t{1});
    QCOMPARE(routed.specs[0].balancer, gateway::routing::BalancerKind::LeastOutstanding);
    QCOMPARE(routed.specs[0].resilience.retry.maxRetries, 0u);
    QVERIFY(routed.specs[0].resilience.healthChecks);  // not overridden: still the default
  }

  void aRecordThatMakesNoPoolIsReportedAndTheOthersStay() {
    MemberInfo bad = member(u"a"_qs, u"up"_qs, {u"m"_qs});
    bad.address = u"not a url"_qs;
    const auto routed = node::routedPoolSpecs({bad, member(u"c"_qs, u"up"_qs, {u"n"_qs})}, u"b"_qs, {}, {});
    QCOMPARE(routed.specs.size(), std::size_t{1});
    QCOMPARE(routed.specs[0].name, std::string("n"));
    QCOMPARE(routed.errors.size(), 1);
    QVERIFY2(routed.errors[0].contains(u"pools.m.backends[0].url"_qs), qPrintable(routed.errors[0]));
  }

  void onlyPoolsWithALocalBackendAreAdvertised() {
    gateway::upstream::HttpClient client(1);  // never sends here
    gateway::pool::ModelTable table;
    auto local = std::make_shared<gateway::pool::ModelPool>();
    local->backends.push_back(std::make_shared<LocalBackend>());
    auto routed = std::make_shared<gateway::pool::ModelPool>(*local);
    routed->routed = true;
    table.pools["local"] = local;
    table.pools["routed"] = routed;
    table.pools["empty"] = std::make_shared<gateway::pool::ModelPool>();
    // A configured pool of URL backends only: served, but by whatever it points at.
    auto remote = std::make_shared<gateway::pool::ModelPool>();
    auto upstream = gateway::pool::UpstreamBackend::create({"http://127.0.0.1:9", "m", {}, {}, {}, {}}, client);
    QVERIFY(upstream.isOk());
    remote->backends.push_back(*upstream);
    table.pools["remote"] = remote;
    QCOMPARE(node::locallyServedModels(table), QStringList{u"local"_qs});
  }
};

QTEST_GUILESS_MAIN(TestRoutedPools)
#include "tst_routedpools.moc"
