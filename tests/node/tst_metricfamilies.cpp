// The metric families a node exposes on /metrics — name, type, label names (of the families that
// have series after one cache miss and one hit) and help — compared
// with tests/node/metricfamilies.golden. Dashboards, alert rules and outside scrapers depend on
// these, so a change to any of them must be deliberate: regenerate the file with
// LMFRONT_UPDATE_GOLDEN=1 and review the diff (and docs/metrics.md) before committing it.
#include "../support/fakehttp.h"
#include "../support/tinymodel.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "node/node.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace lmfront;
using testing::rawRequest;

namespace {

struct FamilyLine {
  std::string type;
  std::string help;
  std::set<std::string> labels;
  bool sampled = false;  // label names are only visible on a family's samples
};

// Family name of a sample: histogram samples carry _bucket/_sum/_count after the family's name.
std::string familyOf(const std::string &sample, const std::map<std::string, FamilyLine> &families) {
  if (families.count(sample)) return sample;
  for (const char *suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
      const std::string base = sample.substr(0, sample.size() - s.size());
      if (families.count(base)) return base;
    }
  }
  return {};
}

// Label names of one sample line (values are skipped, escapes included).
std::set<std::string> labelNames(const std::string &line) {
  std::set<std::string> names;
  const auto open = line.find('{');
  if (open == std::string::npos || line.find(' ') < open) return names;
  std::size_t i = open + 1;
  while (i < line.size() && line[i] != '}') {
    const auto eq = line.find('=', i);
    if (eq == std::string::npos) break;
    const std::string name = line.substr(i, eq - i);
    if (name != "le") names.insert(name);
    i = eq + 2;  // past ="
    while (i < line.size() && line[i] != '"') i += line[i] == '\\' ? 2 : 1;
    i += 1;  // closing quote
    if (i < line.size() && line[i] == ',') ++i;
  }
  return names;
}

std::string describe(const std::string &exposition) {
  std::map<std::string, FamilyLine> families;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      const auto space = line.find(' ', 7);
      families[line.substr(7, space - 7)].help = line.substr(space + 1);
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const auto space = line.find(' ', 7);
      families[line.substr(7, space - 7)].type = line.substr(space + 1);
    } else if (!line.empty() && line[0] != '#') {
      const auto end = line.find_first_of("{ ");
      const std::string family = familyOf(line.substr(0, end), families);
      if (family.empty()) continue;
      families[family].labels.merge(labelNames(line));
      families[family].sampled = true;
    }
  }
  std::string out;
  for (const auto &[name, f] : families) {
    out += name + ' ' + f.type + ' ';
    if (f.sampled) {
      out += '{';
      bool first = true;
      for (const auto &l : f.labels) {
        out += (first ? "" : ",") + l;
        first = false;
      }
      out += '}';
    } else {
      out += "(no series)";
    }
    out += ' ' + f.help + '\n';
  }
  return out;
}

}  // namespace

class TstMetricFamilies : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

private Q_SLOTS:
  void familiesMatchTheGoldenList() {
    QVERIFY(m_dir.isValid());
    const QString model = testing::trainTinyModel(m_dir.path());
    QVERIFY(!model.isEmpty());
    node::NodeConfig c;
    c.listenPort = 0;
    c.workers = 1;
    c.dataDir = m_dir.path() + QStringLiteral("/data");
    c.models.push_back({QStringLiteral("tiny"), model});
    ManualClock clock;
    RecordingEventSink events;
    node::Node node(c, clock, events);
    const Status started = node.start();
    QVERIFY2(started.isOk(), started.toString().c_str());

    // One miss and one hit, so the request and cache families carry series and show their labels.
    const std::string body = "{\"model\":\"tiny\",\"prompt\":\"the cat\",\"max_tokens\":3,\"seed\":1}";
    QCOMPARE(rawRequest(node.port(), "POST", "/v1/completions", body).status, 200);
    QCOMPARE(rawRequest(node.port(), "POST", "/v1/completions", body).status, 200);
    // A response's metrics are recorded after its last byte went out: scrape until they are in.
    testing::RawReply scraped;
    for (int attempt = 0; attempt < 100; ++attempt) {
      scraped = rawRequest(node.port(), "GET", "/metrics");
      if (scraped.body.find("lmfront_tokens_out_total{") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    QCOMPARE(scraped.status, 200);
    QCOMPARE(scraped.header("content-length"), std::to_string(scraped.body.size()));
    const std::string actual = describe(scraped.body);
    QVERIFY(!actual.empty());
    node.shutdown();

    const QString goldenPath =
        qEnvironmentVariable("LMFRONT_SOURCE_DIR") + QStringLiteral("/tests/node/metricfamilies.golden");
    if (qEnvironmentVariableIsSet("LMFRONT_UPDATE_GOLDEN")) {
      QFile out(goldenPath);
      QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
      out.write(actual.data(), static_cast<qint64>(actual.size()));
      QSKIP("golden file rewritten; review the diff");
    }
    QFile golden(goldenPath);
    QVERIFY2(golden.open(QIODevice::ReadOnly), qPrintable(goldenPath));
    const std::string expected = golden.readAll().toStdString();
    if (actual != expected) {
      // QtTest truncates long messages: print the family list whole, then fail.
      std::fprintf(stderr, "--- actual /metrics families ---\n%s", actual.c_str());
      QFAIL(
          "/metrics families differ from tests/node/metricfamilies.golden (above); if deliberate, rerun with "
          "LMFRONT_UPDATE_GOLDEN=1 and review the diff");
    }
  }
};

QTEST_GUILESS_MAIN(TstMetricFamilies)
#include "tst_metricfamilies.moc"
