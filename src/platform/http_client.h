// HttpClient: the one way client code makes HTTP requests.
//
// Implementations, one per platform (like Dear ImGui's backends):
//   http_client_native.cpp  Boost.Beast on an I/O thread; results queued for poll()
//   http_client_web.cpp     emscripten_fetch; results queued for poll() as well
// Callbacks always run on the UI thread, inside poll(), so the caller can touch its state
// without locks and never from the middle of an ImGui frame.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"

namespace imchat::platform {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute ("http://host:port/path") or, on the web, page-relative ("/api/…")
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int timeout_ms = 15000;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

using RequestId = uint64_t;
using HttpCallback = std::function<void(Result<HttpResponse>)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Starts a request. Transport failures (refused, timed out, reset) arrive as a kNetwork
  // error; any HTTP status, including 4xx/5xx, arrives as a response.
  virtual RequestId send(HttpRequest request, HttpCallback on_done) = 0;

  // Stops the request; its callback is dropped and never runs, so an owner may cancel from
  // its destructor. Unknown or finished ids are ignored.
  virtual void cancel(RequestId id) = 0;

  // Runs the callbacks of finished requests. Call once per frame on the UI thread.
  virtual void poll() = 0;

  // Called (from any thread) when a result is waiting for poll(), so an idle UI can wake.
  virtual void set_wake(std::function<void()> wake) = 0;
};

std::unique_ptr<HttpClient> make_http_client();

}  // namespace imchat::platform
