#include "sdk/client.h"

#include <algorithm>

#include "protocol/health.h"

namespace imchat::sdk {

const char* to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

Client::Client(platform::HttpClient& http, ClientOptions options)
    : http_(http), options_(std::move(options)) {}

Client::~Client() {
  if (in_flight_) http_.cancel(request_);
}

void Client::tick(int64_t now_ms) {
  if (in_flight_ || now_ms < next_check_ms_) return;
  in_flight_ = true;
  platform::HttpRequest request;
  request.url = options_.base_url + "/api/health";
  request.headers.emplace_back("Accept", "application/json");
  request.timeout_ms = 10000;
  request_ = http_.send(std::move(request), [this, now_ms](Result<platform::HttpResponse> r) {
    on_health(std::move(r), now_ms);
  });
}

void Client::on_health(Result<platform::HttpResponse> response, int64_t started_ms) {
  in_flight_ = false;

  Result<protocol::Health> health = [&]() -> Result<protocol::Health> {
    if (!response) return response.error();
    if (response->status != 200) {
      Error e =
          make_error(ErrorCode::kHttp, "health check answered " + std::to_string(response->status));
      e.status = response->status;
      return e;
    }
    auto json = protocol::parse_json(response->body);
    if (!json) return json.error();
    auto parsed = protocol::health_from_json(*json);
    if (parsed && parsed->status != "ok") {
      return make_error(ErrorCode::kValidation, "server status is \"" + parsed->status + "\"");
    }
    return parsed;
  }();

  if (health) {
    server_.state = ConnectionState::kConnected;
    server_.version = health->version;
    server_.last_error.clear();
    server_.failed_attempts = 0;
    next_check_ms_ = started_ms + options_.recheck_ms;
    return;
  }
  server_.state = ConnectionState::kUnreachable;
  server_.last_error = health.error().describe();
  const int shift = std::min(server_.failed_attempts, 16);
  server_.failed_attempts += 1;
  next_check_ms_ = started_ms + std::min(options_.retry_initial_ms << shift, options_.retry_max_ms);
}

}  // namespace imchat::sdk
