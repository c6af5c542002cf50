#include "node/config/enginesection.h"

namespace lmfront::node {

int EngineSettings::slotsFor(const QString &model) const { return slots.value(model, modelSlots); }

Status readEngineSection(config::JsonSection engine, EngineSettings &settings) {
  LMFRONT_RETURN_IF_ERROR(engine.integer(u"model_slots", 0, kMaxModelSlots, settings.modelSlots));
  LMFRONT_RETURN_IF_ERROR(
      engine.integer(u"memory_budget_bytes", qint64{0}, kMaxMemoryBudgetBytes, settings.memoryBudgetBytes));
  auto slots = engine.section(u"slots");
  if (!slots) return slots.status();
  for (const auto &[name, value] : slots->entries()) {
    const double n = value.toDouble(-1);
    if (!value.isDouble() || n != static_cast<int>(n) || n < 1 || n > kMaxModelSlots)
      return slots->invalid(name, QStringLiteral("an integer from 1 to %1").arg(kMaxModelSlots));
    settings.slots.insert(name, static_cast<int>(n));
  }
  return engine.finish();
}

}  // namespace lmfront::node
