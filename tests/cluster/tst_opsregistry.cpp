// The ops API's table of topics and commands (docs/ops-protocol.md, "Adding a topic or a
// command"): registration rules, lookups answered with the documented errors, role checks with
// the HTTP refusal text, and deltas reaching the sink from any thread.
#include "client/opscodec.h"
#include "cluster/opsregistry.h"

#include <QJsonArray>
#include <QTest>
#include <atomic>
#include <thread>
#include <vector>

using namespace lmfront;
using namespace lmfront::cluster;

namespace {

Principal caller(Role role, const char *name = "ci-bot") { return Principal{"lmf_abcdefgh", name, role}; }

OpsTopic nodeTopic(int *calls = nullptr) {
  return OpsTopic{u"node"_qs, Role::Viewer, OpsDelivery::Replaceable,
                  [calls](const QJsonObject &options) -> Result<QJsonObject> {
                    if (calls) ++*calls;
                    if (options.contains(u"history_s") && !options.value(u"history_s").isDouble())
                      return Status::invalidArgument("option 'history_s' must be a number");
                    return QJsonObject{{u"ready"_qs, true}, {u"echo"_qs, options}};
                  }};
}

OpsCommand drainCommand(int *calls) {
  return OpsCommand{
      u"drain"_qs, Role::Operator, [calls](const QJsonObject &, const Principal &who) -> Result<QJsonValue> {
        ++*calls;
        return QJsonValue(QJsonObject{{u"draining"_qs, true}, {u"by"_qs, QString::fromStdString(who.name)}});
      }};
}

}  // namespace

class TestOpsRegistry : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void namesFollowTheGrammar_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("plain") << u"metrics"_qs << true;
    QTest::newRow("underscore and digit") << u"set_pools2"_qs << true;
    QTest::newRow("64 characters") << QString(64, u'a') << true;
    QTest::newRow("65 characters") << QString(65, u'a') << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("upper case") << u"Node"_qs << false;
    QTest::newRow("leading digit") << u"1node"_qs << false;
    QTest::newRow("leading underscore") << u"_node"_qs << false;
    QTest::newRow("dash") << u"set-pools"_qs << false;
    QTest::newRow("dot") << u"catalog.models"_qs << false;
  }

  void namesFollowTheGrammar() {
    QFETCH(QString, name);
    QFETCH(bool, accepted);
    OpsRegistry registry;
    OpsTopic topic = nodeTopic();
    topic.name = name;
    const Status t = registry.addTopic(topic);
    QCOMPARE(t.isOk(), accepted);
    int calls = 0;
    OpsCommand command = drainCommand(&calls);
    command.name = name;
    const Status c = registry.addCommand(command);
    QCOMPARE(c.isOk(), accepted);
    if (!accepted) {
      QCOMPARE(t.code(), StatusCode::InvalidArgument);
      QVERIFY2(t.message().find("lower-case letters") != std::string::npos, t.message().c_str());
    }
  }

  void duplicatesAndMissingHandlersAreRefused() {
    OpsRegistry registry;
    QVERIFY(registry.addTopic(nodeTopic()).isOk());
    QCOMPARE(registry.addTopic(nodeTopic()).code(), StatusCode::AlreadyExists);
    int calls = 0;
    QVERIFY(registry.addCommand(drainCommand(&calls)).isOk());
    QCOMPARE(registry.addCommand(drainCommand(&calls)).code(), StatusCode::AlreadyExists);
    // A topic and a command may share a name: they are separate tables.
    OpsCommand sameName = drainCommand(&calls);
    sameName.name = u"node"_qs;
    QVERIFY(registry.addCommand(sameName).isOk());
    QCOMPARE(registry.addTopic(OpsTopic{u"empty"_qs, Role::Viewer, OpsDelivery::EveryDelta, {}}).code(),
             StatusCode::InvalidArgument);
    QCOMPARE(registry.addCommand(OpsCommand{u"noop"_qs, Role::Viewer, {}}).code(), StatusCode::InvalidArgument);
    QCOMPARE(registry.topicNames(), QStringList{u"node"_qs});
    QCOMPARE(registry.commandNames(), (QStringList{u"drain"_qs, u"node"_qs}));
  }

  void subscribeAnswersWithTheSnapshot() {
    OpsRegistry registry;
    int calls = 0;
    QVERIFY(registry.addTopic(nodeTopic(&calls)).isOk());
    const QJsonObject options{{u"history_s"_qs, 60}};
    const OpsMessage answer =
        registry.subscribe(OpsMessage::subscribe(u"s1"_qs, u"node"_qs, options), caller(Role::Viewer), 5);
    QCOMPARE(answer.type, OpsType::Snapshot);
    QCOMPARE(answer.id, u"s1"_qs);
    QCOMPARE(answer.topic, u"node"_qs);
    QCOMPARE(answer.seq, qint64(5));
    QCOMPARE(answer.payload.toObject().value(u"echo").toObject(), options);
    QCOMPARE(calls, 1);
    // A recovery snapshot has no id and runs the provider again with the subscription's options.
    const OpsMessage recovery = registry.snapshot(u"node"_qs, options, 12);
    QCOMPARE(recovery.type, OpsType::Snapshot);
    QVERIFY(recovery.id.isEmpty());
    QCOMPARE(recovery.seq, qint64(12));
    QCOMPARE(calls, 2);
    // The answer is a frame a client decodes.
    const OpsDecoded decoded = OpsCodec(OpsCodec::Side::Client).decode(OpsCodec::encode(answer));
    QVERIFY(decoded.isOk());
    QCOMPARE(decoded.message().id, u"s1"_qs);
  }

  void subscribeRefusals() {
    OpsRegistry registry;
    int calls = 0;
    OpsTopic audit = nodeTopic(&calls);
    audit.name = u"audit"_qs;
    audit.role = Role::Operator;
    audit.delivery = OpsDelivery::EveryDelta;
    QVERIFY(registry.addTopic(audit).isOk());
    QVERIFY(registry.addTopic(nodeTopic(&calls)).isOk());

    const OpsMessage unknown = registry.subscribe(OpsMessage::subscribe(u"a"_qs, u"alerts"_qs), caller(Role::Admin), 0);
    QCOMPARE(unknown.type, OpsType::Error);
    QCOMPARE(unknown.errorPayload().code, OpsErrorCode::UnknownTopic);
    QCOMPARE(unknown.id, u"a"_qs);
    QVERIFY2(
        unknown.errorPayload().message.contains(u"'alerts'") && unknown.errorPayload().message.contains(u"audit, node"),
        qPrintable(unknown.errorPayload().message));

    const OpsMessage low = registry.subscribe(OpsMessage::subscribe(u"b"_qs, u"audit"_qs), caller(Role::User), 0);
    QCOMPARE(low.errorPayload().code, OpsErrorCode::Forbidden);
    QCOMPARE(low.id, u"b"_qs);
    QCOMPARE(low.errorPayload().message, u"this needs the operator role; key 'ci-bot' has user"_qs);
    QCOMPARE(calls, 0);  // the provider never ran for a refused caller

    const OpsMessage badOption =
        registry.subscribe(OpsMessage::subscribe(u"c"_qs, u"node"_qs, QJsonObject{{u"history_s"_qs, u"long"_qs}}),
                           caller(Role::Viewer), 0);
    QCOMPARE(badOption.errorPayload().code, OpsErrorCode::BadRequest);
    QCOMPARE(badOption.id, u"c"_qs);
    QVERIFY(badOption.errorPayload().message.contains(u"history_s"));

    QVERIFY(!registry.checkTopic(u"node"_qs, caller(Role::Viewer), u"u"_qs));
    const auto unsub = registry.checkTopic(u"nodes"_qs, caller(Role::Viewer), u"u"_qs);
    QVERIFY(unsub);
    QCOMPARE(unsub->code, OpsErrorCode::UnknownTopic);
    QCOMPARE(unsub->id, u"u"_qs);
  }

  void commandsAreRoleCheckedBeforeTheyRun() {
    OpsRegistry registry;
    int calls = 0;
    QVERIFY(registry.addCommand(drainCommand(&calls)).isOk());

    const OpsMessage low = registry.runCommand(OpsMessage::command(u"1"_qs, u"drain"_qs), caller(Role::User));
    QCOMPARE(low.type, OpsType::Error);
    QCOMPARE(low.errorPayload().code, OpsErrorCode::Forbidden);
    QCOMPARE(low.errorPayload().message, u"this needs the operator role; key 'ci-bot' has user"_qs);
    QCOMPARE(low.id, u"1"_qs);
    QCOMPARE(calls, 0);

    const OpsMessage ok =
        registry.runCommand(OpsMessage::command(u"2"_qs, u"drain"_qs), caller(Role::Operator, "oncall"));
    QCOMPARE(ok.type, OpsType::Result);
    QCOMPARE(ok.id, u"2"_qs);
    QCOMPARE(ok.payload.toObject().value(u"draining").toBool(), true);
    QCOMPARE(ok.payload.toObject().value(u"by").toString(), u"oncall"_qs);
    QCOMPARE(calls, 1);
    // A higher role may do what a lower one may; the anonymous local user is admin.
    const OpsMessage local =
        registry.runCommand(OpsMessage::command(u"3"_qs, u"drain"_qs), Principal{{}, "local", Role::Admin});
    QCOMPARE(local.type, OpsType::Result);

    const OpsMessage unknown = registry.runCommand(OpsMessage::command(u"4"_qs, u"drian"_qs), caller(Role::Admin));
    QCOMPARE(unknown.errorPayload().code, OpsErrorCode::UnknownCommand);
    QCOMPARE(unknown.id, u"4"_qs);
    QVERIFY(unknown.errorPayload().message.contains(u"'drian'"));
    QVERIFY(unknown.errorPayload().message.contains(u"drain"));
  }

  void handlerStatusBecomesTheErrorCode() {
    OpsRegistry registry;
    QJsonObject seen;
    QVERIFY(registry
                .addCommand({u"set_pools"_qs, Role::Admin,
                             [&seen](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
                               seen = args;
                               if (!args.value(u"pools").isObject())
                                 return Status::invalidArgument("pools: expected an object");
                               if (args.value(u"pools").toObject().contains(u"missing"))
                                 return Status::notFound("pool 'missing' does not exist");
                               return QJsonValue(QJsonObject{{u"pools"_qs, QJsonArray{u"english"_qs}}});
                             }})
                .isOk());
    const OpsMessage noArgs = registry.runCommand(OpsMessage::command(u"1"_qs, u"set_pools"_qs), caller(Role::Admin));
    QCOMPARE(noArgs.errorPayload().code, OpsErrorCode::BadRequest);  // absent payload reaches the handler as {}
    QVERIFY(seen.isEmpty());
    QCOMPARE(noArgs.errorPayload().message, u"pools: expected an object"_qs);
    const OpsMessage missing = registry.runCommand(
        OpsMessage::command(u"2"_qs, u"set_pools"_qs, QJsonObject{{u"pools"_qs, QJsonObject{{u"missing"_qs, 1}}}}),
        caller(Role::Admin));
    QCOMPARE(missing.errorPayload().code, OpsErrorCode::NotFound);
    QCOMPARE(missing.id, u"2"_qs);
    const OpsMessage ok = registry.runCommand(
        OpsMessage::command(u"3"_qs, u"set_pools"_qs, QJsonObject{{u"pools"_qs, QJsonObject{}}}), caller(Role::Admin));
    QCOMPARE(ok.type, OpsType::Result);
    QCOMPARE(ok.payload.toObject().value(u"pools").toArray(), QJsonArray{u"english"_qs});
  }

  void aDeferredCommandAnswersOnceWhenItIsDone() {
    OpsRegistry registry;
    OpsReply pending;
    QVERIFY(registry
                .addCommand({u"deploy"_qs, Role::Operator, nullptr,
                             [&pending](const QJsonObject &, const Principal &, OpsReply reply) {
                               pending = std::move(reply);
                             }})
                .isOk());
    // A command needs exactly one of the two handlers.
    QCOMPARE(registry.addCommand({u"both"_qs, Role::Admin, nullptr, nullptr}).code(), StatusCode::InvalidArgument);
    std::vector<OpsMessage> answers;
    const auto collect = [&answers](OpsMessage m) { answers.push_back(std::move(m)); };
    registry.runCommand(OpsMessage::command(u"1"_qs, u"deploy"_qs), caller(Role::User), collect);
    QCOMPARE(answers.size(), std::size_t(1));  // refused before it runs
    QCOMPARE(answers[0].errorPayload().code, OpsErrorCode::Forbidden);
    QVERIFY(!pending);

    registry.runCommand(OpsMessage::command(u"2"_qs, u"deploy"_qs), caller(Role::Operator), collect);
    QCOMPARE(answers.size(), std::size_t(1));  // not yet
    QVERIFY(pending);
    pending(QJsonValue(QJsonObject{{u"model"_qs, u"english"_qs}}));
    QCOMPARE(answers.size(), std::size_t(2));
    QCOMPARE(answers[1].type, OpsType::Result);
    QCOMPARE(answers[1].id, u"2"_qs);
    QCOMPARE(answers[1].payload.toObject().value(u"model").toString(), u"english"_qs);

    registry.runCommand(OpsMessage::command(u"3"_qs, u"deploy"_qs), caller(Role::Operator), collect);
    pending(Status::failedPrecondition("a deploy of model 'english' (version 3) is in progress"));
    QCOMPARE(answers.size(), std::size_t(3));
    QCOMPARE(answers[2].errorPayload().code, OpsErrorCode::FailedPrecondition);
    QCOMPARE(answers[2].id, u"3"_qs);
    // The answer-at-once form cannot wait for it.
    const OpsMessage now = registry.runCommand(OpsMessage::command(u"4"_qs, u"deploy"_qs), caller(Role::Operator));
    QCOMPARE(now.type, OpsType::Error);
  }

  void deltasReachTheSinkFromAnyThread() {
    OpsRegistry registry;
    QVERIFY(registry.addTopic(nodeTopic()).isOk());
    // Without a sink a delta goes nowhere, and that is not an error.
    QVERIFY(registry.publish(u"node"_qs, QJsonObject{{u"ready"_qs, false}}).isOk());
    QCOMPARE(registry.publish(u"metricz"_qs, QJsonObject{}).code(), StatusCode::InvalidArgument);

    std::atomic<int> received{0};
    std::atomic<int> wrongTopic{0};
    registry.setDeltaSink([&](const QString &topic, const QJsonObject &delta) {
      if (topic != u"node"_qs || !delta.contains(u"n")) ++wrongTopic;
      ++received;
    });
    constexpr int kThreads = 4;
    constexpr int kEach = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&registry, t] {
        for (int i = 0; i < kEach; ++i) (void)registry.publish(u"node"_qs, QJsonObject{{u"n"_qs, t * kEach + i}});
      });
    // Lookups and registrations meanwhile are safe too.
    for (int i = 0; i < 100; ++i) QVERIFY(registry.topic(u"node"_qs));
    OpsTopic late = nodeTopic();
    late.name = u"late"_qs;
    QVERIFY(registry.addTopic(late).isOk());
    for (auto &thread : threads) thread.join();
    QCOMPARE(received.load(), kThreads * kEach);
    QCOMPARE(wrongTopic.load(), 0);

    registry.setDeltaSink({});
    QVERIFY(registry.publish(u"node"_qs, QJsonObject{{u"n"_qs, 0}}).isOk());
    QCOMPARE(received.load(), kThreads * kEach);
  }
};

QTEST_GUILESS_MAIN(TestOpsRegistry)
#include "tst_opsregistry.moc"
