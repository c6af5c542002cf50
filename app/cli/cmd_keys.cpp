// `lmfront keys`: create, list and revoke the node's API keys in DATA_DIR/auth.sqlite.
// Thin front end over gateway::auth::KeyStore. `create` prints the key alone on stdout (so
// KEY=$(lmfront keys create ...) works) and the notes on stderr; the key is never shown again.
// A running node picks up changes on its next reload (it polls the store's change token).
#include "commandregistry.h"
#include "common/jsonescape.h"
#include "gateway/auth/keystore.h"

#include <QStandardPaths>
#include <QString>

#include <cstdio>
#include <ctime>
#include <string>

namespace {

using lmfront::Status;
using lmfront::StatusCode;
using Args = lmfront::config::ParsedFlags;
namespace config = lmfront::config;
using lmfront::cli::fail;
namespace auth = lmfront::gateway::auth;

// `create` takes every flag; `list` and `revoke` the ones after --role.
constexpr config::FlagSpec kCreateFlags[] = {
    config::flag("name", "NAME", "1-64 of letters, digits and . _ @ - (unique among active keys); create only"),
    config::flag("role", "ROLE",
                 "viewer (read models, metrics, health), user (+ completions, score), operator (+ deploy, rollback, "
                 "drain, ack), admin (+ keys); create only"),
    config::flag("data-dir", "DIR", "the node's data directory")
        .byDefault("$XDG_DATA_HOME/lmfront, ~/.local/share/lmfront"),
    config::switchFlag("json", "machine-readable output on stdout"),
    config::switchFlag("help", "print this help"),
};
const std::span<const config::FlagSpec> kOtherFlags = std::span(kCreateFlags).subspan(2);

std::string usage() {
  return lmfront::cli::usageText(
      "keys create --name NAME --role viewer|user|operator|admin [--data-dir DIR] [--json]\n"
      "       lmfront keys list [--data-dir DIR] [--json]\n"
      "       lmfront keys revoke ID|NAME [--data-dir DIR]",
      kCreateFlags,
      "Manages the API keys a node accepts (Authorization: Bearer lmf_...). Only salted hashes are\n"
      "stored; `create` prints the key once.\n");
}

std::string defaultDataDir() {
  // The node's default (core/node/nodeconfig.cpp): GenericDataLocation is $XDG_DATA_HOME.
  const QString dir =
      QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lmfront");
  return dir.toStdString();
}

std::string isoTime(std::int64_t unixMs) {
  const std::time_t t = static_cast<std::time_t>(unixMs / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

using lmfront::jsonString;

std::string jsonTime(const std::optional<std::int64_t> &ms) { return ms ? jsonString(isoTime(*ms)) : "null"; }

std::string recordJson(const auth::KeyRecord &r) {
  return "{\"id\":" + jsonString(r.keyId) + ",\"prefix\":" + jsonString(std::string(auth::kKeyPrefix) + r.keyId) +
         ",\"name\":" + jsonString(r.name) + ",\"role\":" + jsonString(std::string(auth::roleName(r.role))) +
         ",\"created_at\":" + jsonString(isoTime(r.createdAtMs)) + ",\"last_used_at\":" + jsonTime(r.lastUsedAtMs) +
         ",\"revoked_at\":" + jsonTime(r.revokedAtMs) + "}";
}

// Input mistakes are usage errors (exit 2); everything else is a failure of the work (exit 1).
int failStatus(const Status &st) {
  return fail("keys", st.message(), st.code() == StatusCode::InvalidArgument ? 2 : 1);
}

std::unique_ptr<auth::KeyStore> openStore(const Args &args, int &exitCode) {
  auto store = auth::KeyStore::open(args.value("data-dir", defaultDataDir()));
  if (!store) {
    exitCode = failStatus(store.status());
    return nullptr;
  }
  return std::move(store).value();
}

int create(const Args &args) {
  if (!args.positionals().empty()) return fail("keys", "create takes no positional arguments", 2);
  if (Status st = args.require({"name", "role"}); !st) return fail("keys", st.message(), 2);
  auto role = auth::parseRole(args.value("role"));
  if (!role) return failStatus(role.status());
  if (Status st = auth::validateKeyName(args.value("name")); !st) return failStatus(st);
  int code = 0;
  auto store = openStore(args, code);
  if (!store) return code;
  auto created = store->create(args.value("name"), *role);
  if (!created) return failStatus(created.status());
  const auth::KeyRecord &r = created->record;
  if (args.has("json")) {
    std::string json = recordJson(r);
    json.insert(json.size() - 1, ",\"key\":" + jsonString(created->key));
    std::printf("%s\n", json.c_str());
  } else {
    std::printf("%s\n", created->key.c_str());
    std::fprintf(stderr,
                 "created API key '%s' (role %s, id %s%s) in %s\n"
                 "This is the only time the key is shown: store it now. Send it as\n"
                 "  Authorization: Bearer %s...\n",
                 r.name.c_str(), std::string(auth::roleName(r.role)).c_str(), std::string(auth::kKeyPrefix).c_str(),
                 r.keyId.c_str(), store->path().c_str(), created->key.substr(0, 12).c_str());
  }
  std::fflush(stdout);
  return 0;
}

int list(const Args &args) {
  if (!args.positionals().empty()) return fail("keys", "list takes no positional arguments", 2);
  int code = 0;
  auto store = openStore(args, code);
  if (!store) return code;
  auto keys = store->list();
  if (!keys) return failStatus(keys.status());
  if (args.has("json")) {
    std::string json = "[";
    for (std::size_t i = 0; i < keys->size(); ++i) {
      if (i) json += ',';
      json += recordJson((*keys)[i]);
    }
    std::printf("%s]\n", json.c_str());
    return 0;
  }
  if (keys->empty()) {
    std::fprintf(stderr, "no API keys in %s (create one with: lmfront keys create --name NAME --role ROLE)\n",
                 store->path().c_str());
    return 0;
  }
  std::printf("%-14s %-24s %-9s %-21s %-21s %s\n", "ID", "NAME", "ROLE", "CREATED", "LAST USED", "STATUS");
  for (const auth::KeyRecord &r : *keys) {
    const std::string id = std::string(auth::kKeyPrefix) + r.keyId;
    std::printf("%-14s %-24s %-9s %-21s %-21s %s\n", id.c_str(), r.name.c_str(),
                std::string(auth::roleName(r.role)).c_str(), isoTime(r.createdAtMs).c_str(),
                r.lastUsedAtMs ? isoTime(*r.lastUsedAtMs).c_str() : "never",
                r.revokedAtMs ? ("revoked " + isoTime(*r.revokedAtMs)).c_str() : "active");
  }
  return 0;
}

int revoke(const Args &args) {
  if (args.positionals().size() != 1) return fail("keys", "revoke needs exactly one ID or NAME\n" + usage(), 2);
  int code = 0;
  auto store = openStore(args, code);
  if (!store) return code;
  auto revoked = store->revoke(args.positionals().front());
  if (!revoked) return failStatus(revoked.status());
  std::fprintf(stderr, "revoked API key %s%s ('%s', role %s)\n", std::string(auth::kKeyPrefix).c_str(),
               revoked->keyId.c_str(), revoked->name.c_str(), std::string(auth::roleName(revoked->role)).c_str());
  return 0;
}

int runKeys(int argc, char **argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
    std::fputs(usage().c_str(), argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string sub = argv[1];
  auto parsed = config::parseFlags(sub == "create" ? std::span<const config::FlagSpec>(kCreateFlags) : kOtherFlags,
                                   argc, argv, 2);
  if (!parsed) return fail("keys", parsed.status().message() + "\n" + usage(), 2);
  const Args &args = *parsed;
  if (args.has("help")) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (sub == "create") return create(args);
  if (sub == "list") return list(args);
  if (sub == "revoke") return revoke(args);
  return fail("keys", "unknown subcommand '" + sub + "' (create, list or revoke)\n" + usage(), 2);
}

const bool kRegistered =
    lmfront::cli::registerCommand({"keys", "create, list and revoke API keys (viewer|user|operator|admin)", &runKeys});

}  // namespace
