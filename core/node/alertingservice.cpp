#include "node/alertingservice.h"

#include "alerting/alertdb.h"
#include "alerting/storeseriessource.h"
#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "common/jsonescape.h"
#include "node/alertingservice_p.h"
#include "observe/metricsregistry.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <cmath>

namespace lmfront::node {

extern const char kDefaultAlertRules[];  // generated from resources/alerts/default-rules.yaml

using alerting::Alert;
using alerting::AlertRule;
using alerting::AlertState;
using alerting::Transition;

namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kPruneEveryMs = 3'600'000;

EventLevel levelOf(const Transition &t) {
  if (t.alert.state != AlertState::Firing) return EventLevel::Info;
  return t.alert.severity == alerting::Severity::Info ? EventLevel::Info : EventLevel::Warning;
}

QString str(const std::string &s) { return QString::fromStdString(s); }

std::string labelsJson(const alerting::Labels &labels) {
  std::string out = "{";
  for (const auto &[k, v] : labels) {
    if (out.size() > 1) out += ',';
    appendJsonString(out, k);
    out += ':';
    appendJsonString(out, v);
  }
  return out + "}";
}

}  // namespace

// --- Impl ----------------------------------------------------------------------------------------

std::int64_t AlertingService::Impl::wallMs(Clock::TimePoint at) const {
  return wallAtStart + std::chrono::duration_cast<std::chrono::milliseconds>(at - clockAtStart).count();
}

alerting::Labels AlertingService::Impl::silenceLabels(const Alert &a) {
  alerting::Labels labels = a.labels;
  labels.emplace_back("rule", a.rule);
  labels.emplace_back("severity", std::string(alerting::severityName(a.severity)));
  std::sort(labels.begin(), labels.end());
  return labels;
}

const alerting::Silence *AlertingService::Impl::mutedBy(const Alert &a) const {
  return silences ? silences->muting(silenceLabels(a), nowMs()) : nullptr;
}

QJsonObject AlertingService::Impl::toJson(const Alert &a) const {
  QJsonObject labels;
  for (const auto &[k, v] : a.labels) labels.insert(str(k), str(v));
  QJsonValue ack;
  if (const auto it = acks.find(a.id); it != acks.end())
    ack = QJsonObject{{u"author"_qs, str(it->second.author)},
                      {u"comment"_qs, str(it->second.comment)},
                      {u"at"_qs, str(alerting::isoUtc(it->second.atMs))}};
  const alerting::Silence *silence = mutedBy(a);
  return QJsonObject{{u"id"_qs, str(a.id)},
                     {u"rule"_qs, str(a.rule)},
                     {u"state"_qs, QString::fromUtf8(alerting::alertStateName(a.state))},
                     {u"severity"_qs, QString::fromUtf8(alerting::severityName(a.severity))},
                     {u"labels"_qs, labels},
                     {u"since"_qs, str(alerting::isoUtc(wallMs(a.activeSince)))},
                     {u"value"_qs, std::isfinite(a.value) ? QJsonValue(a.value) : QJsonValue()},
                     {u"summary"_qs, str(a.summary)},
                     {u"ack"_qs, ack},
                     {u"silenced_by"_qs, silence ? QJsonValue(str(silence->id)) : QJsonValue()}};
}

QJsonArray AlertingService::Impl::silencesJson() const {
  QJsonArray out;
  if (silences)
    for (const auto &s : silences->all()) out.append(silenceJson(s));
  return out;
}

QJsonArray AlertingService::Impl::activeJson() const {
  QJsonArray out;
  for (const auto &a : evaluator.active()) out.append(toJson(a));
  return out;
}

AlertNotice AlertingService::Impl::notice(const Alert &a, std::int64_t endsMs) const {
  return AlertNotice{a.id,
                     a.rule,
                     endsMs ? "resolved" : "firing",
                     a.labels,
                     std::string(alerting::severityName(a.severity)),
                     a.summary,
                     wallMs(a.firingSince),
                     endsMs};
}

alerting::HistoryEvent AlertingService::Impl::historyEvent(const Alert &a, std::int64_t atMs) const {
  alerting::HistoryEvent e;
  e.atMs = atMs;
  e.kind = "state";
  e.alertId = a.id;
  e.rule = a.rule;
  e.severity = std::string(alerting::severityName(a.severity));
  e.state = std::string(alerting::alertStateName(a.state));
  for (const auto &[k, v] : a.labels) {
    if (k == "model") e.model = v;
    if (k == "node") e.node = v;
  }
  if (e.node.empty()) e.node = nodeId;
  e.labelsJson = labelsJson(a.labels);
  if (std::isfinite(a.value)) e.value = a.value;
  e.summary = a.summary;
  return e;
}

alerting::HistoryEvent AlertingService::Impl::silenceEvent(const alerting::Silence &s, std::string_view state,
                                                           std::int64_t atMs) const {
  alerting::HistoryEvent e;
  e.atMs = atMs;
  e.kind = "silence";
  e.alertId = s.id;
  e.state = std::string(state);
  e.node = nodeId;
  e.labelsJson = s.matchersJson();
  e.summary = "silence from " + alerting::isoUtc(s.startsMs) + " until " + alerting::isoUtc(s.endsMs);
  e.author = s.author;
  e.comment = s.comment;
  return e;
}

void AlertingService::Impl::record(std::vector<alerting::HistoryEvent> events) {
  if (!history || events.empty()) return;
  if (Status st = history->record(events); !st)
    context.events.report(EventLevel::Error, "alerting", "alert history not written: " + st.message());
}

// The store records what the rules read: every family they name, with the quantiles they ask.
Status AlertingService::Impl::track(const std::vector<AlertRule> &rules) {
  std::map<std::string, std::set<double>> families;
  for (const auto &r : rules) {
    families[r.selector.metric];
    for (const auto &part : r.denominator) families[part.metric];
    if (r.aggregate == alerting::Aggregate::Quantile) families[r.selector.metric].insert(r.q);
  }
  for (const auto &[name, quantiles] : families) {
    std::vector<double> qs{0.5, 0.99};
    for (const double q : quantiles)
      if (std::find(qs.begin(), qs.end(), q) == qs.end()) qs.push_back(q);
    LMFRONT_RETURN_IF_ERROR(store->track(name, qs));
  }
  return Status::ok();
}

Result<std::vector<AlertRule>> AlertingService::Impl::parse(std::string_view yaml, std::string_view shownPath) const {
  return alerting::parseRules(yaml, shownPath,
                              [this](std::string_view metric) { return context.metrics.find(metric) != nullptr; });
}

Status AlertingService::Impl::apply(std::string_view yaml, std::string_view shownPath) {
  auto rules = parse(yaml, shownPath);
  if (!rules) return rules.status();
  LMFRONT_RETURN_IF_ERROR(track(*rules));
  evaluator.setRules(std::move(*rules));
  rulesYaml = std::string(yaml);
  return Status::ok();
}

Status AlertingService::Impl::openDatabase() {
  const QString dir = context.dataDir + u"/alerts"_qs;
  if (!QDir().mkpath(dir)) return Status::ioError("cannot create " + dir.toStdString());
  auto opened = alerting::openAlertDb(QString(dir + u"/alerts.db"_qs).toStdString());
  if (!opened) return opened.status();
  db = std::move(*opened);
  history = std::make_unique<alerting::AlertHistory>(*db);
  silences = std::make_unique<alerting::SilenceBook>(*db);
  LMFRONT_RETURN_IF_ERROR(silences->load());
  std::vector<AlertReceiver> receivers;
  for (const QString &url : options.settings.webhooks)
    receivers.push_back({AlertReceiver::Kind::Webhook, url.toStdString()});
  for (const QString &url : options.settings.alertmanagers)
    receivers.push_back({AlertReceiver::Kind::Alertmanager, url.toStdString()});
  notifier = std::make_unique<AlertNotifier>(context.http, context.events, *db, nodeId, [this] { return nowMs(); });
  return notifier->start(std::move(receivers), nowMs());
}

// --- AlertingService -----------------------------------------------------------------------------

AlertingService::AlertingService(const NodeContext &context, observe::TimeSeriesStore &store, AlertingOptions options)
    : d(std::make_unique<Impl>(context, store, std::move(options))) {}

AlertingService::~AlertingService() { stop(); }

std::string_view AlertingService::defaultRules() { return kDefaultAlertRules; }

Status AlertingService::start() {
  if (d->running) return Status::failedPrecondition("alerting is already running");
  d->wallAtStart = QDateTime::currentMSecsSinceEpoch();
  d->clockAtStart = d->context.clock.now();
  d->nodeId = d->options.nodeId ? d->options.nodeId().toStdString() : std::string();
  const QString path = d->context.dataDir + u"/alerts/rules.yaml"_qs;
  if (QFile file(path); file.exists()) {
    if (!file.open(QIODevice::ReadOnly))
      return Status::ioError(path.toStdString() + ": cannot read: " + file.errorString().toStdString());
    LMFRONT_RETURN_IF_ERROR(d->apply(file.readAll().toStdString(), path.toStdString()));
  } else {
    LMFRONT_RETURN_IF_ERROR(d->apply(defaultRules(), "default-rules.yaml"));
  }
  LMFRONT_RETURN_IF_ERROR(d->openDatabase());
  if (!d->registered) {
    LMFRONT_RETURN_IF_ERROR(d->registerOps(*this));
    d->registered = true;
  }

  d->running = true;
  return Status::ok();
}

// Evaluation goes on while the node drains: the series service keeps sampling until it stops.
bool AlertingService::drain(std::chrono::milliseconds) { return true; }

void AlertingService::stop() {
  d->running = false;
  d->notifier.reset();
  d->silences.reset();
  d->history.reset();
  d->db.reset();
}

Health AlertingService::health() const {
  Health h;
  if (d->running) h.state = Health::State::Serving;
  return h;
}

void AlertingService::tick() {
  if (!d->running || !d->db) return;
  const Clock::TimePoint now = d->context.clock.now();
  const std::int64_t nowMs = d->wallMs(now);
  const auto transitions = d->evaluator.evaluate(alerting::StoreSeriesSource(*d->store), now);

  std::vector<alerting::HistoryEvent> events;
  QJsonObject delta;
  if (auto ended = d->silences->takeEnded(nowMs); !ended) {
    d->context.events.report(EventLevel::Error, "alerting", "silences: " + ended.status().message());
  } else if (!ended->empty()) {
    for (const auto &s : *ended) events.push_back(d->silenceEvent(s, "expired", s.endsMs));
    delta.insert(u"silences"_qs, d->silencesJson());
    delta.insert(u"updated"_qs, d->activeJson());  // what they muted is heard again
  }

  QJsonArray changes;
  std::vector<AlertNotice> notices;
  for (const auto &t : transitions) {
    const Alert &a = t.alert;
    d->context.events.report(
        levelOf(t), "alerting",
        "alert " + std::string(alerting::alertStateName(a.state)) + ": " + (a.summary.empty() ? a.rule : a.summary),
        {{"rule", a.rule},
         {"id", a.id},
         {"severity", std::string(alerting::severityName(a.severity))},
         {"from", std::string(alerting::alertStateName(t.from))}});
    alerting::HistoryEvent e = d->historyEvent(a, d->wallMs(t.at));
    e.fromState = std::string(alerting::alertStateName(t.from));
    events.push_back(std::move(e));
    QJsonObject change = d->toJson(a);
    change.insert(u"from"_qs, QString::fromUtf8(alerting::alertStateName(t.from)));
    changes.append(change);

    const bool firing = a.state == AlertState::Firing;
    const bool resolved = a.state == AlertState::Resolved && d->notifiedFiring.erase(a.id) > 0;
    if ((firing && !d->mutedBy(a)) || resolved) {
      if (firing) d->notifiedFiring.insert(a.id);
      notices.push_back(d->notice(a, resolved ? d->wallMs(t.at) : 0));
    }
    if (a.state == AlertState::Resolved || a.state == AlertState::Inactive) d->acks.erase(a.id);
  }
  d->record(std::move(events));
  if (Status st = d->notifier->notify(notices, nowMs); !st)
    d->context.events.report(EventLevel::Error, "alerting", "notifications not queued: " + st.message());
  // What Alertmanager heard firing and still fires, unless a silence now mutes it.
  std::vector<AlertNotice> stillFiring;
  for (const Alert &a : d->evaluator.active())
    if (a.state == AlertState::Firing && d->notifiedFiring.count(a.id) && !d->mutedBy(a))
      stillFiring.push_back(d->notice(a, 0));
  if (Status st = d->notifier->refresh(stillFiring, nowMs); !st)
    d->context.events.report(EventLevel::Error, "alerting", "notifications not queued: " + st.message());
  d->notifier->pump(nowMs);

  const int retention = d->options.settings.historyRetentionDays;
  if (retention > 0 && nowMs - d->lastPruneMs >= kPruneEveryMs) {
    d->lastPruneMs = nowMs;
    if (auto pruned = d->history->prune(nowMs - retention * kDayMs); !pruned)
      d->context.events.report(EventLevel::Error, "alerting", "alert history not pruned: " + pruned.status().message());
  }

  if (!changes.isEmpty()) delta.insert(u"changes"_qs, changes);
  if (!delta.isEmpty()) (void)d->context.ops.publish(u"alerts"_qs, delta);
}

void AlertingService::pumpNotifications() {
  if (d->notifier) d->notifier->pump(d->nowMs());
}

std::size_t AlertingService::pendingNotifications() const { return d->notifier ? d->notifier->pending() : 0; }

QJsonObject AlertingService::snapshot() const {
  return QJsonObject{{u"active"_qs, d->activeJson()},
                     {u"rules"_qs, static_cast<int>(d->evaluator.rules().size())},
                     {u"silences"_qs, d->silencesJson()}};
}

Status AlertingService::applyRules(std::string_view yaml, std::string_view shownPath) {
  if (!d->running) return Status::failedPrecondition("alerting is not running");
  return d->apply(yaml, shownPath);
}

}  // namespace lmfront::node
