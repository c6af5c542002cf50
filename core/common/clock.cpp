#include "common/clock.h"

namespace lmfront {

namespace {
class SteadyClock final : public Clock {
public:
  TimePoint now() const override { return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now()); }
};
}  // namespace

const Clock &Clock::steady() {
  static const SteadyClock clock;
  return clock;
}

}  // namespace lmfront
