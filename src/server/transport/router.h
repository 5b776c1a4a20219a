// Router: maps one HTTP request to one response. Stateless apart from what it is built
// with, and safe to call from every network thread at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "server/api/http_types.h"
#include "server/transport/static_files.h"

namespace imchat::server {

class Api;

struct RouterOptions {
  std::string web_root;
  std::vector<std::string> cors_origins;
  std::vector<std::string> frame_ancestors;  // besides 'self'
  std::vector<std::string> connect_src;      // API origins the web client may call, besides its own
  // Peers whose X-Forwarded-For names the client (a reverse proxy in front): throttles
  // must key on the client, not on the proxy every request comes from.
  std::vector<std::string> trusted_proxies;
  Api* api = nullptr;                    // storage-backed routes; none: 404
  boost::asio::any_io_executor workers;  // where Api runs (never a network thread)
};

class Router {
 public:
  explicit Router(RouterOptions options);

  using Done = std::function<void(Response)>;
  // Answers through done: at once for cheap routes (health, static files), from a worker
  // thread for the API. done may run on any thread; the session re-enters its strand.
  // peer_address: the TCP peer (no port).
  void handle(Request request, const std::string& peer_address, Done done) const;

  // The client a request is from: the peer, or the last hop a trusted proxy reports.
  std::string client_address(const Request& request, const std::string& peer_address) const;

 private:
  Response handle_inline(const Request& request) const;
  Response handle_api(const Request& request) const;
  void add_cors(const Request& request, Response& response) const;

  RouterOptions options_;
  StaticFiles static_files_;
  std::string page_policy_;  // Content-Security-Policy of static files
};

}  // namespace imchat::server
