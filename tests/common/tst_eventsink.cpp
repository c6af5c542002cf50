// EventSink: the stderr line format and the recording sink's bounded memory.
#include "common/eventsink.h"

#include <QtTest>

#include <thread>

using namespace lmfront;

class TstEventSink : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void stderrLineNamesLevelComponentAndFields() {
    Event e;
    e.level = EventLevel::Error;
    e.component = "gateway";
    e.message = "skipping model: bad magic";
    e.fields = {{"model", "english"}, {"path", "/tmp/a b.lmb"}, {"note", "two\nlines"}};
    QCOMPARE(StderrEventSink::format(e), std::string("lmfront error [gateway] skipping model: bad magic model=english "
                                                     "path=\"/tmp/a b.lmb\" note=\"two lines\"\n"));
  }

  void recordingKeepsTheNewestAndCountsWhatItDropped() {
    RecordingEventSink sink(3);
    for (int i = 0; i < 5; ++i)
      sink.report(EventLevel::Info, "node", "event " + std::to_string(i), {{"i", std::to_string(i)}});
    const auto kept = sink.events();
    QCOMPARE(kept.size(), std::size_t{3});
    QCOMPARE(kept.front().message, std::string("event 2"));
    QCOMPARE(*kept.back().field("i"), std::string("4"));
    QVERIFY(kept.back().field("missing") == nullptr);
    QCOMPARE(sink.dropped(), std::uint64_t{2});
    QVERIFY(kept.front().at.time_since_epoch().count() != 0);
    const auto later = sink.since(kept[1].sequence);
    QCOMPARE(later.size(), std::size_t{1});
    QCOMPARE(later.front().message, std::string("event 4"));
  }

  void recordingIsThreadSafe() {
    RecordingEventSink sink(10'000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&sink] {
        for (int i = 0; i < 500; ++i) sink.report(EventLevel::Debug, "t", "x");
      });
    for (auto &t : threads) t.join();
    const auto all = sink.events();
    QCOMPARE(all.size(), std::size_t{2000});
    for (std::size_t i = 1; i < all.size(); ++i) QVERIFY(all[i].sequence == all[i - 1].sequence + 1);
  }
};

QTEST_APPLESS_MAIN(TstEventSink)
#include "tst_eventsink.moc"
