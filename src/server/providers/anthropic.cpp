// Anthropic Messages API, streamed: POST {base}/v1/messages with stream:true. Named events:
// message_start (input tokens), content_block_delta (text_delta pieces), message_delta
// (stop_reason, output tokens), message_stop, ping, and error.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

constexpr int kMaxTokens = 4096;  // required by the API; a generous cap for chat replies

std::string error_text(const Json& json) {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return {};
  const Json& error = json["error"];
  if (error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return {};
}

std::string normalise_stop(const std::string& reason) {
  if (reason == "end_turn" || reason == "stop_sequence") return "stop";
  if (reason == "max_tokens") return "length";
  if (reason == "tool_use") return "tool_calls";
  return reason;
}

void read_usage(const Json& usage, VendorProgress& progress) {
  if (!usage.is_object()) return;
  if (usage.contains("input_tokens") && usage["input_tokens"].is_number_integer())
    progress.prompt_tokens = usage["input_tokens"].get<int64_t>();
  if (usage.contains("output_tokens") && usage["output_tokens"].is_number_integer())
    progress.completion_tokens = usage["output_tokens"].get<int64_t>();
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

  void on_event(const SseEvent& event, VendorProgress& progress) const override {
    auto parsed = protocol::parse_json(event.data);
    if (!parsed || !parsed->is_object()) {
      progress.error = "an event that is not JSON";
      return;
    }
    const Json& data = *parsed;
    const std::string type = data.contains("type") && data["type"].is_string()
                                 ? data["type"].get<std::string>()
                                 : event.event;
    if (type == "message_start") {
      if (data.contains("message") && data["message"].is_object() &&
          data["message"].contains("usage")) {
        read_usage(data["message"]["usage"], progress);
      }
    } else if (type == "content_block_delta") {
      if (data.contains("delta") && data["delta"].is_object()) {
        const Json& delta = data["delta"];
        if (delta.contains("text") && delta["text"].is_string())
          progress.emit(delta["text"].get_ref<const std::string&>());
      }
    } else if (type == "message_delta") {
      if (data.contains("delta") && data["delta"].is_object() &&
          data["delta"].contains("stop_reason") && data["delta"]["stop_reason"].is_string()) {
        progress.finish_reason = normalise_stop(data["delta"]["stop_reason"].get<std::string>());
      }
      // Output tokens here are cumulative; input tokens stay as message_start said.
      if (data.contains("usage") && data["usage"].is_object() &&
          data["usage"].contains("output_tokens") &&
          data["usage"]["output_tokens"].is_number_integer()) {
        progress.completion_tokens = data["usage"]["output_tokens"].get<int64_t>();
      }
    } else if (type == "message_stop") {
      progress.done = true;
    } else if (type == "error") {
      progress.error = error_text(data);
      if (progress.error->empty()) progress.error = "unknown error";
      progress.error_retryable = data.contains("error") && data["error"].is_object() &&
                                 data["error"].value("type", "") == "overloaded_error";
    }
    // ping, content_block_start/stop: nothing to do.
  }

  std::string error_message(std::string_view body) const override {
    auto parsed = protocol::parse_json(body);
    return parsed ? error_text(*parsed) : std::string();
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_anthropic_dialect() {
  return std::make_unique<AnthropicDialect>();
}

}  // namespace imchat::server
