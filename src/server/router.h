// Router: maps one HTTP request to one response. Stateless apart from what it is built
// with, and safe to call from every network thread at once.
#pragma once

#include <string>
#include <vector>

#include "server/http_types.h"
#include "server/static_files.h"

namespace imchat::server {

struct RouterOptions {
  std::string web_root;
  std::vector<std::string> cors_origins;
};

class Router {
 public:
  explicit Router(RouterOptions options);

  Response handle(const Request& request) const;

 private:
  Response handle_api(const Request& request) const;
  void add_cors(const Request& request, Response& response) const;

  RouterOptions options_;
  StaticFiles static_files_;
};

// {"error": "...", "message": "..."} with the status — the error shape of the REST API.
StringResponse json_error(const Request& request, http::status status, std::string message);
StringResponse json_response(const Request& request, http::status status, std::string body);

}  // namespace imchat::server
