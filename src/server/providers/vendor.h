// VendorProvider: a Provider for an AI vendor's HTTP streaming API. What is the same for
// every vendor lives here — the HTTP(S) exchange, server-sent events, retries with
// exponential backoff and jitter (connection errors, 408, 429 with Retry-After, 5xx; never
// once a token has been streamed), timeouts, turning error answers into readable reasons.
// What differs — the request body, the headers, the meaning of each event — is a
// VendorDialect, one file per vendor: openai.cpp, anthropic.cpp, gemini.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include "protocol/json.h"
#include "protocol/url.h"
#include "server/providers/provider.h"
#include "server/providers/sse_parser.h"

namespace imchat::server {

// The part of a request a dialect decides; the base URL's path is put in front of target.
struct VendorRequest {
  std::string target;  // "/chat/completions", "/v1/messages", …
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// What the events of one stream said so far; a dialect fills it in.
struct VendorProgress {
  std::function<void(std::string_view)> emit;  // a piece of the reply's text
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  std::string finish_reason;         // normalised: stop, length, content_filter, tool_calls, …
  bool done = false;                 // the vendor said the reply is complete
  std::optional<std::string> error;  // the vendor reported a failure inside the stream
  bool error_retryable = false;      // …of a kind worth another attempt (overloaded)

  // Token counts from a usage object, under the names this vendor gives them; a count
  // that is missing keeps what an earlier event said.
  void take_usage(const protocol::Json* usage, const char* prompt_key, const char* completion_key);
};

class VendorDialect {
 public:
  virtual ~VendorDialect() = default;
  virtual std::string name() const = 0;
  virtual VendorRequest build(const CompletionRequest& request,
                              const std::string& api_key) const = 0;
  // One event of the stream: its name ("" when unnamed) and its data, already parsed (an
  // event whose data is not a JSON object never gets here: that is an error of its own).
  virtual void on_event(const std::string& event, const protocol::Json& data,
                        VendorProgress& progress) const = 0;
};

// The readable part of a vendor's error JSON, empty when there is none. All three use
// {"error":{"message":…}} (OpenAI-compatible servers sometimes {"error":"…"}; Gemini may
// wrap it in an array), in error answers and inside streams alike.
std::string vendor_error_message(const protocol::Json& body);

// Vendors' JSON is read defensively (protocol/json.h): a field of the wrong type counts
// as absent.
using protocol::json_int;
using protocol::json_object;
using protocol::json_string;

std::unique_ptr<VendorDialect> make_openai_dialect();
std::unique_ptr<VendorDialect> make_anthropic_dialect();
std::unique_ptr<VendorDialect> make_gemini_dialect();

struct VendorOptions {
  protocol::Url base_url;
  std::string api_key;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  int max_retries = 3;
  std::chrono::milliseconds retry_base{500};  // first backoff; doubles per attempt
  std::chrono::seconds max_retry_after{30};   // a longer Retry-After fails at once
};

std::unique_ptr<Provider> make_vendor_provider(boost::asio::any_io_executor executor,
                                               std::shared_ptr<boost::asio::ssl::context> tls,
                                               std::unique_ptr<VendorDialect> dialect,
                                               VendorOptions options);

}  // namespace imchat::server
