// The builtin provider (builtin.h): a deterministic Markdown reply, streamed word by word.
#include "server/providers/builtin.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace imchat::server {
namespace {

// Whitespace-delimited pieces, each keeping the whitespace before it, so concatenating the
// deltas gives the reply back exactly.
std::vector<std::string> split_tokens(const std::string& text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n'))
      ++i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n')
      ++i;
    tokens.push_back(text.substr(start, i - start));
  }
  return tokens;
}

int64_t count_words(const std::string& text) {
  return static_cast<int64_t>(split_tokens(text).size());
}

class BuiltinStream final : public CompletionStream,
                            public std::enable_shared_from_this<BuiltinStream> {
 public:
  BuiltinStream(boost::asio::any_io_executor executor, std::chrono::microseconds interval,
                std::vector<std::string> tokens, int64_t prompt_tokens, CompletionEvents events)
      : timer_(executor),
        interval_(interval),
        tokens_(std::move(tokens)),
        prompt_tokens_(prompt_tokens),
        events_(std::move(events)) {}

  void begin() { next(); }
  boost::asio::any_io_executor executor() { return timer_.get_executor(); }

  void cancel() override {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->cancelled_ = true;
      self->timer_.cancel();
      self->events_ = {};
    });
  }

 private:
  void next() {
    timer_.expires_after(interval_);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) { self->emit(); });
  }

  void emit() {
    if (cancelled_) return;
    if (index_ < tokens_.size()) {
      events_.on_delta(tokens_[index_++]);
      return next();
    }
    const auto completion = static_cast<int64_t>(tokens_.size());
    auto events = std::move(events_);  // release the caller's captures once we are done
    events.on_done(Usage{prompt_tokens_, completion, prompt_tokens_ + completion, 0.0}, "stop");
  }

  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_;
  std::vector<std::string> tokens_;
  int64_t prompt_tokens_;
  CompletionEvents events_;
  size_t index_ = 0;
  bool cancelled_ = false;
};

class BuiltinProvider final : public Provider {
 public:
  BuiltinProvider(boost::asio::any_io_executor executor, BuiltinOptions options)
      : executor_(std::move(executor)), options_(options) {}

  std::string name() const override { return "builtin"; }

  std::shared_ptr<CompletionStream> start(CompletionRequest request,
                                          CompletionEvents events) override {
    int64_t prompt_tokens = request.system_prompt ? count_words(*request.system_prompt) : 0;
    for (const auto& turn : request.messages)
      prompt_tokens += count_words(turn.content);
    // A strand per stream: its timer and cancel() never run at the same time.
    auto stream = std::make_shared<BuiltinStream>(
        boost::asio::make_strand(executor_), options_.token_interval,
        split_tokens(builtin_reply(request)), prompt_tokens, std::move(events));
    boost::asio::post(stream->executor(), [stream] { stream->begin(); });
    return stream;
  }

 private:
  boost::asio::any_io_executor executor_;
  BuiltinOptions options_;
};

}  // namespace

std::string builtin_reply(const CompletionRequest& request) {
  const std::string prompt =
      request.messages.empty() ? std::string() : request.messages.back().content;
  std::string quoted = prompt.substr(0, 200);
  for (char& c : quoted) {
    if (c == '\n' || c == '`') c = ' ';
  }
  const size_t words = split_tokens(prompt).size();
  std::string reply = "### Builtin model\n\n";
  reply += "You wrote *" + std::to_string(words) + (words == 1 ? " word" : " words") + "*: \"" +
           quoted + "\".\n\n";
  reply +=
      "This reply comes from imchat's **builtin** model, which runs offline. To talk to a real "
      "model:\n\n";
  reply += "- set `OPENAI_API_KEY` (or `OPENAI_BASE_URL` for Ollama, llama.cpp, vLLM),\n";
  reply += "- or `ANTHROPIC_API_KEY`, or `GEMINI_API_KEY`,\n";
  reply += "- then pick the model in the conversation settings.\n\n";
  reply += "```text\nconversation turns: " + std::to_string(request.messages.size()) + "\n```";
  return reply;
}

std::unique_ptr<Provider> make_builtin_provider(boost::asio::any_io_executor executor,
                                                BuiltinOptions options) {
  return std::make_unique<BuiltinProvider>(std::move(executor), options);
}

}  // namespace imchat::server
