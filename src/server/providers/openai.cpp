// OpenAI Chat Completions, streamed: POST {base}/chat/completions with stream:true; the
// answer is "data: {chunk}" events and a final "data: [DONE]". The same dialect serves
// every OpenAI-compatible server (Ollama, llama.cpp server, vLLM) through OPENAI_BASE_URL.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

const char* role_name(MessageRole role) {
  switch (role) {
    case MessageRole::kAssistant:
      return "assistant";
    case MessageRole::kSystem:
      return "system";
    default:
      return "user";
  }
}

// The error text inside {"error":{"message":…}} — the shape of both error answers and
// errors sent inside a stream.
std::string error_text(const Json& json) {
  if (!json.is_object() || !json.contains("error")) return {};
  const Json& error = json["error"];
  if (error.is_string()) return error.get<std::string>();
  if (error.is_object() && error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return {};
}

class OpenAiDialect final : public VendorDialect {
 public:
  std::string name() const override { return "openai"; }

  VendorRequest build(const CompletionRequest& request, const std::string& api_key) const override {
    Json messages = Json::array();
    if (request.system_prompt && !request.system_prompt->empty())
      messages.push_back({{"role", "system"}, {"content", *request.system_prompt}});
    for (const auto& turn : request.messages)
      messages.push_back({{"role", role_name(turn.role)}, {"content", turn.content}});
    Json body = {{"model", request.model},
                 {"messages", std::move(messages)},
                 {"stream", true},
                 {"stream_options", {{"include_usage", true}}}};
    if (request.temperature) body["temperature"] = *request.temperature;
    VendorRequest out;
    out.target = "/chat/completions";
    // Local servers need no key; sending an empty bearer would only confuse them.
    if (!api_key.empty()) out.headers.emplace_back("Authorization", "Bearer " + api_key);
    out.body = protocol::dump_json(body);
    return out;
  }

  void on_event(const SseEvent& event, VendorProgress& progress) const override {
    if (event.data == "[DONE]") {
      progress.done = true;
      return;
    }
    auto parsed = protocol::parse_json(event.data);
    if (!parsed || !parsed->is_object()) {
      progress.error = "an event that is not JSON";
      return;
    }
    const Json& chunk = *parsed;
    if (auto error = error_text(chunk); !error.empty()) {
      progress.error = error;
      return;
    }
    if (chunk.contains("choices") && chunk["choices"].is_array()) {
      for (const Json& choice : chunk["choices"]) {
        if (!choice.is_object()) continue;
        if (choice.contains("delta") && choice["delta"].is_object()) {
          const Json& delta = choice["delta"];
          if (delta.contains("content") && delta["content"].is_string())
            progress.emit(delta["content"].get_ref<const std::string&>());
        }
        if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
          progress.finish_reason = choice["finish_reason"].get<std::string>();
      }
    }
    if (chunk.contains("usage") && chunk["usage"].is_object()) {
      const Json& usage = chunk["usage"];
      if (usage.contains("prompt_tokens") && usage["prompt_tokens"].is_number_integer())
        progress.prompt_tokens = usage["prompt_tokens"].get<int64_t>();
      if (usage.contains("completion_tokens") && usage["completion_tokens"].is_number_integer())
        progress.completion_tokens = usage["completion_tokens"].get<int64_t>();
    }
  }

  std::string error_message(std::string_view body) const override {
    auto parsed = protocol::parse_json(body);
    return parsed ? error_text(*parsed) : std::string();
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_openai_dialect() {
  return std::make_unique<OpenAiDialect>();
}

}  // namespace imchat::server
