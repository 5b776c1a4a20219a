// Server configuration from flags and the environment (flags win). --help documents all.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "protocol/limits.h"
#include "server/api/auth_api.h"
#include "server/auth/credentials.h"
#include "server/providers/provider_set.h"
#include "server/store/storage.h"

namespace imchat::server {

struct Config {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (tests); the bound one is printed
  std::string data_dir = "./data";
  std::string web_root;  // static files of the web client; empty: serve the API only
  std::vector<std::string> cors_origins;
  // Pages allowed to show the web client in an iframe (CSP frame-ancestors on the static
  // files); the server's own origin always may, nobody else unless listed.
  std::vector<std::string> frame_ancestors;
  int threads = 2;
  // Guest sign-in without an account: on by default only on loopback, so `make run` needs
  // no sign-up while a public bind does not hand out accounts.
  std::optional<bool> guest;  // unset: decided by bind address
  size_t max_message_bytes = protocol::kMaxContentBytes;
  std::string jwt_secret;  // IMCHAT_JWT_SECRET; empty: kept in DATA_DIR
  int64_t token_ttl_seconds = 30 * 24 * 3600;
  double write_burst = 30;       // per-user writes allowed at once…
  double writes_per_second = 2;  // …and refilled at this rate
  int ws_flush_ms = 16;          // a socket's frames due within this gather into one batch
  int builtin_delay_ms = 20;     // the builtin model's pause between tokens
  std::string models_file = IMCHAT_DEFAULT_MODELS_FILE;  // the model catalogue (prices)
  std::string default_model;     // empty: the first vendor with a key, else builtin
  int context_messages = 20;     // how many recent messages a model sees
  int max_replies_per_user = 3;  // AI replies one user may have running at once

  // Limits against abuse (docs/protocol.md, "Limits"); 0 = none, for benchmarks.
  int kdf_iterations = kDefaultKdfIterations;  // PBKDF2; lower only for tests
  size_t max_connections = 20'000;             // open TCP connections overall…
  size_t max_connections_per_address = 256;    // …and from one client address
  size_t max_sockets_per_user = 16;            // WebSockets of one account (tabs, devices)
  size_t max_sockets_per_address = 64;         // WebSockets from one client address
  std::vector<std::string> trusted_proxies;    // whose X-Forwarded-For names the client
  std::vector<std::string> connect_src;  // API origins the web client may call besides its own
  AuthLimits auth;                       // sign-in throttles per address and per email
  AccountLimits accounts;                // what one account may keep
  int guest_ttl_days = 30;               // unused guests are removed after this

  // AI vendors (keys, base URLs, timeouts, retries): a vendor is used once its key (or,
  // for OpenAI, its base URL) is set.
  ProviderSettings providers;

  bool guest_enabled() const;
};

// What main() should do after parsing.
struct ParsedArgs {
  Config config;
  bool show_help = false;
};

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// argv[0] is skipped. env is consulted for PORT, BIND, DATA_DIR, WEB_ROOT, CORS_ORIGINS,
// FRAME_ANCESTORS.
Result<ParsedArgs> parse_args(int argc, const char* const* argv, const EnvLookup& env);

std::optional<std::string> process_env(const char* name);

const char* help_text();

}  // namespace imchat::server
