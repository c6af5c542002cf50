// The alerting service's ops commands (docs/ops-protocol.md, "Commands"): rules (apply, check,
// list), acks, silences, history and its summary. Every handler runs on the node thread.
#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "node/alertingservice_p.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>
#include <cmath>

namespace lmfront::node {

using alerting::Alert;

namespace {

constexpr std::int64_t kMaxSilenceMs = 366LL * 86'400'000;

QString str(const std::string &s) { return QString::fromStdString(s); }
QString str(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

QJsonObject labelsJson(const alerting::Labels &labels) {
  QJsonObject out;
  for (const auto &[k, v] : labels) out.insert(str(k), str(v));
  return out;
}

QJsonObject selectorJson(const alerting::Selector &s) {
  QJsonObject match;
  for (const auto &m : s.match) match.insert(str(m.label), str(m.pattern));
  return QJsonObject{{u"metric"_qs, str(s.metric)}, {u"match"_qs, match}};
}

QJsonObject ruleJson(const alerting::AlertRule &r) {
  QJsonObject out = selectorJson(r.selector);
  out.insert(u"name"_qs, str(r.name));
  out.insert(u"aggregate"_qs, str(alerting::aggregateName(r.aggregate)));
  if (r.denominator.size() == 1) {
    out.insert(u"denominator"_qs, selectorJson(r.denominator.front()));
  } else if (!r.denominator.empty()) {
    QJsonArray parts;
    for (const auto &part : r.denominator) parts.append(selectorJson(part));
    out.insert(u"denominator"_qs, parts);
  }
  if (r.minRate > 0) out.insert(u"min_rate"_qs, r.minRate);
  if (r.aggregate == alerting::Aggregate::Quantile) out.insert(u"q"_qs, r.q);
  if (r.by) {
    QJsonArray by;
    for (const auto &l : *r.by) by.append(str(l));
    out.insert(u"by"_qs, by);
  }
  out.insert(u"window_s"_qs, static_cast<double>(r.window.count()) / 1000.0);
  out.insert(u"op"_qs, str(alerting::comparisonName(r.op)));
  out.insert(u"threshold"_qs, r.threshold);
  out.insert(u"for_s"_qs, static_cast<double>(r.forDuration.count()) / 1000.0);
  out.insert(u"keep_firing_for_s"_qs, static_cast<double>(r.keepFiringFor.count()) / 1000.0);
  out.insert(u"severity"_qs, str(alerting::severityName(r.severity)));
  out.insert(u"labels"_qs, labelsJson(r.labels));
  out.insert(u"summary"_qs, str(r.summary));
  return out;
}

Result<QString> optionalString(const QJsonObject &args, QStringView key) {
  const QJsonValue v = args.value(key);
  if (v.isUndefined() || v.isNull()) return QString();
  if (!v.isString()) return Status::invalidArgument("argument '" + key.toString().toStdString() + "' must be a string");
  return v.toString();
}

// A point in time: ISO 8601 (UTC unless it says otherwise), Unix ms, or a duration back from now
// ("24h", "7d").
Result<std::int64_t> timeArg(const QJsonObject &args, QStringView key, std::int64_t nowMs, std::int64_t fallback) {
  const QJsonValue v = args.value(key);
  if (v.isUndefined() || v.isNull()) return fallback;
  if (v.isDouble()) return static_cast<std::int64_t>(v.toDouble());
  const std::string name = "argument '" + key.toString().toStdString() + "'";
  if (!v.isString()) return Status::invalidArgument(name + " must be a time");
  const QString text = v.toString();
  if (auto ago = alerting::parseDuration(text.toStdString()); ago) return nowMs - ago->count();
  QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
  if (!at.isValid()) at = QDateTime::fromString(text, Qt::ISODate);
  if (!at.isValid())
    return Status::invalidArgument(name +
                                   ": expected an ISO 8601 time (2026-12-07T10:00:00Z), a date or a "
                                   "duration back from now (24h, 7d), got \"" +
                                   text.toStdString() + "\"");
  if (at.timeSpec() == Qt::LocalTime) at.setTimeSpec(Qt::UTC);
  return at.toMSecsSinceEpoch();
}

std::string authorOf(const cluster::Principal &caller) {
  return caller.name.empty() ? (caller.anonymous() ? std::string("local") : caller.keyId) : caller.name;
}

}  // namespace

QJsonObject historyEventJson(const alerting::HistoryEvent &e) {
  return QJsonObject{{u"seq"_qs, static_cast<double>(e.seq)},
                     {u"time"_qs, str(alerting::isoUtc(e.atMs))},
                     {u"kind"_qs, str(e.kind)},
                     {u"alert_id"_qs, str(e.alertId)},
                     {u"rule"_qs, str(e.rule)},
                     {u"severity"_qs, str(e.severity)},
                     {u"state"_qs, str(e.state)},
                     {u"from"_qs, str(e.fromState)},
                     {u"model"_qs, str(e.model)},
                     {u"node"_qs, str(e.node)},
                     {u"labels"_qs, QJsonDocument::fromJson(QByteArray::fromStdString(e.labelsJson)).object()},
                     {u"value"_qs, e.value && std::isfinite(*e.value) ? QJsonValue(*e.value) : QJsonValue()},
                     {u"summary"_qs, str(e.summary)},
                     {u"author"_qs, str(e.author)},
                     {u"comment"_qs, str(e.comment)}};
}

QJsonObject silenceJson(const alerting::Silence &s) {
  QJsonObject matchers;
  for (const auto &m : s.matchers) matchers.insert(str(m.label), str(m.pattern));
  return QJsonObject{{u"id"_qs, str(s.id)},
                     {u"matchers"_qs, matchers},
                     {u"starts"_qs, str(alerting::isoUtc(s.startsMs))},
                     {u"ends"_qs, str(alerting::isoUtc(s.endsMs))},
                     {u"author"_qs, str(s.author)},
                     {u"comment"_qs, str(s.comment)}};
}

Status AlertingService::Impl::registerOps(AlertingService &service) {
  auto &ops = context.ops;
  using cluster::OpsCommand;
  using cluster::Principal;
  using cluster::Role;
  LMFRONT_RETURN_IF_ERROR(ops.addTopic(cluster::OpsTopic{u"alerts"_qs, Role::Viewer, cluster::OpsDelivery::EveryDelta,
                                                         [this, &service](const QJsonObject &) -> Result<QJsonObject> {
                                                           if (!running)
                                                             return Status::unavailable("the node is stopping");
                                                           return service.snapshot();
                                                         }}));

  std::vector<OpsCommand> commands;
  commands.push_back(
      {u"apply_rules"_qs, Role::Admin, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
         const QJsonValue yaml = args.value(u"yaml"_qs);
         if (!yaml.isString()) return Status::invalidArgument("argument 'yaml' must be the rules file's text");
         if (!running) return Status::unavailable("the node is stopping");
         LMFRONT_RETURN_IF_ERROR(apply(yaml.toString().toStdString(), "apply_rules"));
         // Kept for the next start; written whole or not at all.
         const QString saved = context.dataDir + u"/alerts/rules.yaml"_qs;
         QSaveFile file(saved);
         if (!QDir().mkpath(context.dataDir + u"/alerts"_qs) || !file.open(QIODevice::WriteOnly) ||
             file.write(yaml.toString().toUtf8()) < 0 || !file.commit())
           return Status::ioError("rules applied but not saved to " + saved.toStdString() + ": " +
                                  file.errorString().toStdString());
         return QJsonValue(QJsonObject{{u"rules"_qs, static_cast<int>(evaluator.rules().size())}});
       }});

  commands.push_back(
      {u"check_rules"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
         const QJsonValue yaml = args.value(u"yaml"_qs);
         if (!yaml.isString()) return Status::invalidArgument("argument 'yaml' must be the rules file's text");
         auto rules = parse(yaml.toString().toStdString(), "rules.yaml");
         if (!rules) return rules.status();
         return QJsonValue(QJsonObject{{u"rules"_qs, static_cast<int>(rules->size())}});
       }});

  commands.push_back(
      {u"alert_rules"_qs, Role::Viewer, [this](const QJsonObject &, const Principal &) -> Result<QJsonValue> {
         QJsonArray rules;
         for (const auto &r : evaluator.rules()) rules.append(ruleJson(r));
         return QJsonValue(QJsonObject{{u"rules"_qs, rules}, {u"yaml"_qs, str(rulesYaml)}});
       }});

  commands.push_back(
      {u"ack"_qs, Role::Operator, [this](const QJsonObject &args, const Principal &caller) -> Result<QJsonValue> {
         const QJsonValue id = args.value(u"id"_qs);
         if (!id.isString() || id.toString().isEmpty())
           return Status::invalidArgument("argument 'id' must be an alert id");
         auto comment = optionalString(args, u"comment");
         if (!comment) return comment.status();
         if (!db) return Status::unavailable("the node is stopping");
         const auto active = evaluator.active();
         const std::string wanted = id.toString().toStdString();
         const auto it = std::find_if(active.begin(), active.end(), [&](const Alert &a) { return a.id == wanted; });
         if (it == active.end()) return Status::notFound("no active alert " + wanted);
         if (const auto done = acks.find(wanted); done != acks.end())
           return Status::failedPrecondition("alert " + wanted + " was acknowledged by " + done->second.author);
         const std::int64_t at = nowMs();
         acks[wanted] = Ack{authorOf(caller), comment->toStdString(), at};
         alerting::HistoryEvent e = historyEvent(*it, at);
         e.kind = "ack";
         e.state = "acknowledged";
         e.fromState = std::string(alerting::alertStateName(it->state));
         e.author = authorOf(caller);
         e.comment = comment->toStdString();
         record({e});
         const QJsonObject alert = toJson(*it);
         (void)context.ops.publish(u"alerts"_qs, QJsonObject{{u"updated"_qs, QJsonArray{alert}}});
         return QJsonValue(alert);
       }});

  commands.push_back(
      {u"silence"_qs, Role::Operator, [this](const QJsonObject &args, const Principal &caller) -> Result<QJsonValue> {
         const QJsonValue matchersValue = args.value(u"matchers"_qs);
         if (!matchersValue.isObject() || matchersValue.toObject().isEmpty())
           return Status::invalidArgument("argument 'matchers' must be an object of label: regular expression");
         std::vector<std::pair<std::string, std::string>> matchers;
         const QJsonObject object = matchersValue.toObject();
         for (auto it = object.begin(); it != object.end(); ++it) {
           if (!it.value().isString())
             return Status::invalidArgument("matcher " + it.key().toStdString() +
                                            ": must be a regular expression (a string)");
           matchers.emplace_back(it.key().toStdString(), it.value().toString().toStdString());
         }
         auto comment = optionalString(args, u"comment");
         if (!comment) return comment.status();
         if (!silences) return Status::unavailable("the node is stopping");
         const std::int64_t now = nowMs();
         auto starts = timeArg(args, u"starts", now, now);
         if (!starts) return starts.status();
         std::int64_t ends = 0;
         if (const QJsonValue f = args.value(u"for"_qs); f.isString()) {
           auto d = alerting::parseDuration(f.toString().toStdString());
           if (!d) return d.status().withContext("argument 'for'");
           ends = *starts + d->count();
         } else {
           auto e = timeArg(args, u"ends", now, 0);
           if (!e) return e.status();
           ends = *e;
         }
         if (ends == 0) return Status::invalidArgument("give 'for' (a duration) or 'ends' (a time)");
         if (ends - *starts > kMaxSilenceMs) return Status::invalidArgument("a silence lasts at most 366 days");
         auto silence = silences->add(matchers, *starts, ends, authorOf(caller), comment->toStdString());
         if (!silence) return silence.status();
         record({silenceEvent(*silence, "silenced", now)});
         (void)context.ops.publish(u"alerts"_qs,
                                   QJsonObject{{u"silences"_qs, silencesJson()}, {u"updated"_qs, activeJson()}});
         return QJsonValue(silenceJson(*silence));
       }});

  commands.push_back({u"expire_silence"_qs, Role::Operator,
                      [this](const QJsonObject &args, const Principal &caller) -> Result<QJsonValue> {
                        const QJsonValue id = args.value(u"id"_qs);
                        if (!id.isString()) return Status::invalidArgument("argument 'id' must be a silence id");
                        if (!silences) return Status::unavailable("the node is stopping");
                        const std::int64_t now = nowMs();
                        auto ended = silences->expire(id.toString().toStdString(), now);
                        if (!ended) return ended.status();
                        alerting::HistoryEvent e = silenceEvent(*ended, "expired", now);
                        e.author = authorOf(caller);
                        record({e});
                        (void)context.ops.publish(
                            u"alerts"_qs, QJsonObject{{u"silences"_qs, silencesJson()}, {u"updated"_qs, activeJson()}});
                        return QJsonValue(silenceJson(*ended));
                      }});

  commands.push_back(
      {u"alert_history"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
         if (!history) return Status::unavailable("the node is stopping");
         const std::int64_t now = nowMs();
         alerting::HistoryQuery q;
         auto since = timeArg(args, u"since", now, 0);
         if (!since) return since.status();
         auto until = timeArg(args, u"until", now, std::numeric_limits<std::int64_t>::max());
         if (!until) return until.status();
         q.sinceMs = *since;
         q.untilMs = *until;
         for (const auto &[key, field] :
              {std::pair{u"severity", &q.severity}, std::pair{u"rule", &q.rule}, std::pair{u"model", &q.model},
               std::pair{u"node", &q.node}, std::pair{u"state", &q.state}, std::pair{u"kind", &q.kind},
               std::pair{u"text", &q.text}}) {
           auto v = optionalString(args, QStringView(key));
           if (!v) return v.status();
           *field = v->toStdString();
         }
         if (const QJsonValue limit = args.value(u"limit"_qs); !limit.isUndefined() && !limit.isNull()) {
           if (!limit.isDouble() || limit.toDouble() < 0)
             return Status::invalidArgument("argument 'limit' must be a count (0: all)");
           q.limit = static_cast<std::int64_t>(limit.toDouble());
         }
         auto format = optionalString(args, u"format");
         if (!format) return format.status();
         if (!format->isEmpty() && *format != u"json"_qs && *format != u"csv"_qs)
           return Status::invalidArgument("argument 'format' must be json or csv");
         auto rows = history->query(q);
         if (!rows) return rows.status();
         if (*format == u"csv"_qs) return QJsonValue(QJsonObject{{u"csv"_qs, str(alerting::historyCsv(*rows))}});
         QJsonArray events;
         for (const auto &e : *rows) events.append(historyEventJson(e));
         return QJsonValue(QJsonObject{{u"events"_qs, events}});
       }});

  commands.push_back(
      {u"alert_summary"_qs, Role::Viewer, [this](const QJsonObject &args, const Principal &) -> Result<QJsonValue> {
         if (!history) return Status::unavailable("the node is stopping");
         const std::int64_t now = nowMs();
         auto since = timeArg(args, u"since", now, now - 7 * 86'400'000LL);
         if (!since) return since.status();
         auto until = timeArg(args, u"until", now, now + 1);
         if (!until) return until.status();
         auto s = history->summary(*since, *until);
         if (!s) return s.status();
         QJsonArray perDay;
         for (const auto &d : s->perDay)
           perDay.append(QJsonObject{{u"date"_qs, str(d.date)},
                                     {u"critical"_qs, static_cast<double>(d.critical)},
                                     {u"warning"_qs, static_cast<double>(d.warning)},
                                     {u"info"_qs, static_cast<double>(d.info)}});
         QJsonArray noisiest;
         for (const auto &r : s->noisiest)
           noisiest.append(QJsonObject{{u"rule"_qs, str(r.rule)}, {u"fired"_qs, static_cast<double>(r.fired)}});
         return QJsonValue(QJsonObject{{u"since"_qs, str(alerting::isoUtc(*since))},
                                       {u"until"_qs, str(alerting::isoUtc(std::min(*until, now)))},
                                       {u"per_day"_qs, perDay},
                                       {u"mtta_s"_qs, s->mttaSeconds ? QJsonValue(*s->mttaSeconds) : QJsonValue()},
                                       {u"mttr_s"_qs, s->mttrSeconds ? QJsonValue(*s->mttrSeconds) : QJsonValue()},
                                       {u"fired"_qs, static_cast<double>(s->fired)},
                                       {u"acknowledged"_qs, static_cast<double>(s->acknowledged)},
                                       {u"resolved"_qs, static_cast<double>(s->resolved)},
                                       {u"noisiest"_qs, noisiest}});
       }});

  for (auto &c : commands) LMFRONT_RETURN_IF_ERROR(ops.addCommand(std::move(c)));
  return Status::ok();
}

}  // namespace lmfront::node
