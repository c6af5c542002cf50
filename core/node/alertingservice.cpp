#include "node/alertingservice.h"

#include "alerting/alertevaluator.h"
#include "alerting/storeseriessource.h"
#include "cluster/opsregistry.h"
#include "common/eventsink.h"
#include "observe/metricsregistry.h"
#include "observe/timeseriesstore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSaveFile>
#include <QTimer>
#include <atomic>
#include <set>

namespace lmfront::node {

extern const char kDefaultAlertRules[];  // generated from resources/alerts/default-rules.yaml

using alerting::Alert;
using alerting::AlertRule;
using alerting::AlertState;
using alerting::Transition;

namespace {

constexpr std::size_t kSeriesSeconds = 3600;  // the longest window a rule may read back

EventLevel levelOf(const Transition &t) {
  if (t.alert.state != AlertState::Firing) return EventLevel::Info;
  return t.alert.severity == alerting::Severity::Info ? EventLevel::Info : EventLevel::Warning;
}

}  // namespace

struct AlertingService::Impl {
  explicit Impl(const NodeContext &c) : context(c) {}

  const NodeContext &context;
  std::unique_ptr<observe::TimeSeriesStore> store;
  alerting::AlertEvaluator evaluator;
  std::unique_ptr<QTimer> timer;
  bool registered = false;
  std::atomic<bool> running{false};

  // Steady-clock instants shown as wall-clock time (the ops API and history speak UTC).
  qint64 unixMs(Clock::TimePoint at) const {
    const auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(context.clock.now() - at);
    return QDateTime::currentMSecsSinceEpoch() - ago.count();
  }

  QJsonObject toJson(const Alert &a) const {
    QJsonObject labels;
    for (const auto &[k, v] : a.labels) labels.insert(QString::fromStdString(k), QString::fromStdString(v));
    return QJsonObject{
        {u"id"_qs, QString::fromStdString(a.id)},
        {u"rule"_qs, QString::fromStdString(a.rule)},
        {u"state"_qs, QString::fromUtf8(alerting::alertStateName(a.state))},
        {u"severity"_qs, QString::fromUtf8(alerting::severityName(a.severity))},
        {u"labels"_qs, labels},
        {u"since"_qs, QDateTime::fromMSecsSinceEpoch(unixMs(a.activeSince), Qt::UTC).toString(Qt::ISODateWithMs)},
        {u"value"_qs, std::isfinite(a.value) ? QJsonValue(a.value) : QJsonValue()},
        {u"summary"_qs, QString::fromStdString(a.summary)}};
  }

  // The store records what the rules read: every family they name, with the quantiles they ask.
  Status track(const std::vector<AlertRule> &rules) {
    std::map<std::string, std::set<double>> families;
    for (const auto &r : rules) {
      families[r.selector.metric];
      if (r.denominator) families[r.denominator->metric];
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

  Status apply(std::string_view yaml, std::string_view shownPath) {
    auto rules = alerting::parseRules(
        yaml, shownPath, [this](std::string_view metric) { return context.metrics.find(metric) != nullptr; });
    if (!rules) return rules.status();
    LMFRONT_RETURN_IF_ERROR(track(*rules));
    evaluator.setRules(std::move(*rules));
    return Status::ok();
  }
};

AlertingService::AlertingService(const NodeContext &context) : d(std::make_unique<Impl>(context)) {}

AlertingService::~AlertingService() { stop(); }

std::string_view AlertingService::defaultRules() { return kDefaultAlertRules; }

Status AlertingService::start() {
  if (d->running) return Status::failedPrecondition("alerting is already running");
  d->store = std::make_unique<observe::TimeSeriesStore>(d->context.metrics, kSeriesSeconds);
  const QString path = d->context.dataDir + u"/alerts/rules.yaml"_qs;
  if (QFile file(path); file.exists()) {
    if (!file.open(QIODevice::ReadOnly))
      return Status::ioError(path.toStdString() + ": cannot read: " + file.errorString().toStdString());
    LMFRONT_RETURN_IF_ERROR(d->apply(file.readAll().toStdString(), path.toStdString()));
  } else {
    LMFRONT_RETURN_IF_ERROR(d->apply(defaultRules(), "default-rules.yaml"));
  }

  if (!d->registered) {
    auto &ops = d->context.ops;
    LMFRONT_RETURN_IF_ERROR(
        ops.addTopic(cluster::OpsTopic{u"alerts"_qs, cluster::Role::Viewer, cluster::OpsDelivery::EveryDelta,
                                       [this](const QJsonObject &) -> Result<QJsonObject> {
                                         if (!d->running) return Status::unavailable("the node is stopping");
                                         return snapshot();
                                       }}));
    // Not inside LMFRONT_RETURN_IF_ERROR: the handler uses it too.
    const Status added = ops.addCommand(cluster::OpsCommand{
        u"apply_rules"_qs, cluster::Role::Admin,
        [this](const QJsonObject &args, const cluster::Principal &) -> Result<QJsonValue> {
          const QJsonValue yaml = args.value(u"yaml"_qs);
          if (!yaml.isString()) return Status::invalidArgument("argument 'yaml' must be the rules file's text");
          LMFRONT_RETURN_IF_ERROR(applyRules(yaml.toString().toStdString(), "apply_rules"));
          // Kept for the next start; written whole or not at all.
          const QString saved = d->context.dataDir + u"/alerts/rules.yaml"_qs;
          QSaveFile file(saved);
          if (!QDir().mkpath(d->context.dataDir + u"/alerts"_qs) || !file.open(QIODevice::WriteOnly) ||
              file.write(yaml.toString().toUtf8()) < 0 || !file.commit())
            return Status::ioError("rules applied but not saved to " + saved.toStdString() + ": " +
                                   file.errorString().toStdString());
          return QJsonValue(QJsonObject{{u"rules"_qs, static_cast<int>(d->evaluator.rules().size())}});
        }});
    if (!added.isOk()) return added;
    d->registered = true;
  }

  d->store->sample(d->context.clock.now());  // the rates' baseline
  d->timer = std::make_unique<QTimer>();
  QObject::connect(d->timer.get(), &QTimer::timeout, [this] { tick(); });
  d->timer->start(1000);
  d->running = true;
  return Status::ok();
}

bool AlertingService::drain(std::chrono::milliseconds) {
  d->timer.reset();
  return true;
}

void AlertingService::stop() {
  d->timer.reset();
  d->running = false;
}

Health AlertingService::health() const {
  Health h;
  if (d->running) h.state = Health::State::Serving;
  return h;
}

void AlertingService::tick() {
  if (!d->store) return;
  const Clock::TimePoint now = d->context.clock.now();
  d->store->sample(now);
  const auto transitions = d->evaluator.evaluate(alerting::StoreSeriesSource(*d->store), now);
  if (transitions.empty()) return;
  QJsonArray changes;
  for (const auto &t : transitions) {
    d->context.events.report(levelOf(t), "alerting",
                             "alert " + std::string(alerting::alertStateName(t.alert.state)) + ": " +
                                 (t.alert.summary.empty() ? t.alert.rule : t.alert.summary),
                             {{"rule", t.alert.rule},
                              {"id", t.alert.id},
                              {"severity", std::string(alerting::severityName(t.alert.severity))},
                              {"from", std::string(alerting::alertStateName(t.from))}});
    QJsonObject change = d->toJson(t.alert);
    change.insert(u"from"_qs, QString::fromUtf8(alerting::alertStateName(t.from)));
    changes.append(change);
  }
  (void)d->context.ops.publish(u"alerts"_qs, QJsonObject{{u"changes"_qs, changes}});
}

QJsonObject AlertingService::snapshot() const {
  QJsonArray active;
  for (const auto &a : d->evaluator.active()) active.append(d->toJson(a));
  return QJsonObject{{u"active"_qs, active}, {u"rules"_qs, static_cast<int>(d->evaluator.rules().size())}};
}

Status AlertingService::applyRules(std::string_view yaml, std::string_view shownPath) {
  if (!d->store) return Status::failedPrecondition("alerting is not running");
  return d->apply(yaml, shownPath);
}

}  // namespace lmfront::node
