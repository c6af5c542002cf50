// ServiceStack: services start in order, drain and stop in reverse, and a failed start stops
// what was started before it and returns its Status.
#include "node/service.h"

#include <QtTest>

#include <string>
#include <vector>

using namespace lmfront;
using namespace lmfront::node;

namespace {

class Recorded final : public Service {
public:
  Recorded(std::string name, std::vector<std::string> &log, Status startWith = Status::ok(), bool drains = true)
      : m_name(std::move(name)), m_log(log), m_start(std::move(startWith)), m_drains(drains) {}
  std::string_view name() const override { return m_name; }
  Status start() override {
    m_log.push_back("start " + m_name);
    if (m_start.isOk()) m_state = Health::State::Serving;
    return m_start;
  }
  bool drain(std::chrono::milliseconds) override {
    m_log.push_back("drain " + m_name);
    m_state = Health::State::Draining;
    return m_drains;
  }
  void stop() override {
    m_log.push_back("stop " + m_name);
    m_state = Health::State::Stopped;
  }
  Health health() const override { return {m_state, {}}; }

private:
  std::string m_name;
  std::vector<std::string> &m_log;
  Status m_start;
  bool m_drains;
  Health::State m_state = Health::State::Stopped;
};

using Log = std::vector<std::string>;

}  // namespace

class TstServiceStack : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void startsInOrderDrainsAndStopsInReverse() {
    Log log;
    ServiceStack stack;
    stack.add(std::make_unique<Recorded>("catalog", log));
    stack.add(std::make_unique<Recorded>("gateway", log));
    stack.add(std::make_unique<Recorded>("ops", log));
    QVERIFY(stack.startAll().isOk());
    for (const auto &s : stack.services()) QCOMPARE(s->health().state, Health::State::Serving);
    QVERIFY(stack.drainAll(std::chrono::seconds(1)));
    stack.stopAll();
    QCOMPARE(log, (Log{"start catalog", "start gateway", "start ops", "drain ops", "drain gateway", "drain catalog",
                       "stop ops", "stop gateway", "stop catalog"}));
    stack.stopAll();  // idempotent: nothing is running any more
    QCOMPARE(log.size(), std::size_t{9});
  }

  void failedStartStopsWhatStartedAndReturnsTheStatus() {
    Log log;
    ServiceStack stack;
    stack.add(std::make_unique<Recorded>("catalog", log));
    stack.add(std::make_unique<Recorded>("gateway", log));
    stack.add(std::make_unique<Recorded>("ops", log, Status::ioError("port 8080 in use")));
    stack.add(std::make_unique<Recorded>("discovery", log));
    const Status started = stack.startAll();
    QCOMPARE(started.code(), StatusCode::IoError);
    QCOMPARE(started.message(), std::string("port 8080 in use"));
    QCOMPARE(log, (Log{"start catalog", "start gateway", "start ops", "stop gateway", "stop catalog"}));
    QVERIFY(stack.drainAll(std::chrono::seconds(1)));  // nothing runs: nothing to drain
    stack.stopAll();
    QCOMPARE(log.size(), std::size_t{5});
  }

  void drainReportsAnyServiceThatDidNotFinish() {
    Log log;
    ServiceStack stack;
    stack.add(std::make_unique<Recorded>("catalog", log));
    stack.add(std::make_unique<Recorded>("gateway", log, Status::ok(), false));
    QVERIFY(stack.startAll().isOk());
    QVERIFY(!stack.drainAll(std::chrono::seconds(1)));
    QCOMPARE(log.back(), std::string("drain catalog"));  // the others still drain
  }

  void healthStateNames() {
    QCOMPARE(healthStateName(Health::State::Serving), std::string_view("serving"));
    QCOMPARE(healthStateName(Health::State::Draining), std::string_view("draining"));
  }
};

QTEST_APPLESS_MAIN(TstServiceStack)
#include "tst_servicestack.moc"
