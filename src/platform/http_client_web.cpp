// Web HttpClient: emscripten_fetch (XHR underneath) in the browser.
// Implements: send with method, headers, body and timeout; cancel; results queued for poll().
// Emscripten 3.1.6 traps handled here (see docs/web-platform notes):
//  - emscripten_fetch_close() on a running request frees it without aborting the XHR, and
//    the late callback then writes freed memory: cancel only marks the request; the fetch
//    is closed from its own final callback.
//  - No IndexedDB persistence (-sFETCH_SUPPORT_INDEXEDDB=0 at link time; see CMake).
#include <emscripten/fetch.h>

#include <cstring>
#include <map>

#include "platform/http_client.h"

namespace imchat::platform {
namespace {

class WebHttpClient;

// Owned by the fetch's userData until its final callback runs.
struct Pending {
  WebHttpClient* owner;
  RequestId id;
  bool cancelled = false;
  // emscripten_fetch keeps pointers to these for the whole request.
  HttpRequest request;
  std::vector<const char*> header_ptrs;
};

struct Completed {
  RequestId id;
  Result<HttpResponse> result;
};

class WebHttpClient final : public HttpClient {
 public:
  RequestId send(HttpRequest request, HttpCallback on_done) override {
    const RequestId id = next_id_++;
    callbacks_[id] = std::move(on_done);

    auto* pending = new Pending{this, id, false, std::move(request), {}};
    HttpRequest& req = pending->request;
    for (auto& [name, value] : req.headers) {
      pending->header_ptrs.push_back(name.c_str());
      pending->header_ptrs.push_back(value.c_str());
    }
    pending->header_ptrs.push_back(nullptr);

    emscripten_fetch_attr_t attr;
    emscripten_fetch_attr_init(&attr);
    std::strncpy(attr.requestMethod, req.method.c_str(), sizeof(attr.requestMethod) - 1);
    attr.attributes = EMSCRIPTEN_FETCH_LOAD_TO_MEMORY;
    attr.timeoutMSecs = static_cast<unsigned long>(req.timeout_ms);
    attr.requestHeaders = pending->header_ptrs.data();
    if (!req.body.empty()) {
      attr.requestData = req.body.data();
      attr.requestDataSize = req.body.size();
    }
    attr.userData = pending;
    attr.onsuccess = &WebHttpClient::on_finished;
    attr.onerror = &WebHttpClient::on_finished;
    pendings_[id] = pending;
    emscripten_fetch(&attr, req.url.c_str());
    return id;
  }

  void cancel(RequestId id) override {
    auto it = pendings_.find(id);
    if (it == pendings_.end() || it->second->cancelled) return;
    it->second->cancelled = true;  // the XHR runs on; its result is dropped when it lands
    callbacks_.erase(id);
  }

  void poll() override {
    std::vector<Completed> batch;
    batch.swap(ready_);
    for (auto& done : batch) {
      auto it = callbacks_.find(done.id);
      if (it == callbacks_.end()) continue;
      HttpCallback callback = std::move(it->second);
      callbacks_.erase(it);
      callback(std::move(done.result));
    }
  }

  void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }

 private:
  static void on_finished(emscripten_fetch_t* fetch) {
    auto* pending = static_cast<Pending*>(fetch->userData);
    WebHttpClient* self = pending->owner;
    self->pendings_.erase(pending->id);
    if (!pending->cancelled) {
      if (fetch->status == 0) {
        // status 0: the browser never got an HTTP answer (refused, offline, CORS, timeout).
        self->ready_.push_back(
            {pending->id,
             make_error(ErrorCode::kNetwork, std::string("could not reach ") + fetch->url)});
      } else {
        HttpResponse response;
        response.status = fetch->status;
        response.body.assign(fetch->data, fetch->numBytes);
        self->ready_.push_back({pending->id, std::move(response)});
      }
      if (self->wake_) self->wake_();
    }
    delete pending;
    emscripten_fetch_close(fetch);  // safe here: the request is over
  }

  RequestId next_id_ = 1;
  std::map<RequestId, HttpCallback> callbacks_;
  std::map<RequestId, Pending*> pendings_;
  std::vector<Completed> ready_;
  std::function<void()> wake_;
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client() {
  return std::make_unique<WebHttpClient>();
}

}  // namespace imchat::platform
