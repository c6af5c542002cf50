// The ops protocol's codec (docs/ops-protocol.md) without sockets: every type round trips, and
// every kind of bad frame gets the documented error code, a message naming the field, and the
// request's id when it could be read.
#include "client/opscodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace lmfront::client;

namespace {

const OpsCodec kNode(OpsCodec::Side::Node);
const OpsCodec kClient(OpsCodec::Side::Client);

QByteArray frame(const char *json) { return QByteArray(json); }

}  // namespace

class TestOpsCodec : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void everyTypeRoundTrips_data() {
    QTest::addColumn<int>("side");  // the side that decodes
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<qint64>("seq");
    const int node = static_cast<int>(OpsCodec::Side::Node);
    const int client = static_cast<int>(OpsCodec::Side::Client);
    const QJsonValue none(QJsonValue::Undefined);
    const QJsonObject args{{u"pools"_qs, QJsonObject{{u"english"_qs, QJsonObject{}}}}};
    QTest::newRow("auth") << node << int(OpsType::Auth) << u"1"_qs << QString() << QString()
                          << QJsonValue(QJsonObject{{u"key"_qs, u"lmf_x"_qs}}) << qint64(-1);
    QTest::newRow("auth without payload")
        << node << int(OpsType::Auth) << u"1"_qs << QString() << QString() << none << qint64(-1);
    QTest::newRow("subscribe") << node << int(OpsType::Subscribe) << u"2"_qs << u"metrics"_qs << QString()
                               << QJsonValue(QJsonObject{{u"history_s"_qs, 60}}) << qint64(-1);
    QTest::newRow("unsubscribe") << node << int(OpsType::Unsubscribe) << u"3"_qs << u"node"_qs << QString() << none
                                 << qint64(-1);
    QTest::newRow("command") << node << int(OpsType::Command) << u"4"_qs << QString() << u"set_pools"_qs
                             << QJsonValue(args) << qint64(-1);
    QTest::newRow("ping") << node << int(OpsType::Ping) << u"5"_qs << QString() << QString()
                          << QJsonValue(QJsonArray{1, u"two"_qs}) << qint64(-1);
    QTest::newRow("result") << client << int(OpsType::Result) << u"4"_qs << QString() << QString()
                            << QJsonValue(QJsonObject{{u"draining"_qs, true}}) << qint64(-1);
    QTest::newRow("error") << client << int(OpsType::Error) << u"4"_qs << QString() << QString()
                           << QJsonValue(QJsonObject{{u"code"_qs, u"forbidden"_qs}, {u"message"_qs, u"no"_qs}})
                           << qint64(-1);
    QTest::newRow("snapshot answering") << client << int(OpsType::Snapshot) << u"2"_qs << u"metrics"_qs << QString()
                                        << QJsonValue(QJsonObject{{u"samples"_qs, QJsonArray{}}}) << qint64(0);
    QTest::newRow("snapshot recovering") << client << int(OpsType::Snapshot) << QString() << u"metrics"_qs << QString()
                                         << QJsonValue(QJsonObject{}) << qint64(41);
    QTest::newRow("delta") << client << int(OpsType::Delta) << QString() << u"node"_qs << QString()
                           << QJsonValue(QJsonObject{{u"ready"_qs, false}}) << qint64(7);
    QTest::newRow("pong") << client << int(OpsType::Pong) << u"5"_qs << QString() << QString() << QJsonValue(u"echo"_qs)
                          << qint64(-1);
  }

  void everyTypeRoundTrips() {
    QFETCH(int, side);
    QFETCH(int, type);
    QFETCH(QString, id);
    QFETCH(QString, topic);
    QFETCH(QString, name);
    QFETCH(QJsonValue, payload);
    QFETCH(qint64, seq);
    OpsMessage out;
    out.type = static_cast<OpsType>(type);
    out.id = id;
    out.topic = topic;
    out.name = name;
    out.payload = payload;
    out.seq = seq;
    const QByteArray bytes = OpsCodec::encode(out);
    const QJsonObject json = QJsonDocument::fromJson(bytes).object();
    QCOMPARE(json.value(u"v").toInt(), 1);
    QCOMPARE(json.value(u"type").toString(), QString::fromLatin1(opsTypeName(out.type).data()));
    QCOMPARE(json.contains(u"id"), !id.isEmpty());
    QCOMPARE(json.contains(u"topic"), !topic.isEmpty());
    QCOMPARE(json.contains(u"seq"), seq >= 0);
    const OpsDecoded in = OpsCodec(static_cast<OpsCodec::Side>(side)).decode(bytes);
    QVERIFY2(in.isOk(), in.isOk() ? "" : qPrintable(in.error().message));
    const OpsMessage &m = in.message();
    QCOMPARE(m.v, 1);
    QCOMPARE(m.type, out.type);
    QCOMPARE(m.id, id);
    QCOMPARE(m.topic, topic);
    QCOMPARE(m.name, name);
    QCOMPARE(m.payload, payload);
    QCOMPARE(m.seq, seq);
  }

  void errorMessagesCarryCodeMessageAndSupportedVersions() {
    const OpsMessage e = OpsMessage::error({OpsErrorCode::UnsupportedVersion, u"protocol version 2"_qs, u"9"_qs});
    const OpsDecoded in = kClient.decode(OpsCodec::encode(e));
    QVERIFY(in.isOk());
    QCOMPARE(in.message().errorPayload().code, OpsErrorCode::UnsupportedVersion);
    QCOMPARE(in.message().errorPayload().message, u"protocol version 2"_qs);
    QCOMPARE(in.message().errorPayload().id, u"9"_qs);
    QCOMPARE(in.message().payload.toObject().value(u"supported").toArray(), QJsonArray{1});
    // A code this client does not know is a plain failure.
    const OpsDecoded future =
        kClient.decode(frame(R"({"v":1,"type":"error","payload":{"code":"quota_gone","message":"m"}})"));
    QVERIFY(future.isOk());
    QCOMPARE(future.message().errorPayload().code, OpsErrorCode::Internal);
  }

  void everyErrorCodeHasAStableName() {
    for (int c = 0; c <= static_cast<int>(OpsErrorCode::Internal); ++c) {
      const auto code = static_cast<OpsErrorCode>(c);
      const std::string_view name = opsErrorCodeName(code);
      QCOMPARE(parseOpsErrorCode(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()))), code);
    }
    QCOMPARE(opsErrorCodeName(OpsErrorCode::TooLarge), std::string_view("too_large"));
    QCOMPARE(opsErrorCodeName(OpsErrorCode::UnknownTopic), std::string_view("unknown_topic"));
  }

  void oversizedFrameIsRefusedUnparsed() {
    const OpsCodec small(OpsCodec::Side::Node, 64);
    QByteArray json = R"({"v":1,"type":"ping","id":"1"})";
    json.append(QByteArray(64 - json.size(), ' '));  // exactly at the limit: accepted
    QVERIFY(small.decode(json).isOk());
    json.append(' ');
    const OpsDecoded in = small.decode(json);
    QVERIFY(!in.isOk());
    QCOMPARE(in.error().code, OpsErrorCode::TooLarge);
    QVERIFY(in.error().id.isEmpty());  // not parsed, so no id to repeat
    QVERIFY2(in.error().message.contains(u"65 bytes") && in.error().message.contains(u"64"),
             qPrintable(in.error().message));
    QCOMPARE(kNode.maxFrameBytes(), qsizetype(1 << 20));
    const OpsDecoded big = kNode.decode(QByteArray((1 << 20) + 1, '{'));
    QCOMPARE(big.error().code, OpsErrorCode::TooLarge);
  }

  void badFramesGetTheDocumentedError_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("mentions");
    QTest::addColumn<QString>("id");
    auto row = [](const char *tag, const char *bytes, OpsErrorCode code, const char *mentions, const char *id = "") {
      QTest::newRow(tag) << QByteArray(bytes) << int(code) << QString::fromUtf8(mentions) << QString::fromUtf8(id);
    };
    // Not JSON, not an object.
    row("empty", "", OpsErrorCode::BadRequest, "not JSON");
    row("truncated", "{\"v\":1,\"type\":\"pi", OpsErrorCode::BadRequest, "not JSON");  // moc misreads it raw
    row("trailing garbage", R"({"v":1,"type":"ping","id":"1"} x)", OpsErrorCode::BadRequest, "not JSON");
    row("invalid utf-8", "{\"v\":1,\"type\":\"ping\",\"id\":\"\xff\xfe\"}", OpsErrorCode::BadRequest, "not JSON");
    row("array", "[1,2]", OpsErrorCode::BadRequest, "JSON object");
    row("string", R"("ping")", OpsErrorCode::BadRequest, "JSON object");
    // v
    row("missing v", R"({"type":"ping","id":"a"})", OpsErrorCode::BadRequest, "'v'", "a");
    row("v as string", R"({"v":"1","type":"ping","id":"a"})", OpsErrorCode::BadRequest, "'v' must be an integer", "a");
    row("v fractional", R"({"v":1.5,"type":"ping","id":"a"})", OpsErrorCode::BadRequest, "'v' must be an integer", "a");
    row("v 2", R"({"v":2,"type":"ping","id":"a"})", OpsErrorCode::UnsupportedVersion, "version 2", "a");
    row("v 0", R"({"v":0,"type":"ping","id":"a"})", OpsErrorCode::UnsupportedVersion, "version 0", "a");
    row("v before type", R"({"v":9,"type":"nonsense","id":"a"})", OpsErrorCode::UnsupportedVersion, "9", "a");
    // type
    row("missing type", R"({"v":1,"id":"a"})", OpsErrorCode::BadRequest, "'type'", "a");
    row("type as number", R"({"v":1,"type":3,"id":"a"})", OpsErrorCode::BadRequest, "'type' must be a string", "a");
    row("unknown type", R"({"v":1,"type":"subscribe_all","id":"a"})", OpsErrorCode::UnknownType, "'subscribe_all'",
        "a");
    row("type is case-sensitive", R"({"v":1,"type":"PING","id":"a"})", OpsErrorCode::UnknownType, "'PING'", "a");
    row("node type from a client", R"({"v":1,"type":"result","id":"a","payload":{}})", OpsErrorCode::BadRequest,
        "sent by the node", "a");
    // id
    row("auth without id", R"({"v":1,"type":"auth"})", OpsErrorCode::BadRequest, "auth needs field 'id'");
    row("subscribe without id", R"({"v":1,"type":"subscribe","topic":"node"})", OpsErrorCode::BadRequest,
        "subscribe needs field 'id'");
    row("unsubscribe without id", R"({"v":1,"type":"unsubscribe","topic":"node"})", OpsErrorCode::BadRequest,
        "unsubscribe needs field 'id'");
    row("command without id", R"({"v":1,"type":"command","name":"drain"})", OpsErrorCode::BadRequest,
        "command needs field 'id'");
    row("ping without id", R"({"v":1,"type":"ping"})", OpsErrorCode::BadRequest, "ping needs field 'id'");
    row("null id", R"({"v":1,"type":"ping","id":null})", OpsErrorCode::BadRequest, "ping needs field 'id'");
    row("numeric id", R"({"v":1,"type":"ping","id":7})", OpsErrorCode::BadRequest, "'id' must be a string");
    row("empty id", R"({"v":1,"type":"ping","id":""})", OpsErrorCode::BadRequest, "'id' must be a string");
    // topic, name
    row("subscribe without topic", R"({"v":1,"type":"subscribe","id":"a"})", OpsErrorCode::BadRequest,
        "subscribe needs field 'topic'", "a");
    row("topic as object", R"({"v":1,"type":"subscribe","id":"a","topic":{}})", OpsErrorCode::BadRequest,
        "'topic' must be a non-empty string", "a");
    row("empty topic", R"({"v":1,"type":"unsubscribe","id":"a","topic":""})", OpsErrorCode::BadRequest,
        "'topic' must be a non-empty string", "a");
    row("command without name", R"({"v":1,"type":"command","id":"a"})", OpsErrorCode::BadRequest,
        "command needs field 'name'", "a");
    row("name as array", R"({"v":1,"type":"command","id":"a","name":["drain"]})", OpsErrorCode::BadRequest,
        "'name' must be a non-empty string", "a");
    // payload
    row("auth payload string", R"({"v":1,"type":"auth","id":"a","payload":"lmf_x"})", OpsErrorCode::BadRequest,
        "'payload' must be an object", "a");
    row("auth key number", R"({"v":1,"type":"auth","id":"a","payload":{"key":12}})", OpsErrorCode::BadRequest,
        "'payload.key' must be a string", "a");
    row("command args array", R"({"v":1,"type":"command","id":"a","name":"drain","payload":[]})",
        OpsErrorCode::BadRequest, "'payload' must be an object", "a");
    row("subscribe options number", R"({"v":1,"type":"subscribe","id":"a","topic":"metrics","payload":5})",
        OpsErrorCode::BadRequest, "'payload' must be an object", "a");
  }

  void badFramesGetTheDocumentedError() {
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(QString, mentions);
    QFETCH(QString, id);
    const OpsDecoded in = kNode.decode(bytes);
    QVERIFY(!in.isOk());
    QCOMPARE(opsErrorCodeName(in.error().code), opsErrorCodeName(static_cast<OpsErrorCode>(code)));
    QVERIFY2(in.error().message.contains(mentions), qPrintable(in.error().message));
    QCOMPARE(in.error().id, id);
    // The error itself is a well-formed frame a client decodes, repeating the id.
    const OpsDecoded answer = kClient.decode(OpsCodec::encode(OpsMessage::error(in.error())));
    QVERIFY(answer.isOk());
    QCOMPARE(answer.message().type, OpsType::Error);
    QCOMPARE(answer.message().id, id);
  }

  void clientSideChecksNodeFrames_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("client type") << QByteArray(R"({"v":1,"type":"auth","id":"1"})") << u"sent by a client"_qs;
    QTest::newRow("result without id") << QByteArray(R"({"v":1,"type":"result","payload":1})")
                                       << u"result needs field 'id'"_qs;
    QTest::newRow("pong without id") << QByteArray(R"({"v":1,"type":"pong"})") << u"pong needs field 'id'"_qs;
    QTest::newRow("delta without seq") << QByteArray(R"({"v":1,"type":"delta","topic":"node","payload":{}})")
                                       << u"delta needs field 'seq'"_qs;
    QTest::newRow("negative seq") << QByteArray(R"({"v":1,"type":"delta","topic":"node","payload":{},"seq":-1})")
                                  << u"'seq' must be a non-negative integer"_qs;
    QTest::newRow("seq as string") << QByteArray(R"({"v":1,"type":"snapshot","topic":"n","payload":{},"seq":"1"})")
                                   << u"'seq' must be a non-negative integer"_qs;
    QTest::newRow("snapshot without payload")
        << QByteArray(R"({"v":1,"type":"snapshot","topic":"n","seq":0})") << u"snapshot needs field 'payload'"_qs;
    QTest::newRow("delta payload array") << QByteArray(R"({"v":1,"type":"delta","topic":"n","seq":0,"payload":[]})")
                                         << u"'payload' must be an object"_qs;
    QTest::newRow("error without code") << QByteArray(R"({"v":1,"type":"error","payload":{"message":"m"}})")
                                        << u"error needs field 'payload.code'"_qs;
    QTest::newRow("error message number") << QByteArray(R"({"v":1,"type":"error","payload":{"code":"x","message":1}})")
                                          << u"'payload.message' must be a string"_qs;
  }

  void clientSideChecksNodeFrames() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, mentions);
    const OpsDecoded in = kClient.decode(bytes);
    QVERIFY(!in.isOk());
    QCOMPARE(in.error().code, OpsErrorCode::BadRequest);
    QVERIFY2(in.error().message.contains(mentions), qPrintable(in.error().message));
  }

  void unknownAndUnusedFieldsAreIgnored() {
    // Unknown fields at the top and in payloads; fields the type does not use, of any type.
    const OpsDecoded in = kNode.decode(frame(
        R"({"v":1,"type":"ping","id":"p","topic":5,"name":[],"seq":"x","extra":{"deep":[1]},"payload":{"later":true}})"));
    QVERIFY2(in.isOk(), in.isOk() ? "" : qPrintable(in.error().message));
    QVERIFY(in.message().topic.isEmpty());
    QVERIFY(in.message().name.isEmpty());
    QCOMPARE(in.message().seq, qint64(-1));
    QCOMPARE(in.message().payload.toObject().value(u"later").toBool(), true);
    const OpsDecoded auth = kNode.decode(frame(R"({"v":1,"type":"auth","id":"a","payload":{"key":"k","mfa":1}})"));
    QVERIFY(auth.isOk());
    QCOMPARE(auth.message().payload.toObject().value(u"key").toString(), u"k"_qs);
    // unsubscribe ignores its payload whatever it holds
    const OpsDecoded un = kNode.decode(frame(R"({"v":1,"type":"unsubscribe","id":"u","topic":"node","payload":7})"));
    QVERIFY(un.isOk());
    QVERIFY(un.message().payload.isUndefined());
  }

  void nullCountsAsAbsentAndIntegralDoublesAreIntegers() {
    const OpsDecoded in = kNode.decode(frame(R"({"v":1.0,"type":"auth","id":"a","payload":null})"));
    QVERIFY(in.isOk());
    QVERIFY(in.message().payload.isUndefined());
    const OpsDecoded key = kNode.decode(frame(R"({"v":1,"type":"auth","id":"a","payload":{"key":null}})"));
    QVERIFY(key.isOk());
  }

  void idIsRepeatedOnlyWhenValid() {
    const QByteArray longId = "{\"v\":1,\"type\":\"ping\",\"id\":\"" + QByteArray(129, 'x') + "\"}";
    const OpsDecoded in = kNode.decode(longId);
    QVERIFY(!in.isOk());
    QVERIFY(in.error().message.contains(u"1 to 128"));
    QVERIFY(in.error().id.isEmpty());
    const QByteArray maxId = "{\"v\":1,\"type\":\"ping\",\"id\":\"" + QByteArray(128, 'x') + "\"}";
    QVERIFY(kNode.decode(maxId).isOk());
  }

  void quotedInputInErrorsIsBounded() {
    const QByteArray bytes = "{\"v\":1,\"type\":\"" + QByteArray(100'000, 'q') + "\",\"id\":\"1\"}";
    const OpsDecoded in = kNode.decode(bytes);
    QCOMPARE(in.error().code, OpsErrorCode::UnknownType);
    QVERIFY2(in.error().message.size() < 300, qPrintable(QString::number(in.error().message.size())));
    QVERIFY(in.error().message.contains(u"auth, subscribe, unsubscribe, command or ping"));
  }

  void statusCodesMapToErrorCodes() {
    using lmfront::Status;
    QCOMPARE(opsErrorCodeFor(Status::invalidArgument("x")), OpsErrorCode::BadRequest);
    QCOMPARE(opsErrorCodeFor(Status::notFound("x")), OpsErrorCode::NotFound);
    QCOMPARE(opsErrorCodeFor(Status::alreadyExists("x")), OpsErrorCode::Conflict);
    QCOMPARE(opsErrorCodeFor(Status::permissionDenied("x")), OpsErrorCode::Forbidden);
    QCOMPARE(opsErrorCodeFor(Status::unauthenticated("x")), OpsErrorCode::Unauthenticated);
    QCOMPARE(opsErrorCodeFor(Status::resourceExhausted("x")), OpsErrorCode::Overloaded);
    QCOMPARE(opsErrorCodeFor(Status::failedPrecondition("x")), OpsErrorCode::FailedPrecondition);
    QCOMPARE(opsErrorCodeFor(Status::unavailable("x")), OpsErrorCode::Unavailable);
    QCOMPARE(opsErrorCodeFor(Status::deadlineExceeded("x")), OpsErrorCode::Timeout);
    QCOMPARE(opsErrorCodeFor(Status::cancelled("x")), OpsErrorCode::Cancelled);
    QCOMPARE(opsErrorCodeFor(Status::unimplemented("x")), OpsErrorCode::Unimplemented);
    QCOMPARE(opsErrorCodeFor(Status::dataLoss("x")), OpsErrorCode::Internal);
    QCOMPARE(opsErrorCodeFor(Status::ioError("x")), OpsErrorCode::Internal);
    QCOMPARE(opsErrorCodeFor(Status::internal("x")), OpsErrorCode::Internal);
    const OpsError e = OpsError::fromStatus(Status::notFound("no pool 'x'"), u"7"_qs);
    QCOMPARE(e.message, u"no pool 'x'"_qs);
    QCOMPARE(e.id, u"7"_qs);
  }

  // Mutations and truncations of valid frames: whatever comes in, decode answers (a message or an
  // error with a message) and a re-encoded message decodes to the same thing.
  void mutatedFramesAlwaysGetAnAnswer() {
    const QList<QByteArray> seeds{
        R"({"v":1,"type":"auth","id":"1","payload":{"key":"lmf_abc"}})",
        R"({"v":1,"type":"subscribe","id":"2","topic":"metrics","payload":{"history_s":120}})",
        R"({"v":1,"type":"command","id":"3","name":"set_pools","payload":{"pools":{"e":{"backends":[]}}}})",
        R"({"v":1,"type":"ping","id":"4","payload":[1,2.5,"x",null,true]})",
        R"({"v":1,"type":"unsubscribe","id":"5","topic":"node"})",
    };
    QRandomGenerator rng(20261206);
    int decoded = 0;
    for (const QByteArray &seed : seeds) {
      for (qsizetype cut = 0; cut <= seed.size(); ++cut) {
        const OpsDecoded in = kNode.decode(QByteArrayView(seed).first(cut));
        QVERIFY(in.isOk() || !in.error().message.isEmpty());
        decoded += in.isOk();
      }
      for (int round = 0; round < 2000; ++round) {
        QByteArray bytes = seed;
        const int edits = 1 + static_cast<int>(rng.bounded(4));
        for (int e = 0; e < edits; ++e) {
          const auto at = static_cast<qsizetype>(rng.bounded(static_cast<quint32>(bytes.size())));
          switch (rng.bounded(3)) {
          case 0: bytes[at] = static_cast<char>(rng.bounded(256)); break;
          case 1: bytes.remove(at, 1); break;
          default: bytes.insert(at, static_cast<char>(rng.bounded(256))); break;
          }
          if (bytes.isEmpty()) bytes = "{";
        }
        const OpsDecoded in = kNode.decode(bytes);
        if (!in.isOk()) {
          QVERIFY(!in.error().message.isEmpty());
          continue;
        }
        ++decoded;
        const OpsDecoded again = kNode.decode(OpsCodec::encode(in.message()));
        QVERIFY(again.isOk());
        QCOMPARE(again.message().type, in.message().type);
        QCOMPARE(again.message().id, in.message().id);
        QCOMPARE(again.message().payload, in.message().payload);
      }
    }
    QVERIFY(decoded >= static_cast<int>(seeds.size()));  // at least the untouched seeds decoded
  }
};

QTEST_GUILESS_MAIN(TestOpsCodec)
#include "tst_opscodec.moc"
