// Gemini generateContent, streamed: POST {base}/v1beta/models/{model}:streamGenerateContent
// ?alt=sse. Each event is a whole GenerateContentResponse (candidates with text parts,
// finishReason on the last, usageMetadata); the stream simply ends, with no closing event.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

std::string error_text(const Json& json) {
  // Error answers are {"error":{code,message,status}}, sometimes wrapped in an array.
  if (json.is_array() && !json.empty()) return error_text(json.front());
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return {};
  const Json& error = json["error"];
  if (error.contains("message") && error["message"].is_string())
    return error["message"].get<std::string>();
  return {};
}

std::string normalise_finish(const std::string& reason) {
  if (reason == "STOP") return "stop";
  if (reason == "MAX_TOKENS") return "length";
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT")
    return "content_filter";
  std::string lower = reason;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Model ids go into the URL path: keep them to the characters model ids use.
std::string path_safe(const std::string& model) {
  std::string out;
  for (char c : model) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') out += c;
  }
  return out;
}

class GeminiDialect final : public VendorDialect {
 public:
  std::string name() const override { return "gemini"; }

  VendorRequest build(const CompletionRequest& request, const std::string& api_key) const override {
    Json contents = Json::array();
    for (const auto& turn : request.messages) {
      const char* role = turn.role == MessageRole::kAssistant ? "model" : "user";
      contents.push_back({{"role", role}, {"parts", Json::array({{{"text", turn.content}}})}});
    }
    Json body = {{"contents", std::move(contents)}};
    if (request.system_prompt && !request.system_prompt->empty())
      body["systemInstruction"] = {{"parts", Json::array({{{"text", *request.system_prompt}}})}};
    if (request.temperature) body["generationConfig"] = {{"temperature", *request.temperature}};
    VendorRequest out;
    out.target = "/v1beta/models/" + path_safe(request.model) + ":streamGenerateContent?alt=sse";
    out.headers = {{"x-goog-api-key", api_key}};
    out.body = protocol::dump_json(body);
    return out;
  }

  void on_event(const SseEvent& event, VendorProgress& progress) const override {
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
    if (chunk.contains("candidates") && chunk["candidates"].is_array() &&
        !chunk["candidates"].empty()) {
      const Json& candidate = chunk["candidates"].front();
      if (candidate.is_object() && candidate.contains("content") &&
          candidate["content"].is_object() && candidate["content"].contains("parts") &&
          candidate["content"]["parts"].is_array()) {
        for (const Json& part : candidate["content"]["parts"]) {
          if (part.is_object() && part.contains("text") && part["text"].is_string())
            progress.emit(part["text"].get_ref<const std::string&>());
        }
      }
      if (candidate.is_object() && candidate.contains("finishReason") &&
          candidate["finishReason"].is_string()) {
        progress.finish_reason = normalise_finish(candidate["finishReason"].get<std::string>());
      }
    }
    if (chunk.contains("usageMetadata") && chunk["usageMetadata"].is_object()) {
      const Json& usage = chunk["usageMetadata"];
      if (usage.contains("promptTokenCount") && usage["promptTokenCount"].is_number_integer())
        progress.prompt_tokens = usage["promptTokenCount"].get<int64_t>();
      if (usage.contains("candidatesTokenCount") &&
          usage["candidatesTokenCount"].is_number_integer())
        progress.completion_tokens = usage["candidatesTokenCount"].get<int64_t>();
    }
  }

  std::string error_message(std::string_view body) const override {
    auto parsed = protocol::parse_json(body);
    return parsed ? error_text(*parsed) : std::string();
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_gemini_dialect() {
  return std::make_unique<GeminiDialect>();
}

}  // namespace imchat::server
