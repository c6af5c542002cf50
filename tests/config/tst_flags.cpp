// Flags: one table gives the parser and the usage text; every error names the flag.
#include "config/flags.h"

#include <QtTest>

using namespace lmfront::config;

namespace {
constexpr FlagSpec kTable[] = {
    flag("listen", "ADDR:PORT", "where to listen").lastWins().overrides("listen").byDefault("127.0.0.1:8080"),
    flag("model", "NAME=PATH", "serve a model").repeatable(),
    flag("order", "N", "n-gram order"),
    flag("memory", "SIZE", "budget"),
    switchFlag("json", "JSON output"),
};

lmfront::Result<ParsedFlags> parse(std::vector<std::string> args, ParseOptions options = {}) {
  return parseFlags(kTable, args, options);
}
QString message(const lmfront::Status &s) { return QString::fromStdString(s.message()); }
}  // namespace

class TstFlags : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void formsOfValues() {
    auto f = parse({"--listen", ":1", "--model=a=/x", "pos", "--json", "--model", "b=/y", "--", "--order"});
    QVERIFY2(f.isOk(), f.status().message().c_str());
    QCOMPARE(f->value("listen"), std::string(":1"));
    QCOMPARE(f->values("model"), (std::vector<std::string>{"a=/x", "b=/y"}));
    QVERIFY(f->has("json"));
    QVERIFY(!f->has("order"));
    QCOMPARE(f->positionals(), (std::vector<std::string>{"pos", "--order"}));
    QCOMPARE(f->inOrder().size(), std::size_t(4));
    QCOMPARE(f->inOrder()[1].spec->name, std::string_view("model"));
  }

  void repeatRules() {
    auto last = parse({"--listen", ":1", "--json", "--listen", ":2"});
    QVERIFY(last.isOk());
    QCOMPARE(last->value("listen"), std::string(":2"));
    QCOMPARE(last->inOrder().back().spec->name, std::string_view("listen"));  // at its last place
    QCOMPARE(last->inOrder().size(), std::size_t(2));
    QCOMPARE(message(parse({"--order", "1", "--order=2"}).status()), u"flag --order given more than once"_qs);
  }

  void errorsNameTheFlag_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<bool>("positionals");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown") << QStringList{u"--listne=x"_qs} << true << u"unknown flag --listne"_qs;
    QTest::newRow("no value") << QStringList{u"--listen"_qs} << true << u"flag --listen needs a value"_qs;
    QTest::newRow("switch value") << QStringList{u"--json=1"_qs} << true << u"flag --json takes no value"_qs;
    QTest::newRow("single dash") << QStringList{u"-x"_qs} << false << u"unknown flag -x"_qs;
    QTest::newRow("positional") << QStringList{u"serve"_qs} << false << u"unexpected argument 'serve'"_qs;
  }
  void errorsNameTheFlag() {
    QFETCH(QStringList, args);
    QFETCH(bool, positionals);
    QFETCH(QString, expected);
    std::vector<std::string> list;
    for (const QString &a : args) list.push_back(a.toStdString());
    auto f = parse(list, ParseOptions{positionals});
    QVERIFY(!f.isOk());
    QCOMPARE(f.status().code(), lmfront::StatusCode::InvalidArgument);
    QCOMPARE(message(f.status()), expected);
  }

  void dashIsAPositional() {
    auto f = parse({"-", "-h"});
    QVERIFY(f.isOk());
    QCOMPARE(f->positionals(), (std::vector<std::string>{"-", "-h"}));
  }

  void conversionsNameTheFlag() {
    auto f = parse({"--order", "x", "--memory", "2Q"});
    QVERIFY(f.isOk());
    QCOMPARE(message(f->integer("order", 3).status()), u"flag --order: 'x' is not an integer"_qs);
    QCOMPARE(message(f->number("order", 3).status()), u"flag --order: 'x' is not a number"_qs);
    QVERIFY(message(f->byteSize("memory", 1).status()).startsWith(u"flag --memory: '2Q': unknown size suffix"_qs));
    QCOMPARE(message(f->require({"json"})), u"missing required flag --json"_qs);
    auto g = parse({"--memory", "512M"});
    QCOMPARE(*g->byteSize("memory", 1), std::uint64_t(512) << 20);
    QCOMPARE(*g->integer("order", 3), std::int64_t(3));
  }

  void usageComesFromTheTable() {
    const std::string usage = flagUsage(kTable);
    QCOMPARE(QString::fromStdString(usage).split(u'\n', Qt::SkipEmptyParts).size(), 5);
    QVERIFY(usage.find("  --listen ADDR:PORT   where to listen (default 127.0.0.1:8080)\n") != std::string::npos);
    QVERIFY(usage.find("  --model NAME=PATH    serve a model; repeatable\n") != std::string::npos);
    QVERIFY(usage.find("  --json               JSON output\n") != std::string::npos);
    QCOMPARE(flagSynopsis(kTable[4]), std::string("--json"));
  }
};

QTEST_APPLESS_MAIN(TstFlags)
#include "tst_flags.moc"
