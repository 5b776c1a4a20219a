// sdk::Client: the typed client the UI reads. For now it knows whether the server is
// reachable and which version it runs; the query cache and realtime sync grow here.
// Everything runs on the UI thread: tick() starts work, the HttpClient's poll() delivers
// results, and the UI reads plain values without blocking.
#pragma once

#include <cstdint>
#include <string>

#include "platform/http_client.h"

namespace imchat::sdk {

enum class ConnectionState {
  kConnecting,   // first check in flight, nothing known yet
  kConnected,    // the last health check succeeded
  kUnreachable,  // the last check failed; retrying with backoff
};

const char* to_string(ConnectionState state);

struct ServerStatus {
  ConnectionState state = ConnectionState::kConnecting;
  std::string version;     // from the last successful check
  std::string last_error;  // why the last check failed, for the UI
  int failed_attempts = 0;
};

struct ClientOptions {
  std::string base_url;  // "" on the web (same origin), "http://127.0.0.1:8080" natively
  int64_t retry_initial_ms = 1000;
  int64_t retry_max_ms = 30000;
  int64_t recheck_ms = 30000;  // while connected
};

class Client {
 public:
  Client(platform::HttpClient& http, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts a health check when one is due. now_ms: a monotonic clock.
  void tick(int64_t now_ms);

  const ServerStatus& server() const { return server_; }
  const std::string& base_url() const { return options_.base_url; }

 private:
  void on_health(Result<platform::HttpResponse> response, int64_t started_ms);

  platform::HttpClient& http_;
  ClientOptions options_;
  ServerStatus server_;
  bool in_flight_ = false;
  platform::RequestId request_ = 0;
  int64_t next_check_ms_ = 0;
};

}  // namespace imchat::sdk
