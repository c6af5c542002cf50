// `lmfront alerts [rules [apply FILE] | ack ID | silence | history | summary] --node URL`: a
// node's alerts over its ops API (docs/alerting.md, "From the command line"). Each subverb is
// one ops command (the `alerts` topic's snapshot for the active list) through client::OpsClient,
// the client the console uses; --json prints the stable shapes of docs/alerting.md, else a table.
// Exit 0 on success, 1 when the node refuses or cannot be reached, 2 for usage.
#include "commandregistry.h"
#include "opsverb.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace {

using namespace lmfront;
using namespace lmfront::cli;

constexpr config::FlagSpec kFlags[] = {
    cli::kNodeFlag,
    cli::kKeyFlag,
    cli::kCaFileFlag,
    config::switchFlag("json", "print JSON (the stable shapes of docs/alerting.md) instead of a table"),
    config::flag("comment", "TEXT", "ack, silence: a comment kept with it"),
    config::flag("match", "LABEL=REGEX", "silence: a matcher (regex over the whole value); repeatable").repeatable(),
    config::flag("for", "DURATION", "silence: how long, e.g. 2h, 30m"),
    config::flag("since", "TIME", "history, summary: from (ISO 8601, or back from now: 24h, 7d)")
        .byDefault("history: the beginning; summary: 7d"),
    config::flag("until", "TIME", "history: until (exclusive)").byDefault("now"),
    config::flag("severity", "S", "history: critical, warning or info"),
    config::flag("rule", "R", "history: a rule name"),
    config::flag("model", "M", "history: a model"),
    config::flag("state", "S", "history: pending, firing, resolved, inactive, acknowledged, silenced, expired"),
    config::flag("text", "T", "history: a substring of the rule, labels, summary or comment"),
    config::flag("format", "json|csv", "history: the output format").byDefault("a table; json with --json"),
    config::switchFlag("help", "print this help"),
};

std::string usage() {
  return cli::usageText(
      "alerts [SUBCOMMAND] --node URL [flags]", kFlags,
      "Subcommands:\n"
      "  (none)              the active alerts\n"
      "  rules               the alert rules\n"
      "  rules apply FILE    replace the rules with a rules file (checked whole first)\n"
      "  ack ID              acknowledge an active alert [--comment TEXT]\n"
      "  silence             mute matching alerts: --match LABEL=REGEX... --for DURATION [--comment TEXT]\n"
      "  history             the alert history, oldest first [--since --until --severity --rule --model\n"
      "                      --state --text --format json|csv]\n"
      "  summary             alerts per day by severity, MTTA, MTTR, noisiest rules [--since TIME]\n"
      "Give the key through $LMFRONT_API_KEY to keep it out of the process list.\n");
}

QString labelsText(const QJsonObject &labels) {
  QStringList parts;
  for (auto it = labels.begin(); it != labels.end(); ++it) parts << it.key() + u'=' + it.value().toString();
  return parts.join(u',');
}

Result<cli::OpsRequest> buildRequest(const config::ParsedFlags &args) {
  const auto &pos = args.positionals();
  const std::string sub = pos.empty() ? std::string() : pos[0];
  const bool json = args.has("json");
  cli::OpsRequest r;
  r.topic = u"alerts"_qs;
  if (sub.empty()) {
    if (pos.size() > 1) return Status::invalidArgument("unexpected argument " + pos[1]);
    r.print = [json](const QJsonValue &snapshot) {
      const QJsonArray active = snapshot.toObject().value(u"active"_qs).toArray();
      if (json) {
        QJsonArray out;
        for (const auto &a : active)
          out.append(pick(a.toObject(), {u"id", u"rule", u"state", u"severity", u"labels", u"since", u"value"}));
        printJson(out);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &v : active) {
        const QJsonObject a = v.toObject();
        QString flags;
        if (a.value(u"ack"_qs).isObject()) flags += u"acked by "_qs + a.value(u"ack"_qs)[u"author"_qs].toString();
        if (a.value(u"silenced_by"_qs).isString()) flags += (flags.isEmpty() ? u""_qs : u", "_qs) + u"silenced"_qs;
        rows.push_back({a.value(u"id"_qs).toString(), a.value(u"severity"_qs).toString(),
                        a.value(u"state"_qs).toString(), a.value(u"rule"_qs).toString(),
                        a.value(u"since"_qs).toString(), cellText(a.value(u"value"_qs)),
                        labelsText(a.value(u"labels"_qs).toObject()), flags});
      }
      printTable({u"ID"_qs, u"SEVERITY"_qs, u"STATE"_qs, u"RULE"_qs, u"SINCE"_qs, u"VALUE"_qs, u"LABELS"_qs, u""_qs},
                 rows);
      return 0;
    };
    return r;
  }
  if (sub == "rules" && pos.size() == 1) {
    r.command = u"alert_rules"_qs;
    r.print = [json](const QJsonValue &result) {
      const QJsonArray rules = result.toObject().value(u"rules"_qs).toArray();
      if (json) {
        printJson(rules);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &v : rules) {
        const QJsonObject x = v.toObject();
        rows.push_back({x.value(u"name"_qs).toString(), x.value(u"severity"_qs).toString(),
                        x.value(u"aggregate"_qs).toString() + u'(' + x.value(u"metric"_qs).toString() + u')',
                        x.value(u"op"_qs).toString() + u' ' + cellText(x.value(u"threshold"_qs)),
                        cellText(x.value(u"for_s"_qs)) + u's', x.value(u"summary"_qs).toString()});
      }
      printTable({u"NAME"_qs, u"SEVERITY"_qs, u"EXPRESSION"_qs, u"CONDITION"_qs, u"FOR"_qs, u"SUMMARY"_qs}, rows);
      return 0;
    };
    return r;
  }
  if (sub == "rules") {
    if (pos.size() != 3 || pos[1] != "apply") return Status::invalidArgument("expected: alerts rules apply FILE");
    QFile file(QString::fromStdString(pos[2]));
    if (!file.open(QIODevice::ReadOnly))
      return Status::ioError(pos[2] + ": cannot read: " + file.errorString().toStdString());
    r.command = u"apply_rules"_qs;
    r.args = {{u"yaml"_qs, QString::fromUtf8(file.readAll())}};
    r.print = [json](const QJsonValue &result) {
      if (json)
        printJson(result);
      else
        std::printf("applied %d rules\n", result.toObject().value(u"rules"_qs).toInt());
      return 0;
    };
    return r;
  }
  if (sub == "ack") {
    if (pos.size() != 2) return Status::invalidArgument("expected: alerts ack ID");
    r.command = u"ack"_qs;
    r.args = {{u"id"_qs, QString::fromStdString(pos[1])}};
    if (args.has("comment")) r.args.insert(u"comment"_qs, QString::fromStdString(args.value("comment")));
    r.print = [json](const QJsonValue &result) {
      if (json)
        printJson(
            pick(result.toObject(), {u"id", u"rule", u"state", u"severity", u"labels", u"since", u"value", u"ack"}));
      else
        std::printf("acknowledged %s\n", qPrintable(result.toObject().value(u"id"_qs).toString()));
      return 0;
    };
    return r;
  }
  if (sub == "silence") {
    if (pos.size() != 1) return Status::invalidArgument("unexpected argument " + pos[1]);
    if (!args.has("match") || !args.has("for"))
      return Status::invalidArgument("silence needs --match LABEL=REGEX (one or more) and --for DURATION");
    QJsonObject matchers;
    for (const std::string &m : args.values("match")) {
      const auto eq = m.find('=');
      if (eq == std::string::npos || eq == 0) return Status::invalidArgument("--match " + m + ": expected LABEL=REGEX");
      matchers.insert(QString::fromStdString(m.substr(0, eq)), QString::fromStdString(m.substr(eq + 1)));
    }
    r.command = u"silence"_qs;
    r.args = {{u"matchers"_qs, matchers}, {u"for"_qs, QString::fromStdString(args.value("for"))}};
    if (args.has("comment")) r.args.insert(u"comment"_qs, QString::fromStdString(args.value("comment")));
    r.print = [json](const QJsonValue &result) {
      if (json)
        printJson(result);
      else
        std::printf("silence %s until %s\n", qPrintable(result.toObject().value(u"id"_qs).toString()),
                    qPrintable(result.toObject().value(u"ends"_qs).toString()));
      return 0;
    };
    return r;
  }
  if (sub == "history") {
    if (pos.size() != 1) return Status::invalidArgument("unexpected argument " + pos[1]);
    const std::string format = args.value("format", json ? "json" : "");
    if (!format.empty() && format != "json" && format != "csv")
      return Status::invalidArgument("--format must be json or csv");
    r.command = u"alert_history"_qs;
    for (const char *key : {"since", "until", "severity", "rule", "model", "state", "text"})
      if (args.has(key)) r.args.insert(QString::fromLatin1(key), QString::fromStdString(args.value(key)));
    if (format == "csv") r.args.insert(u"format"_qs, u"csv"_qs);
    r.print = [format](const QJsonValue &result) {
      if (format == "csv") {
        std::fputs(result.toObject().value(u"csv"_qs).toString().toUtf8().constData(), stdout);
        return 0;
      }
      const QJsonArray events = result.toObject().value(u"events"_qs).toArray();
      if (format == "json") {
        printJson(events);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &v : events) {
        const QJsonObject e = v.toObject();
        QString who = e.value(u"author"_qs).toString();
        if (!e.value(u"comment"_qs).toString().isEmpty()) who += u": "_qs + e.value(u"comment"_qs).toString();
        rows.push_back({e.value(u"time"_qs).toString(), e.value(u"kind"_qs).toString(), e.value(u"state"_qs).toString(),
                        e.value(u"severity"_qs).toString(), e.value(u"rule"_qs).toString(),
                        e.value(u"alert_id"_qs).toString(), labelsText(e.value(u"labels"_qs).toObject()),
                        e.value(u"summary"_qs).toString() + (who.isEmpty() ? u""_qs : u" ("_qs + who + u')')});
      }
      printTable(
          {u"TIME"_qs, u"KIND"_qs, u"STATE"_qs, u"SEVERITY"_qs, u"RULE"_qs, u"ID"_qs, u"LABELS"_qs, u"SUMMARY"_qs},
          rows);
      return 0;
    };
    return r;
  }
  if (sub == "summary") {
    if (pos.size() != 1) return Status::invalidArgument("unexpected argument " + pos[1]);
    r.command = u"alert_summary"_qs;
    if (args.has("since")) r.args.insert(u"since"_qs, QString::fromStdString(args.value("since")));
    r.print = [json](const QJsonValue &result) {
      const QJsonObject s = result.toObject();
      if (json) {
        printJson(pick(s, {u"per_day", u"mtta_s", u"mttr_s", u"noisiest"}));
        return 0;
      }
      std::printf("from %s to %s: %d fired, %d acknowledged, %d resolved\nMTTA %s s, MTTR %s s\n\n",
                  qPrintable(s.value(u"since"_qs).toString()), qPrintable(s.value(u"until"_qs).toString()),
                  s.value(u"fired"_qs).toInt(), s.value(u"acknowledged"_qs).toInt(), s.value(u"resolved"_qs).toInt(),
                  qPrintable(cellText(s.value(u"mtta_s"_qs))), qPrintable(cellText(s.value(u"mttr_s"_qs))));
      std::vector<QStringList> days;
      for (const auto &v : s.value(u"per_day"_qs).toArray()) {
        const QJsonObject d = v.toObject();
        days.push_back({d.value(u"date"_qs).toString(), cellText(d.value(u"critical"_qs)),
                        cellText(d.value(u"warning"_qs)), cellText(d.value(u"info"_qs))});
      }
      printTable({u"DAY"_qs, u"CRITICAL"_qs, u"WARNING"_qs, u"INFO"_qs}, days);
      std::vector<QStringList> rules;
      for (const auto &v : s.value(u"noisiest"_qs).toArray())
        rules.push_back({v.toObject().value(u"rule"_qs).toString(), cellText(v.toObject().value(u"fired"_qs))});
      std::fputs("\n", stdout);
      printTable({u"RULE"_qs, u"FIRED"_qs}, rules);
      return 0;
    };
    return r;
  }
  return Status::invalidArgument("unknown subcommand " + sub);
}

int runAlerts(int argc, char **argv) {
  auto parsed = config::parseFlags(kFlags, argc, argv, 1);
  if (!parsed) return cli::fail("alerts", parsed.status().message() + "\n" + usage(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (Status st = args.require({"node"}); !st) return cli::fail("alerts", st.message(), 2);
  auto request = buildRequest(args);
  if (!request)
    return cli::fail("alerts", request.status().message(), request.status().code() == StatusCode::IoError ? 1 : 2);

  return cli::runOpsRequest("alerts", argv[0], args, *request);
}

const bool kRegistered =
    cli::registerCommand({"alerts", "a node's alerts: active, rules, ack, silence, history, summary", &runAlerts});

}  // namespace
