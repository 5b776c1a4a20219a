// Config (config.h): flags and the environment (flags win), checked, and --help.
#include "server/config.h"

#include <cstdlib>
#include <functional>

#include <boost/asio/ip/address.hpp>
#include <string_view>

namespace imchat::server {
namespace {

Result<uint16_t> parse_port(std::string_view text, const char* source) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != text.npos) {
    return make_error(ErrorCode::kValidation,
                      std::string(source) + ": \"" + std::string(text) + "\" is not a port");
  }
  const long value = std::strtol(std::string(text).c_str(), nullptr, 10);
  if (value > 65535) {
    return make_error(ErrorCode::kValidation,
                      std::string(source) + ": " + std::string(text) + " is over 65535");
  }
  return static_cast<uint16_t>(value);
}

void split_into(const std::string& list, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    std::string item =
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

// Whole-number options: where each goes and its bounds.
struct CountOption {
  long long low = 0;
  long long high = 0;
  std::function<void(long long)> set;
};

CountOption* count_option(Config& c, const std::string& arg) {
  static thread_local CountOption option;
  auto size = [](size_t& target) {
    return [&target](long long n) { target = static_cast<size_t>(n); };
  };
  auto i64 = [](int64_t& target) { return [&target](long long n) { target = n; }; };
  auto i32 = [](int& target) { return [&target](long long n) { target = static_cast<int>(n); }; };
  if (arg == "--max-connections")
    option = {0, 1'000'000, size(c.max_connections)};
  else if (arg == "--max-connections-per-address")
    option = {0, 1'000'000, size(c.max_connections_per_address)};
  else if (arg == "--max-sockets-per-user")
    option = {0, 1'000'000, size(c.max_sockets_per_user)};
  else if (arg == "--max-sockets-per-address")
    option = {0, 1'000'000, size(c.max_sockets_per_address)};
  else if (arg == "--max-conversations")
    option = {1, 100'000'000, i64(c.accounts.conversations)};
  else if (arg == "--max-messages")
    option = {1, 100'000'000, i64(c.accounts.messages)};
  else if (arg == "--guest-max-conversations")
    option = {1, 100'000'000, i64(c.accounts.guest_conversations)};
  else if (arg == "--guest-max-messages")
    option = {1, 100'000'000, i64(c.accounts.guest_messages)};
  else if (arg == "--guest-ttl-days")
    option = {0, 3650, i32(c.guest_ttl_days)};
  else if (arg == "--max-replies-per-user")
    option = {0, 1000, i32(c.max_replies_per_user)};
  else if (arg == "--kdf-iterations")
    option = {1000, 10'000'000, i32(c.kdf_iterations)};
  else
    return nullptr;
  return &option;
}

// Rates: a count (burst), or a count per minute kept as per second.
struct RateOption {
  double* target = nullptr;
  double scale = 1;
};

RateOption* rate_option(Config& c, const std::string& arg) {
  static thread_local RateOption option;
  if (arg == "--auth-burst")
    option = {&c.auth.address_burst, 1};
  else if (arg == "--auth-per-minute")
    option = {&c.auth.address_per_second, 1.0 / 60};
  else if (arg == "--guest-burst")
    option = {&c.auth.guest_burst, 1};
  else if (arg == "--guests-per-minute")
    option = {&c.auth.guest_per_second, 1.0 / 60};
  else
    return nullptr;
  return &option;
}

}  // namespace

bool Config::guest_enabled() const {
  if (guest) return *guest;
  return bind == "127.0.0.1" || bind == "::1" || bind == "localhost";
}

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

const char* help_text() {
  return "usage: imchat-server [options]\n"
         "\n"
         "  --port N, PORT=N            port to listen on (default 8080; 0 picks a free one)\n"
         "  --bind ADDR, BIND=ADDR      address to listen on (default 127.0.0.1)\n"
         "  --data-dir DIR, DATA_DIR    where the SQLite database lives (default ./data)\n"
         "  --web-root DIR, WEB_ROOT    static files of the web client, served at /\n"
         "  --cors-origin ORIGIN        allow this origin to call the API (repeatable;\n"
         "                              CORS_ORIGINS=a,b)\n"
         "  --frame-ancestors ORIGIN    allow pages of this origin to embed the web client in\n"
         "                              an iframe (repeatable; FRAME_ANCESTORS=a,b; default:\n"
         "                              this server's own pages only)\n"
         "  --threads N                 network threads (default 2)\n"
         "  --guest on|off              allow POST /api/auth/guest (default: on when bound\n"
         "                              to loopback, off otherwise)\n"
         "  --max-message-bytes N       longest message content (default 32768)\n"
         "  --write-burst N             per-user writes allowed at once (default 30)\n"
         "  --writes-per-second N       and their refill rate (default 2); over it: 429\n"
         "  --ws-flush-ms N             a WebSocket's frames due within N ms travel as one\n"
         "                              batch (default 16, a display frame; 0: no wait)\n"
         "  --builtin-delay-ms N        pause between the builtin model's tokens (default 20)\n"
         "  --models-file F, MODELS_FILE  model catalogue with prices (default\n"
         "                              assets/models.json of the source tree)\n"
         "  IMCHAT_JWT_SECRET=…         token signing secret (default: generated once and\n"
         "                              kept in DATA_DIR/jwt-secret)\n"
         "\n"
         "AI models (the builtin model always works, offline):\n"
         "  OPENAI_API_KEY, OPENAI_BASE_URL      OpenAI, or any OpenAI-compatible server\n"
         "                              (Ollama: OPENAI_BASE_URL=http://127.0.0.1:11434/v1)\n"
         "  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL\n"
         "  GEMINI_API_KEY, GEMINI_BASE_URL\n"
         "  --default-model ID, DEFAULT_MODEL   for conversations that name none (default:\n"
         "                              gpt-4o-mini, claude-3-5-haiku-latest or\n"
         "                              gemini-2.0-flash by the first key set, else builtin)\n"
         "  --context-messages N        recent messages sent to the model (default 20)\n"
         "  --max-replies-per-user N    AI replies one user may have running at once\n"
         "                              (default 3; 0: no limit)\n"
         "  --provider-timeout-ms N     longest silence from a vendor (default 60000)\n"
         "  --provider-connect-timeout-ms N  (default 10000)\n"
         "  --provider-retries N        retries before the first token (default 3)\n"
         "  --provider-retry-base-ms N  first backoff, doubling with jitter (default 500)\n"
         "  --provider-ca-file F, PROVIDER_CA_FILE  extra CA certificates (PEM) for vendors\n"
         "\n"
         "Limits against abuse (0 turns one off; see docs/protocol.md, \"Limits\"):\n"
         "  --max-connections N         open connections overall (default 20000)\n"
         "  --max-connections-per-address N  from one client address (default 256)\n"
         "  --max-sockets-per-user N    WebSockets of one account (default 16)\n"
         "  --max-sockets-per-address N WebSockets from one client address (default 64)\n"
         "  --auth-burst N, --auth-per-minute N   sign-in attempts per client address\n"
         "                              (default 30 at once, then 12 a minute)\n"
         "  --guest-burst N, --guests-per-minute N  new guests per client address\n"
         "                              (default 10 at once, then 2 a minute)\n"
         "  --max-conversations N, --max-messages N  what one account may keep\n"
         "                              (default 10000 and 1000000)\n"
         "  --guest-max-conversations N, --guest-max-messages N  the same for guests\n"
         "                              (default 200 and 5000)\n"
         "  --guest-ttl-days N          guests unused this long are removed (default 30;\n"
         "                              0: kept)\n"
         "  --trusted-proxy ADDR        a reverse proxy whose X-Forwarded-For names the\n"
         "                              client (repeatable; TRUSTED_PROXIES=a,b)\n"
         "  --connect-src ORIGIN        an API origin the served web client may call\n"
         "                              besides this server (repeatable; its CSP)\n"
         "  --kdf-iterations N          PBKDF2 iterations for passwords (default 600000;\n"
         "                              lower only for tests)\n"
         "  --help                      this text\n"
         "\n"
         "The server prints \"listening on http://ADDR:PORT\" once it accepts connections,\n"
         "and stops cleanly on SIGINT or SIGTERM.\n";
}

Result<ParsedArgs> parse_args(int argc, const char* const* argv, const EnvLookup& env) {
  ParsedArgs parsed;
  Config& c = parsed.config;
  if (auto v = env("PORT")) {
    auto port = parse_port(*v, "PORT");
    if (!port) return port.error();
    c.port = *port;
  }
  if (auto v = env("BIND")) c.bind = *v;
  if (auto v = env("DATA_DIR")) c.data_dir = *v;
  if (auto v = env("WEB_ROOT")) c.web_root = *v;
  if (auto v = env("CORS_ORIGINS")) split_into(*v, c.cors_origins);
  if (auto v = env("FRAME_ANCESTORS")) split_into(*v, c.frame_ancestors);
  if (auto v = env("TRUSTED_PROXIES")) split_into(*v, c.trusted_proxies);
  if (auto v = env("IMCHAT_JWT_SECRET")) c.jwt_secret = *v;
  if (auto v = env("MODELS_FILE")) c.models_file = *v;
  if (auto v = env("DEFAULT_MODEL")) c.default_model = *v;
  if (auto v = env("OPENAI_API_KEY")) c.providers.openai_api_key = *v;
  if (auto v = env("OPENAI_BASE_URL")) c.providers.openai_base_url = *v;
  if (auto v = env("ANTHROPIC_API_KEY")) c.providers.anthropic_api_key = *v;
  if (auto v = env("ANTHROPIC_BASE_URL")) c.providers.anthropic_base_url = *v;
  if (auto v = env("GEMINI_API_KEY")) c.providers.gemini_api_key = *v;
  if (auto v = env("GEMINI_BASE_URL")) c.providers.gemini_base_url = *v;
  if (auto v = env("PROVIDER_CA_FILE")) c.providers.ca_file = *v;

  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto take = [&]() -> Result<std::string> {
      if (has_inline) return value;
      if (i + 1 >= argc) return make_error(ErrorCode::kValidation, arg + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      parsed.show_help = true;
    } else if (arg == "--port") {
      auto v = take();
      if (!v) return v.error();
      auto port = parse_port(*v, "--port");
      if (!port) return port.error();
      c.port = *port;
    } else if (arg == "--guest") {
      auto v = take();
      if (!v) return v.error();
      if (*v != "on" && *v != "off") {
        return make_error(ErrorCode::kValidation, "--guest must be on or off");
      }
      c.guest = *v == "on";
    } else if (arg == "--builtin-delay-ms") {
      auto v = take();
      if (!v) return v.error();
      const int n = std::atoi(v->c_str());
      if (n < 0 || n > 10000 || v->find_first_not_of("0123456789") != std::string::npos) {
        return make_error(ErrorCode::kValidation, "--builtin-delay-ms must be within 0..10000");
      }
      c.builtin_delay_ms = n;
    } else if (arg == "--max-message-bytes") {
      auto v = take();
      if (!v) return v.error();
      const long n = std::atol(v->c_str());
      if (n < 1 || n > 1024 * 1024) {
        return make_error(ErrorCode::kValidation, "--max-message-bytes must be within 1..1048576");
      }
      c.max_message_bytes = static_cast<size_t>(n);
    } else if (arg == "--write-burst" || arg == "--writes-per-second") {
      auto v = take();
      if (!v) return v.error();
      char* end = nullptr;
      const double n = std::strtod(v->c_str(), &end);
      if (v->empty() || *end != '\0' || n < 0 || n > 1e6) {
        return make_error(ErrorCode::kValidation, arg + " must be a number within 0..1000000");
      }
      (arg == "--write-burst" ? c.write_burst : c.writes_per_second) = n;
    } else if (arg == "--models-file" || arg == "--default-model" || arg == "--provider-ca-file") {
      auto v = take();
      if (!v) return v.error();
      if (arg == "--models-file") c.models_file = *v;
      if (arg == "--default-model") c.default_model = *v;
      if (arg == "--provider-ca-file") c.providers.ca_file = *v;
    } else if (arg == "--ws-flush-ms") {
      auto v = take();
      if (!v) return v.error();
      const int n = std::atoi(v->c_str());
      if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos || n > 1000) {
        return make_error(ErrorCode::kValidation, "--ws-flush-ms must be within 0..1000");
      }
      c.ws_flush_ms = n;
    } else if (arg == "--context-messages" || arg == "--provider-timeout-ms" ||
               arg == "--provider-connect-timeout-ms" || arg == "--provider-retries" ||
               arg == "--provider-retry-base-ms") {
      auto v = take();
      if (!v) return v.error();
      const bool digits =
          !v->empty() && v->size() <= 7 && v->find_first_not_of("0123456789") == std::string::npos;
      const int n = digits ? std::atoi(v->c_str()) : -1;
      const bool is_retries = arg == "--provider-retries";
      const bool is_context = arg == "--context-messages";
      const int low = is_context ? 1 : (is_retries ? 0 : 1);
      const int high = is_context ? 1000 : (is_retries ? 10 : 600'000);
      if (n < low || n > high) {
        return make_error(ErrorCode::kValidation, arg + " must be within " + std::to_string(low) +
                                                      ".." + std::to_string(high));
      }
      if (is_context) c.context_messages = n;
      if (is_retries) c.providers.max_retries = n;
      if (arg == "--provider-timeout-ms") c.providers.idle_timeout = std::chrono::milliseconds(n);
      if (arg == "--provider-connect-timeout-ms")
        c.providers.connect_timeout = std::chrono::milliseconds(n);
      if (arg == "--provider-retry-base-ms") c.providers.retry_base = std::chrono::milliseconds(n);
    } else if (arg == "--bind" || arg == "--data-dir" || arg == "--web-root" ||
               arg == "--cors-origin" || arg == "--frame-ancestors" || arg == "--threads") {
      auto v = take();
      if (!v) return v.error();
      if (arg == "--bind") c.bind = *v;
      if (arg == "--data-dir") c.data_dir = *v;
      if (arg == "--web-root") c.web_root = *v;
      if (arg == "--cors-origin") c.cors_origins.push_back(*v);
      if (arg == "--frame-ancestors") c.frame_ancestors.push_back(*v);
      if (arg == "--threads") {
        const int n = std::atoi(v->c_str());
        if (n < 1 || n > 64) {
          return make_error(ErrorCode::kValidation, "--threads must be within 1..64");
        }
        c.threads = n;
      }
    } else if (auto* count = count_option(c, arg)) {
      auto v = take();
      if (!v) return v.error();
      const bool digits =
          !v->empty() && v->size() <= 9 && v->find_first_not_of("0123456789") == std::string::npos;
      const long long n = digits ? std::atoll(v->c_str()) : -1;
      if (n < count->low || n > count->high) {
        return make_error(ErrorCode::kValidation, arg + " must be within " +
                                                      std::to_string(count->low) + ".." +
                                                      std::to_string(count->high));
      }
      count->set(n);
    } else if (auto* rate = rate_option(c, arg)) {
      auto v = take();
      if (!v) return v.error();
      char* end = nullptr;
      const double n = std::strtod(v->c_str(), &end);
      if (v->empty() || *end != '\0' || n < 0 || n > 1e6) {
        return make_error(ErrorCode::kValidation, arg + " must be a number within 0..1000000");
      }
      *rate->target = n * rate->scale;
    } else if (arg == "--trusted-proxy" || arg == "--connect-src") {
      auto v = take();
      if (!v) return v.error();
      (arg == "--trusted-proxy" ? c.trusted_proxies : c.connect_src).push_back(*v);
    } else {
      return make_error(ErrorCode::kValidation, "unknown option " + arg + " (see --help)");
    }
  }
  if (c.bind.empty()) return make_error(ErrorCode::kValidation, "--bind is empty");
  if (c.data_dir.empty()) return make_error(ErrorCode::kValidation, "--data-dir is empty");
  // Origins go into response headers: a stray space, quote or ';' would change the policy.
  for (const auto* list : {&c.frame_ancestors, &c.connect_src}) {
    const char* flag = list == &c.frame_ancestors ? "--frame-ancestors" : "--connect-src";
    for (const std::string& origin : *list) {
      const bool scheme = origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0;
      if (!scheme || origin.find_first_of(" \t;,'\"*\r\n") != std::string::npos ||
          origin.back() == '/' || origin.find('/', origin.find("//") + 2) != std::string::npos) {
        return make_error(
            ErrorCode::kValidation,
            std::string(flag) + " takes an origin like https://example.com, not '" + origin + "'");
      }
    }
  }
  for (std::string& proxy : c.trusted_proxies) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(proxy, ec);
    if (!ec) proxy = address.to_string();  // one spelling, as peers are compared
    if (ec) {
      return make_error(ErrorCode::kValidation,
                        "--trusted-proxy takes an IP address, not '" + proxy + "'");
    }
  }
  return parsed;
}

}  // namespace imchat::server
