// AlertEvaluator on a ManualClock: every state transition, `for`, `keep_firing_for`, flapping,
// one alert per label set, vanished series, and rule reloads that keep unchanged rules' state.
// The values come from a scripted source: the test decides what each rule selects at each tick.
#include "alerting/alertevaluator.h"

#include <QtTest>

using namespace lmfront;
using namespace lmfront::alerting;
using namespace std::chrono_literals;

namespace {

class ScriptedSource final : public SeriesSource {
public:
  std::map<std::string, std::vector<std::pair<Labels, double>>> values;  // by rule name
  std::vector<std::pair<Labels, double>> evaluate(const AlertRule &rule, Clock::TimePoint) const override {
    auto it = values.find(rule.name);
    return it == values.end() ? std::vector<std::pair<Labels, double>>{} : it->second;
  }
};

AlertRule rule(std::string name, std::chrono::milliseconds forDuration = 0ms, std::chrono::milliseconds keep = 0ms) {
  AlertRule r;
  r.name = std::move(name);
  r.selector.metric = "lmfront_requests_total";
  r.op = Comparison::Greater;
  r.threshold = 10;
  r.forDuration = forDuration;
  r.keepFiringFor = keep;
  r.severity = Severity::Critical;
  r.labels = {{"team", "serving"}};
  r.summary = "{{ $labels.model }} at {{ $value }}";
  return r;
}

const Labels kA{{"model", "a"}};
const Labels kB{{"model", "b"}};

std::vector<std::pair<AlertState, AlertState>> changes(const std::vector<Transition> &ts) {
  std::vector<std::pair<AlertState, AlertState>> out;
  for (const auto &t : ts) out.emplace_back(t.from, t.alert.state);
  return out;
}

using Change = std::pair<AlertState, AlertState>;
using Changes = std::vector<Change>;
constexpr auto Inactive = AlertState::Inactive;
constexpr auto Pending = AlertState::Pending;
constexpr auto Firing = AlertState::Firing;
constexpr auto Resolved = AlertState::Resolved;

}  // namespace

class TstAlertEvaluator : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void pendingThenFiringAfterFor() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("high", 2min)});
    QVERIFY(ev.evaluate(source, clock.now()).empty());  // nothing selected: nothing happens

    source.values["high"] = {{kA, 11}};
    auto t = ev.evaluate(source, clock.now());
    QCOMPARE(changes(t), (Changes{{Inactive, Pending}}));
    const Alert pending = t[0].alert;
    QCOMPARE(pending.rule, std::string("high"));
    QCOMPARE(pending.labels, (Labels{{"model", "a"}, {"team", "serving"}}));
    QCOMPARE(pending.summary, std::string("a at 11"));
    QCOMPARE(pending.id.size(), 16u);

    clock.advance(119s);
    QVERIFY(ev.evaluate(source, clock.now()).empty());  // still pending: `for` not over
    QCOMPARE(ev.active().size(), 1u);
    QVERIFY(ev.active()[0].state == Pending);

    clock.advance(1s);
    source.values["high"] = {{kA, 12}};
    t = ev.evaluate(source, clock.now());
    QCOMPARE(changes(t), (Changes{{Pending, Firing}}));
    QCOMPARE(t[0].alert.id, pending.id);  // the same alert, now firing
    QCOMPARE(t[0].alert.value, 12.0);
    QVERIFY(t[0].alert.firingSince == clock.now());

    source.values["high"] = {{kA, 3}};
    clock.advance(1s);
    t = ev.evaluate(source, clock.now());
    QCOMPARE(changes(t), (Changes{{Firing, Resolved}}));
    QCOMPARE(t[0].alert.value, 3.0);
    QVERIFY(ev.active().empty());
  }

  void zeroForFiresAtOnce() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("now")});
    source.values["now"] = {{kA, 50}};
    QCOMPARE(changes(ev.evaluate(source, clock.now())), (Changes{{Inactive, Firing}}));
  }

  void pendingThatStopsGoesInactive() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("flap", 1min)});
    source.values["flap"] = {{kA, 11}};
    const auto first = ev.evaluate(source, clock.now());
    // Flapping below `for`: never fires, each episode a new alert.
    for (int i = 0; i < 5; ++i) {
      clock.advance(20s);
      source.values["flap"] = {{kA, 1}};
      QCOMPARE(changes(ev.evaluate(source, clock.now())), (Changes{{Pending, Inactive}}));
      clock.advance(20s);
      source.values["flap"] = {{kA, 11}};
      const auto again = ev.evaluate(source, clock.now());
      QCOMPARE(changes(again), (Changes{{Inactive, Pending}}));
      QVERIFY(again[0].alert.id != first[0].alert.id);
    }
  }

  void keepFiringForBridgesGaps() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("sticky", 0ms, 30s)});
    source.values["sticky"] = {{kA, 20}};
    QCOMPARE(changes(ev.evaluate(source, clock.now())), (Changes{{Inactive, Firing}}));
    source.values["sticky"] = {{kA, 0}};
    clock.advance(29s);
    QVERIFY(ev.evaluate(source, clock.now()).empty());  // below, but within keep_firing_for
    source.values["sticky"] = {{kA, 20}};               // back above: the gap is bridged
    clock.advance(1s);
    QVERIFY(ev.evaluate(source, clock.now()).empty());
    source.values["sticky"] = {};  // the series vanished: not met either
    clock.advance(29s);
    QVERIFY(ev.evaluate(source, clock.now()).empty());
    clock.advance(1s);
    const auto t = ev.evaluate(source, clock.now());
    QCOMPARE(changes(t), (Changes{{Firing, Resolved}}));
    QCOMPARE(t[0].alert.value, 20.0);  // the last value seen
  }

  void oneAlertPerLabelSet() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("each")});
    source.values["each"] = {{kA, 11}, {kB, 5}};
    auto t = ev.evaluate(source, clock.now());
    QCOMPARE(t.size(), 1u);
    QCOMPARE(t[0].alert.labels[0], (std::pair<std::string, std::string>{"model", "a"}));
    source.values["each"] = {{kA, 11}, {kB, 15}};
    clock.advance(1s);
    t = ev.evaluate(source, clock.now());
    QCOMPARE(t.size(), 1u);
    QCOMPARE(t[0].alert.labels[0].second, std::string("b"));
    QCOMPARE(ev.active().size(), 2u);
    QVERIFY(ev.active()[0].id != ev.active()[1].id);
  }

  void nanNeverMeetsACondition() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    AlertRule low = rule("low");
    low.op = Comparison::Less;
    ev.setRules({low});
    source.values["low"] = {{kA, std::nan("")}};
    QVERIFY(ev.evaluate(source, clock.now()).empty());
  }

  void reloadKeepsUnchangedRulesAndEndsOthers() {
    ManualClock clock;
    ScriptedSource source;
    AlertEvaluator ev;
    ev.setRules({rule("kept", 1min), rule("changed"), rule("removed")});
    source.values = {{"kept", {{kA, 11}}}, {"changed", {{kA, 11}}}, {"removed", {{kA, 11}}}};
    QCOMPARE(ev.evaluate(source, clock.now()).size(), 3u);
    const std::string keptId = ev.active()[0].id;

    AlertRule changed = rule("changed");
    changed.threshold = 100;
    AlertRule kept = rule("kept", 1min);
    kept.line = 40;  // moved in the file: still the same rule
    ev.setRules({kept, changed});
    clock.advance(1s);
    const auto t = ev.evaluate(source, clock.now());
    // The old alerts of "changed" and "removed" end (both were firing); "kept" stays pending.
    QCOMPARE(changes(t), (Changes{{Firing, Resolved}, {Firing, Resolved}}));
    QCOMPARE(ev.active().size(), 1u);
    QCOMPARE(ev.active()[0].id, keptId);
    clock.advance(59s);
    QCOMPARE(changes(ev.evaluate(source, clock.now())), (Changes{{Pending, Firing}}));  // `for` counted from before
  }
};

QTEST_APPLESS_MAIN(TstAlertEvaluator)
#include "tst_alertevaluator.moc"
