// HttpStream: one outgoing HTTP(S) POST whose response body is handed over as it arrives —
// what a vendor's server-sent-event stream needs. Beast over Asio, TLS through OpenSSL
// (peer and host name verified against the system's CA store, or a given CA file).
//
// Everything runs on the executor given (make it a strand); events arrive there, in
// order: on_status once, on_data any number of times, then exactly one of on_end /
// on_failure. cancel() closes the connection; no event follows it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "model/result.h"
#include "protocol/url.h"

namespace imchat::server {

struct HttpStreamRequest {
  protocol::Url url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as application/json
  std::chrono::milliseconds connect_timeout{10'000};
  // The longest silence tolerated while waiting for the answer or between two chunks.
  std::chrono::milliseconds idle_timeout{60'000};
};

struct HttpStreamEvents {
  // retry_after_s: the Retry-After header in seconds, when present and readable.
  std::function<void(int status, std::optional<int> retry_after_s)> on_status;
  std::function<void(std::string_view bytes)> on_data;
  std::function<void()> on_end;
  std::function<void(std::string reason)> on_failure;
};

class HttpStream {
 public:
  virtual ~HttpStream() = default;
  virtual void cancel() = 0;
};

// A client TLS context that verifies peers: the system store, plus ca_file when given.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    const std::string& ca_file);

// tls may be null for plain http URLs; an https URL without it fails at once.
std::shared_ptr<HttpStream> start_http_stream(boost::asio::any_io_executor executor,
                                              std::shared_ptr<boost::asio::ssl::context> tls,
                                              HttpStreamRequest request, HttpStreamEvents events);

}  // namespace imchat::server
