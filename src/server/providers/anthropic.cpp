// Anthropic Messages API, streamed: POST {base}/v1/messages with stream:true. Named events:
// message_start (input tokens), content_block_delta (text_delta pieces), message_delta
// (stop_reason, output tokens), message_stop, ping, and error.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

constexpr int kMaxTokens = 4096;  // required by the API; a generous cap for chat replies

std::string normalise_stop(const std::string& reason) {
  if (reason == "end_turn" || reason == "stop_sequence") return "stop";
  if (reason == "max_tokens") return "length";
  if (reason == "tool_use") return "tool_calls";
  return reason;
}

class AnthropicDialect final : public VendorDialect {
 public:
  std::string name() const override { return "anthropic"; }

  VendorRequest build(const CompletionRequest& request, const std::string& api_key) const override {
    // The API wants user and assistant turns alternating, starting with the user: merge
    // neighbours of the same role and drop a leading assistant turn.
    Json messages = Json::array();
    for (const auto& turn : request.messages) {
      const char* role = turn.role == MessageRole::kAssistant ? "assistant" : "user";
      if (messages.empty() && std::string(role) == "assistant") continue;
      if (!messages.empty() && messages.back()["role"] == role) {
        messages.back()["content"] =
            messages.back()["content"].get<std::string>() + "\n\n" + turn.content;
      } else {
        messages.push_back({{"role", role}, {"content", turn.content}});
      }
    }
    Json body = {{"model", request.model},
                 {"max_tokens", kMaxTokens},
                 {"messages", std::move(messages)},
                 {"stream", true}};
    if (request.system_prompt && !request.system_prompt->empty())
      body["system"] = *request.system_prompt;
    if (request.temperature) body["temperature"] = *request.temperature;
    VendorRequest out;
    out.target = "/v1/messages";
    out.headers = {{"x-api-key", api_key}, {"anthropic-version", "2023-06-01"}};
    out.body = protocol::dump_json(body);
    return out;
  }

  void on_event(const std::string& event, const Json& data,
                VendorProgress& progress) const override {
    const std::string* named = json_string(data, "type");
    const std::string type = named ? *named : event;
    const Json* delta = json_object(data, "delta");
    if (type == "message_start") {
      const Json* message = json_object(data, "message");
      if (message)
        progress.take_usage(json_object(*message, "usage"), "input_tokens", "output_tokens");
    } else if (type == "content_block_delta") {
      if (const auto* text = delta ? json_string(*delta, "text") : nullptr) progress.emit(*text);
    } else if (type == "message_delta") {
      if (const auto* reason = delta ? json_string(*delta, "stop_reason") : nullptr)
        progress.finish_reason = normalise_stop(*reason);
      // Output tokens here are cumulative; input tokens stay as message_start said.
      progress.take_usage(json_object(data, "usage"), nullptr, "output_tokens");
    } else if (type == "message_stop") {
      progress.done = true;
    } else if (type == "error") {
      progress.error = vendor_error_message(data);
      if (progress.error->empty()) progress.error = "unknown error";
      // Read defensively like every vendor field: json::value() throws when "type" is there
      // but not a string (found by tests/fuzz/fuzz_sse), and a throw here ends the server.
      const protocol::Json* error = json_object(data, "error");
      progress.error_retryable = error && protocol::json_text(*error, "type") == "overloaded_error";
    }
    // ping, content_block_start/stop: nothing to do.
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_anthropic_dialect() {
  return std::make_unique<AnthropicDialect>();
}

}  // namespace imchat::server
