// The REST answers (responses.h): one error shape, {data}, no-content, the body reader.
#include "server/api/responses.h"

#include <algorithm>

#include "server/log.h"

namespace imchat::server {

using protocol::Json;

StringResponse json_response(const Request& request, http::status status, std::string body) {
  StringResponse res{status, request.version()};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

StringResponse json_error(const Request& request, http::status status, std::string message) {
  protocol::Json body = {{"error", std::string(http::obsolete_reason(status))},
                         {"message", std::move(message)}};
  return json_response(request, status, protocol::dump_json(body));
}

Error bad_request(std::string message, std::string field) {
  Error e = make_error(ErrorCode::kValidation, std::move(message));
  e.field = std::move(field);
  return e;
}

StringResponse error_response(const Request& req, const Error& error) {
  http::status status = http::status::internal_server_error;
  std::string message = error.message;
  switch (error.code) {
    case ErrorCode::kParse:
    case ErrorCode::kValidation:
      status = http::status::bad_request;
      break;
    case ErrorCode::kNotFound:
      status = http::status::not_found;
      break;
    case ErrorCode::kConflict:
      status = http::status::conflict;
      break;
    case ErrorCode::kUnauthorized:
      status = http::status::unauthorized;
      break;
    case ErrorCode::kForbidden:
      status = http::status::forbidden;
      break;
    case ErrorCode::kTooLarge:
      status = http::status::payload_too_large;
      break;
    case ErrorCode::kRateLimited:
      status = http::status::too_many_requests;
      break;
    case ErrorCode::kBusy:
      status = http::status::service_unavailable;
      break;
    default:
      log_event("error", "internal_error",
                {{"path", std::string(req.target().substr(0, req.target().find('?')))},
                 {"error", error.describe()}});
      message = "internal error";
  }
  Json body = {{"error", std::string(http::obsolete_reason(status))}, {"message", message}};
  if (!error.field.empty()) body["details"] = {{"field", error.field}};
  StringResponse res = json_response(req, status, protocol::dump_json(body));
  if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  if (status == http::status::too_many_requests || status == http::status::service_unavailable) {
    res.set(http::field::retry_after, std::to_string(std::max(1, error.retry_after_s)));
  }
  return res;
}

Response data_response(const Request& req, http::status status, Json data) {
  return json_response(req, status, protocol::dump_json(Json{{"data", std::move(data)}}));
}

Response no_content(const Request& req) {
  EmptyResponse res{http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  return res;
}

Result<Json> body_object(const Request& req) {
  auto json = protocol::parse_json(req.body());
  if (!json) return bad_request("request body: " + json.error().message);
  if (!json->is_object()) return bad_request("request body must be a JSON object");
  return json;
}

}  // namespace imchat::server
