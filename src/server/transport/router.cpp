// Router (router.h): health, static files and CORS inline; /api to the workers.
#include "server/transport/router.h"

#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "model/version.h"
#include "protocol/health.h"
#include "server/api/responses.h"
#include "server/api/rest_api.h"
#include "server/chat/rate_limiter.h"

namespace imchat::server {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

Router::Router(RouterOptions options)
    : options_(std::move(options)), static_files_(options_.web_root) {
  // The web client's page: scripts only from this site (no inline script, no eval; wasm
  // compiles under 'wasm-unsafe-eval'), network only to itself and the configured API
  // origins — a token cannot be sent anywhere else even by injected script —, and framed
  // only by the pages allowed to embed it.
  page_policy_ =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
      "'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'";
  for (const std::string& origin : options_.connect_src) {
    page_policy_ += " " + origin;
    // The same server's WebSocket (CSP matches ws: to http: only for 'self').
    if (origin.rfind("https://", 0) == 0) page_policy_ += " wss://" + origin.substr(8);
    if (origin.rfind("http://", 0) == 0) page_policy_ += " ws://" + origin.substr(7);
  }
  page_policy_ +=
      "; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
  for (const std::string& origin : options_.frame_ancestors)
    page_policy_ += " " + origin;
}

std::string Router::client_address(const Request& request, const std::string& peer) const {
  if (std::find(options_.trusted_proxies.begin(), options_.trusted_proxies.end(),
                normalized_address(peer)) == options_.trusted_proxies.end())
    return peer;
  // "client, proxy1, proxy2": only the last entry was written by our proxy; what comes
  // before it is whatever the client claimed — also in an earlier header line of the same
  // name, which a proxy that adds a line of its own leaves first.
  std::string_view forwarded;
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it)
    forwarded = it->value();
  if (forwarded.empty()) return peer;
  std::string_view last = forwarded.substr(forwarded.rfind(',') + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t'))
    last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t'))
    last.remove_suffix(1);
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(last), ec);
  return ec ? peer : address.to_string();
}

void Router::handle(Request request, const std::string& peer_address, Done done) const {
  const std::string_view path = path_of(request.target());
  const bool needs_worker = starts_with(path, "/api/") && path != "/api/health" &&
                            request.method() != http::verb::options && options_.api;
  if (!needs_worker) {
    Response response = handle_inline(request);
    add_cors(request, response);
    done(std::move(response));
    return;
  }
  auto shared = std::make_shared<Request>(std::move(request));
  auto client = std::make_shared<ClientInfo>(ClientInfo{client_address(*shared, peer_address)});
  boost::asio::post(options_.workers, [this, shared, client, done = std::move(done)] {
    // The request lives as long as its answer is pending: some routes answer later.
    options_.api->handle(*shared, *client, [this, shared, client, done](Response response) {
      add_cors(*shared, response);
      done(std::move(response));
    });
  });
}

Response Router::handle_inline(const Request& request) const {
  const std::string_view path = path_of(request.target());
  return [&]() -> Response {
    if (starts_with(path, "/api/") || path == "/api") return handle_api(request);
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      return json_error(request, http::status::method_not_allowed,
                        "static files answer GET and HEAD only");
    }
    if (static_files_.enabled()) {
      if (auto file = static_files_.serve(request)) {
        // Who may show the web client in an iframe: the server's own pages and the
        // configured origins; any other page gets a blank frame, not a clickjackable app.
        std::visit(
            [&](auto& res) {
              res.set("Content-Security-Policy", page_policy_);
              // Links out of the chat say nothing about where they came from.
              res.set("Referrer-Policy", "no-referrer");
            },
            *file);
        return std::move(*file);
      }
    }
    return json_error(request, http::status::not_found, "no such file");
  }();
}

Response Router::handle_api(const Request& request) const {
  const std::string_view path = path_of(request.target());
  if (request.method() == http::verb::options) {
    EmptyResponse res{http::status::no_content, request.version()};
    res.set(http::field::access_control_allow_methods, "GET, POST, PATCH, DELETE, OPTIONS");
    res.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
    res.set(http::field::access_control_max_age, "600");
    res.keep_alive(request.keep_alive());
    return res;
  }
  if (path == "/api/health") {
    if (request.method() != http::verb::get) {
      return json_error(request, http::status::method_not_allowed, "use GET");
    }
    const protocol::Health health{"ok", kVersion, now_utc()};
    return json_response(request, http::status::ok, protocol::dump_json(protocol::to_json(health)));
  }
  return json_error(
      request, http::status::not_found,
      "no route for " + std::string(request.method_string()) + " " + std::string(path));
}

void Router::add_cors(const Request& request, Response& response) const {
  // Every answer is what its Content-Type says: never sniffed into script or HTML.
  std::visit([&](auto& res) { res.set("X-Content-Type-Options", "nosniff"); }, response);
  const auto origin = request[http::field::origin];
  if (origin.empty()) return;
  const bool allowed = std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                 origin) != options_.cors_origins.end();
  if (!allowed) return;
  std::visit(
      [&](auto& res) {
        res.set(http::field::access_control_allow_origin, origin);
        res.insert(http::field::vary, "Origin");
      },
      response);
}

}  // namespace imchat::server
