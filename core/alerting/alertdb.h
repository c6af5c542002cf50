// The alerting database of a node, DATA_DIR/alerts/alerts.db: alert history (alerthistory.h),
// silences (silencebook.h) and the notification outbox (node/alertnotifier.h) share one SQLite
// file, so an alert's change, the silence that muted it and the notification it owes are written
// in one transaction. The schema is one list of numbered migrations (storage/sqlitedb.h): append,
// never edit a released step.
//
// Threads: the connection belongs to the thread that opened it (the node thread on a node).
#pragma once

#include "common/status.h"
#include "storage/sqlitedb.h"

#include <memory>
#include <string>

namespace lmfront::alerting {

Result<std::unique_ptr<storage::SqliteDb>> openAlertDb(const std::string &path);

}  // namespace lmfront::alerting
