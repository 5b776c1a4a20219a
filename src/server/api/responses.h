// The REST answers every route builds: one error shape ({error, message, details?}) with
// the status an ErrorCode means, {data: …}, pages, and the request-body reader.
#pragma once

#include <functional>
#include <string>

#include "model/result.h"
#include "model/types.h"
#include "protocol/json.h"
#include "server/api/http_types.h"

namespace imchat::server {

// Where a request came from: the client's address (the last hop a trusted proxy names, or
// the peer), what throttles key on.
struct ClientInfo {
  std::string address;
};

Error bad_request(std::string message, std::string field = {});

// A JSON body with the status (no-store). json_error: {"error": "...", "message": "..."},
// the error shape of the REST API.
StringResponse json_response(const Request& request, http::status status, std::string body);
StringResponse json_error(const Request& request, http::status status, std::string message);

// Error value → HTTP answer. Storage and internal faults are logged and answered with a
// generic message: internals never reach the client. 401 carries WWW-Authenticate, 429 and
// 503 a Retry-After.
StringResponse error_response(const Request& req, const Error& error);
Response data_response(const Request& req, http::status status, protocol::Json data);
Response no_content(const Request& req);

template <typename T>
protocol::Json page_json(const Page<T>& page, const std::function<protocol::Json(const T&)>& item) {
  protocol::Json data = protocol::Json::array();
  for (const T& t : page.data)
    data.push_back(item(t));
  return {{"data", std::move(data)},
          {"meta",
           {{"total", page.total},
            {"skip", page.skip},
            {"take", page.take},
            {"hasMore", page.has_more}}}};
}

// The JSON object in the request body, or a 400 naming what is wrong.
Result<protocol::Json> body_object(const Request& req);

}  // namespace imchat::server
