// The vendor machinery (vendor.h): stream, SSE, retries, timeouts; a dialect per vendor.
#include "server/providers/vendor.h"

#include <algorithm>
#include <random>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "server/log.h"
#include "server/providers/http_stream.h"

namespace imchat::server {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxErrorBody = 64 * 1024;

bool retryable_status(int status) {
  return status == 408 || status == 429 || status >= 500;
}

// A rough count for servers that report no usage (some OpenAI-compatible ones): about four
// characters a token, which is what the vendors themselves quote for English.
int64_t estimate_tokens(std::string_view text) {
  return static_cast<int64_t>((text.size() + 3) / 4);
}

class VendorStream final : public CompletionStream,
                           public std::enable_shared_from_this<VendorStream> {
 public:
  VendorStream(asio::any_io_executor strand, std::shared_ptr<asio::ssl::context> tls,
               const VendorDialect& dialect, const VendorOptions& options,
               CompletionRequest request, CompletionEvents events)
      : strand_(strand),
        timer_(strand),
        tls_(std::move(tls)),
        dialect_(dialect),
        options_(options),
        request_(std::move(request)),
        events_(std::move(events)) {}

  ~VendorStream() override {
    if (http_) http_->cancel();
  }

  asio::any_io_executor strand() const { return strand_; }

  void begin() {
    built_ = dialect_.build(request_, options_.api_key);
    attempt();
  }

  void cancel() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->ended_ = true;
      self->events_ = {};
      self->timer_.cancel();
      if (self->http_) self->http_->cancel();
      self->http_.reset();
    });
  }

 private:
  void attempt() {
    status_ = 0;
    retry_after_.reset();
    error_body_.clear();
    parser_ = SseParser();
    progress_ = VendorProgress();
    progress_.emit = [this](std::string_view text) {
      if (text.empty() || ended_) return;
      streamed_ = true;
      text_.append(text);
      events_.on_delta(text);
    };
    HttpStreamRequest http;
    http.url = options_.base_url;
    // The base URL's path ("/v1") goes in front of the dialect's target ("/chat/completions").
    std::string base_path = http.url.target;
    if (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
    http.url.target = base_path + built_.target;
    http.headers = built_.headers;
    http.body = built_.body;
    http.connect_timeout = options_.connect_timeout;
    http.idle_timeout = options_.idle_timeout;
    // Weak: the exchange must not keep this stream alive (that would be a cycle through
    // http_); whoever started the reply owns it, and dropping it cancels the exchange.
    HttpStreamEvents on;
    std::weak_ptr<VendorStream> weak = shared_from_this();
    on.on_status = [weak](int status, std::optional<int> retry_after) {
      if (auto self = weak.lock()) {
        self->status_ = status;
        self->retry_after_ = retry_after;
      }
    };
    on.on_data = [weak](std::string_view bytes) {
      if (auto self = weak.lock()) self->on_data(bytes);
    };
    on.on_end = [weak] {
      if (auto self = weak.lock()) self->on_end();
    };
    on.on_failure = [weak](std::string reason) {
      if (auto self = weak.lock())
        self->fail_or_retry("cannot reach " + self->dialect_.name() + ": " + reason, true);
    };
    http_ = start_http_stream(strand_, tls_, std::move(http), std::move(on));
  }

  void on_data(std::string_view bytes) {
    if (ended_) return;
    if (status_ != 200) {
      error_body_.append(
          bytes.substr(0, kMaxErrorBody - std::min(kMaxErrorBody, error_body_.size())));
      return;
    }
    auto fed = parser_.feed(bytes, [this](const SseEvent& event) {
      if (!ended_) on_event(event);
    });
    if (!fed)
      return fail_or_retry(dialect_.name() + " sent a broken stream: " + fed.error().message,
                           false);
    after_events();
  }

  void on_event(const SseEvent& event) {
    // "[DONE]" is how OpenAI (and the servers that copy it) end a stream.
    if (event.data == "[DONE]") {
      progress_.done = true;
      return;
    }
    auto data = protocol::parse_json(event.data);
    if (!data || !data->is_object()) {
      progress_.error = "an event that is not a JSON object";
      return;
    }
    dialect_.on_event(event.event, *data, progress_);
  }

  void on_end() {
    if (ended_) return;
    if (status_ != 200) return http_error();
    parser_.finish([this](const SseEvent& event) {
      if (!ended_) on_event(event);
    });
    after_events();
    if (ended_) return;
    if (!progress_.finish_reason.empty()) return complete();
    fail_or_retry("the " + dialect_.name() + " stream ended before the reply was complete", true);
  }

  void after_events() {
    if (ended_) return;
    if (progress_.error) {
      return fail_or_retry(dialect_.name() + " reported an error: " + *progress_.error,
                           progress_.error_retryable);
    }
    if (progress_.done) complete();
  }

  void http_error() {
    std::string reason = dialect_.name() + " answered " + std::to_string(status_);
    auto body = protocol::parse_json(error_body_);
    const std::string message = body ? vendor_error_message(*body) : std::string();
    if (!message.empty()) reason += ": " + message;
    if (status_ == 401 || status_ == 403) reason += " (check the API key)";
    fail_or_retry(std::move(reason), retryable_status(status_));
  }

  void complete() {
    if (ended_) return;
    ended_ = true;
    if (http_) http_->cancel();
    http_.reset();
    Usage usage;
    usage.prompt_tokens = progress_.prompt_tokens.value_or(prompt_estimate());
    usage.completion_tokens = progress_.completion_tokens.value_or(estimate_tokens(text_));
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    auto events = std::move(events_);
    events.on_done(usage, progress_.finish_reason.empty() ? "stop" : progress_.finish_reason);
  }

  int64_t prompt_estimate() const {
    int64_t n = request_.system_prompt ? estimate_tokens(*request_.system_prompt) : 0;
    for (const auto& turn : request_.messages)
      n += estimate_tokens(turn.content);
    return n;
  }

  // Another attempt only when nothing has reached the user yet: a retry after the first
  // token would show a reply that starts over in the middle.
  void fail_or_retry(std::string reason, bool retryable) {
    if (ended_) return;
    if (http_) http_->cancel();
    http_.reset();
    if (retryable && !streamed_ && attempts_ < options_.max_retries) {
      std::chrono::milliseconds delay = backoff();
      if (retry_after_) {
        if (std::chrono::seconds(*retry_after_) > options_.max_retry_after) {
          return fail(reason + " (retry after " + std::to_string(*retry_after_) + " s)");
        }
        delay = std::chrono::seconds(*retry_after_);
      }
      ++attempts_;
      log_event("warn", "provider_retry",
                {{"provider", dialect_.name()},
                 {"attempt", std::to_string(attempts_)},
                 {"delay_ms", std::to_string(delay.count())},
                 {"reason", reason}});
      timer_.expires_after(delay);
      timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->ended_) return;
        self->attempt();
      });
      return;
    }
    if (attempts_ > 0) reason += " (after " + std::to_string(attempts_ + 1) + " attempts)";
    fail(std::move(reason));
  }

  void fail(std::string reason) {
    ended_ = true;
    auto events = std::move(events_);
    events.on_error(make_error(ErrorCode::kNetwork, std::move(reason)));
  }

  // Full jitter over an exponentially growing window: retries of many streams spread out
  // instead of arriving together.
  std::chrono::milliseconds backoff() {
    const auto window = options_.retry_base.count() * (int64_t{1} << std::min(attempts_, 10));
    std::uniform_int_distribution<int64_t> pick(window / 2, window);
    return std::chrono::milliseconds(pick(random_));
  }

  asio::any_io_executor strand_;
  asio::steady_timer timer_;
  std::shared_ptr<asio::ssl::context> tls_;
  const VendorDialect& dialect_;
  const VendorOptions& options_;
  CompletionRequest request_;
  CompletionEvents events_;
  VendorRequest built_;
  std::shared_ptr<HttpStream> http_;
  SseParser parser_;
  VendorProgress progress_;
  int status_ = 0;
  std::optional<int> retry_after_;
  std::string error_body_;
  std::string text_;
  int attempts_ = 0;
  bool streamed_ = false;
  bool ended_ = false;
  std::minstd_rand random_{std::random_device{}()};
};

class VendorProvider final : public Provider {
 public:
  VendorProvider(asio::any_io_executor executor, std::shared_ptr<asio::ssl::context> tls,
                 std::unique_ptr<VendorDialect> dialect, VendorOptions options)
      : executor_(std::move(executor)),
        tls_(std::move(tls)),
        dialect_(std::move(dialect)),
        options_(std::move(options)) {}

  std::string name() const override { return dialect_->name(); }

  std::shared_ptr<CompletionStream> start(CompletionRequest request,
                                          CompletionEvents events) override {
    auto stream = std::make_shared<VendorStream>(asio::make_strand(executor_), tls_, *dialect_,
                                                 options_, std::move(request), std::move(events));
    asio::post(stream->strand(), [stream] { stream->begin(); });
    return stream;
  }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::unique_ptr<VendorDialect> dialect_;
  VendorOptions options_;
};

}  // namespace

void VendorProgress::take_usage(const protocol::Json* usage, const char* prompt_key,
                                const char* completion_key) {
  if (!usage) return;
  if (auto n = prompt_key ? json_int(*usage, prompt_key) : std::nullopt) prompt_tokens = n;
  if (auto n = json_int(*usage, completion_key)) completion_tokens = n;
}

std::string vendor_error_message(const protocol::Json& body) {
  if (body.is_array() && !body.empty()) return vendor_error_message(body.front());
  if (!body.is_object()) return {};
  auto error = body.find("error");
  if (error == body.end()) return {};
  if (error->is_string()) return error->get<std::string>();
  const std::string* message = json_string(*error, "message");
  return message ? *message : std::string();
}

std::unique_ptr<Provider> make_vendor_provider(asio::any_io_executor executor,
                                               std::shared_ptr<asio::ssl::context> tls,
                                               std::unique_ptr<VendorDialect> dialect,
                                               VendorOptions options) {
  return std::make_unique<VendorProvider>(std::move(executor), std::move(tls), std::move(dialect),
                                          std::move(options));
}

}  // namespace imchat::server
