#include "observe/metricsregistry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace lmfront::observe {
namespace {

constexpr std::string_view kOverflow = "__overflow__";

bool isMetricName(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool isLabelName(std::string_view n) {
  if (n.empty() || n.starts_with("__")) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string_view typeName(MetricType t) {
  switch (t) {
  case MetricType::Counter: return "counter";
  case MetricType::Gauge: return "gauge";
  case MetricType::Histogram: return "histogram";
  }
  return "untyped";
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlongs,
// surrogates and code points past U+10FFFF included).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  return len;
}

void appendLabels(std::string &out, const std::vector<std::string> &names, const LabelValues &values,
                  std::string_view extraName = {}, std::string_view extraValue = {}) {
  if (names.empty() && extraName.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    out += escapeLabelValue(values[i]);
    out += '"';
  }
  if (!extraName.empty()) {
    if (!first) out += ',';
    out += extraName;
    out += "=\"";
    out += extraValue;
    out += '"';
  }
  out += '}';
}

void appendSample(std::string &out, std::string_view name, std::string_view suffix, const FamilyBase &f,
                  const LabelValues &values, std::string_view value, std::string_view le = {}) {
  out += name;
  out += suffix;
  appendLabels(out, f.labelNames(), values, le.empty() ? std::string_view{} : "le", le);
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

std::string escapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size();) {
    const char c = v[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      // Label values must be UTF-8; bytes from the network may not be. Replace, don't reject.
      const std::size_t len = utf8SequenceLength(v, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
        continue;
      }
      out.append(v.substr(i, len));
      i += len;
      continue;
    }
    ++i;
  }
  return out;
}

std::string escapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

FamilyBase::FamilyBase(MetricType type, std::string name, std::string help, std::vector<std::string> labelNames,
                       std::vector<double> bounds, std::size_t maxSeries)
    : m_type(type),
      m_name(std::move(name)),
      m_help(std::move(help)),
      m_labelNames(std::move(labelNames)),
      m_bounds(std::move(bounds)),
      m_maxSeries(maxSeries) {
  // A family without labels has exactly one series: expose it (as 0) from the start.
  if (m_labelNames.empty()) m_series.emplace(LabelValues{}, makeSeries());
}

std::size_t FamilyBase::seriesCount() const {
  std::shared_lock lock(m_mutex);
  return m_series.size();
}

std::unique_ptr<SeriesBase> FamilyBase::makeSeries() const {
  switch (m_type) {
  case MetricType::Counter: return std::make_unique<Counter>();
  case MetricType::Gauge: return std::make_unique<Gauge>();
  case MetricType::Histogram: return std::make_unique<Histogram>(m_bounds);
  }
  return nullptr;
}

namespace {
// Every key of a family has its label count of values: compare element by element.
int compareLabels(const LabelValues &a, const LabelValuesView &b) {
  const std::size_t n = std::min(a.size(), b.size);
  for (std::size_t i = 0; i < n; ++i)
    if (const int c = std::string_view(a[i]).compare(b[i]); c != 0) return c;
  return a.size() < b.size ? -1 : a.size() > b.size ? 1 : 0;
}
}  // namespace

bool LabelValuesLess::operator()(const LabelValues &a, const LabelValuesView &b) const {
  return compareLabels(a, b) < 0;
}
bool LabelValuesLess::operator()(const LabelValuesView &a, const LabelValues &b) const {
  return compareLabels(b, a) > 0;
}

SeriesBase &FamilyBase::findOrCreate(std::span<const std::string_view> values) {
  {
    std::shared_lock lock(m_mutex);
    const LabelValuesView view{values, m_labelNames.size()};
    if (const auto it = m_series.find(view); it != m_series.end()) return *it->second;
  }
  LabelValues key(m_labelNames.size());
  for (std::size_t i = 0; i < key.size() && i < values.size(); ++i) key[i] = values[i];
  std::unique_lock lock(m_mutex);
  if (const auto it = m_series.find(key); it != m_series.end()) return *it->second;
  if (m_series.size() >= m_maxSeries) {
    std::fill(key.begin(), key.end(), std::string(kOverflow));
    if (const auto it = m_series.find(key); it != m_series.end()) return *it->second;
  }
  return *m_series.emplace(std::move(key), makeSeries()).first->second;
}

bool FamilyBase::remove(const LabelValues &values) {
  std::unique_lock lock(m_mutex);
  return m_series.erase(values) > 0;
}

Result<FamilyBase *> MetricsRegistry::add(MetricType type, std::string_view name, std::string_view help,
                                          std::vector<std::string> labels, std::span<const double> bounds) {
  const std::string where = "metric " + std::string(name);
  if (!isMetricName(name)) return Status::invalidArgument(where + ": invalid metric name");
  if (help.empty()) return Status::invalidArgument(where + ": help text is required");
  std::set<std::string_view> seen;
  for (const auto &l : labels) {
    if (!isLabelName(l)) return Status::invalidArgument(where + ": invalid label name '" + l + "'");
    if (type == MetricType::Histogram && l == "le")
      return Status::invalidArgument(where + ": 'le' is reserved for histogram buckets");
    if (!seen.insert(l).second) return Status::invalidArgument(where + ": duplicate label name '" + l + "'");
  }
  if (type == MetricType::Histogram) {
    if (bounds.empty()) return Status::invalidArgument(where + ": a histogram needs at least one bucket");
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      if (!std::isfinite(bounds[i])) return Status::invalidArgument(where + ": bucket bounds must be finite");
      if (i > 0 && !(bounds[i] > bounds[i - 1]))
        return Status::invalidArgument(where + ": bucket bounds must be strictly increasing");
    }
  }
  std::lock_guard lock(m_mutex);
  if (const auto it = m_families.find(name); it != m_families.end()) {
    FamilyBase &f = *it->second;
    const bool same = f.type() == type && f.labelNames() == labels &&
                      (type != MetricType::Histogram ||
                       std::equal(bounds.begin(), bounds.end(), f.bounds().begin(), f.bounds().end()));
    if (!same) return Status::alreadyExists(where + ": already registered with another type, labels or buckets");
    return &f;
  }
  std::unique_ptr<FamilyBase> f;
  std::vector<double> b(bounds.begin(), bounds.end());
  switch (type) {
  case MetricType::Counter:
    f = std::make_unique<CounterFamily>(type, std::string(name), std::string(help), std::move(labels), std::move(b),
                                        m_maxSeries);
    break;
  case MetricType::Gauge:
    f = std::make_unique<GaugeFamily>(type, std::string(name), std::string(help), std::move(labels), std::move(b),
                                      m_maxSeries);
    break;
  case MetricType::Histogram:
    f = std::make_unique<HistogramFamily>(type, std::string(name), std::string(help), std::move(labels), std::move(b),
                                          m_maxSeries);
    break;
  }
  FamilyBase *raw = f.get();
  m_families.emplace(std::string(name), std::move(f));
  return raw;
}

Result<CounterFamily *> MetricsRegistry::counter(std::string_view name, std::string_view help,
                                                 std::vector<std::string> labels) {
  auto r = add(MetricType::Counter, name, help, std::move(labels), {});
  if (!r) return r.status();
  return static_cast<CounterFamily *>(*r);
}

Result<GaugeFamily *> MetricsRegistry::gauge(std::string_view name, std::string_view help,
                                             std::vector<std::string> labels) {
  auto r = add(MetricType::Gauge, name, help, std::move(labels), {});
  if (!r) return r.status();
  return static_cast<GaugeFamily *>(*r);
}

Result<HistogramFamily *> MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                                     std::vector<std::string> labels, std::span<const double> bounds) {
  auto r = add(MetricType::Histogram, name, help, std::move(labels), bounds);
  if (!r) return r.status();
  return static_cast<HistogramFamily *>(*r);
}

const FamilyBase *MetricsRegistry::find(std::string_view name) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_families.find(name);
  return it == m_families.end() ? nullptr : it->second.get();
}

std::vector<const FamilyBase *> MetricsRegistry::families() const {
  std::lock_guard lock(m_mutex);
  std::vector<const FamilyBase *> out;
  out.reserve(m_families.size());
  for (const auto &[name, f] : m_families) out.push_back(f.get());
  return out;
}

std::string MetricsRegistry::exposition() const {
  std::string out;
  out.reserve(4096);
  for (const FamilyBase *f : families()) {
    out += "# HELP ";
    out += f->name();
    out += ' ';
    out += escapeHelp(f->help());
    out += "\n# TYPE ";
    out += f->name();
    out += ' ';
    out += typeName(f->type());
    out += '\n';
    f->forEach([&](const LabelValues &values, const SeriesBase &s) {
      switch (f->type()) {
      case MetricType::Counter:
        appendSample(out, f->name(), {}, *f, values, std::to_string(static_cast<const Counter &>(s).value()));
        break;
      case MetricType::Gauge:
        appendSample(out, f->name(), {}, *f, values, formatValue(static_cast<const Gauge &>(s).value()));
        break;
      case MetricType::Histogram: {
        const auto snap = static_cast<const Histogram &>(s).snapshot();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < f->bounds().size(); ++i) {
          cumulative += snap.buckets[i];
          appendSample(out, f->name(), "_bucket", *f, values, std::to_string(cumulative), formatValue(f->bounds()[i]));
        }
        appendSample(out, f->name(), "_bucket", *f, values, std::to_string(snap.count), "+Inf");
        appendSample(out, f->name(), "_sum", *f, values, formatValue(snap.sum));
        appendSample(out, f->name(), "_count", *f, values, std::to_string(snap.count));
        break;
      }
      }
    });
  }
  return out;
}

}  // namespace lmfront::observe
