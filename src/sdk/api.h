// sdk::Api: the server's REST routes (docs/protocol.md) as typed calls. Builds the request
// (base URL, bearer token, JSON body), decodes and validates the answer into model types,
// and turns every failure into an Error the UI can show: transport (kNetwork), an error
// answer (kUnauthorized / kNotFound / kConflict / kRateLimited / kHttp, with the HTTP
// status, the server's message and the field at fault), or an answer that is not what the
// contract says (kParse). Callbacks run on the UI thread, from the HttpClient's poll().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "model/types.h"
#include "platform/http_client.h"
#include "sdk/query_cache.h"

namespace imchat::sdk {

struct Session {
  User user;
  std::string token;
};

// What the server's sign-in screen may offer (GET /api/auth/config).
struct AuthConfig {
  bool guests = false;
  std::string registration = "open";  // "open" | "invite" | "closed"
  size_t password_min = 8;
  size_t password_max = 256;
};

struct ConversationQuery {
  int skip = 0;
  int take = 20;
  std::string title_contains;
};

struct MessageQuery {
  std::string conversation_id;
  int take = 50;
  bool newest_first = false;  // orderBy[createdAt]=desc: how a long history starts
  std::optional<int64_t> before_seq;
  std::optional<int64_t> after_seq;
};

struct ConversationPatch {
  std::optional<std::string> title;
  std::optional<std::string> system_prompt;
  std::optional<std::string> model;
  std::optional<double> temperature;
};

template <typename T>
using ApiCallback = std::function<void(Result<T>)>;

class Api {
 public:
  // base_url: "" on the web (same origin), "http://127.0.0.1:8080" natively.
  Api(platform::HttpClient& http, std::string base_url)
      : http_(http), base_url_(std::move(base_url)) {}

  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& token() const { return token_; }

  platform::RequestId auth_config(ApiCallback<AuthConfig> done);
  platform::RequestId sign_in_as_guest(ApiCallback<Session> done);
  platform::RequestId log_in(const std::string& email, const std::string& password,
                             ApiCallback<Session> done);
  platform::RequestId sign_up(const std::string& name, const std::string& email,
                              const std::string& password, ApiCallback<Session> done);
  // Ends this session on the server (its sockets close).
  platform::RequestId log_out(ApiCallback<Ok> done);
  platform::RequestId me(ApiCallback<User> done);

  platform::RequestId list_conversations(const ConversationQuery& query,
                                         ApiCallback<Page<ConversationSummary>> done);
  platform::RequestId get_conversation(const std::string& id, ApiCallback<Conversation> done);
  platform::RequestId create_conversation(const NewConversation& input,
                                          ApiCallback<Conversation> done);
  platform::RequestId update_conversation(const std::string& id, const ConversationPatch& patch,
                                          ApiCallback<Conversation> done);
  platform::RequestId delete_conversation(const std::string& id, ApiCallback<Ok> done);

  platform::RequestId list_messages(const MessageQuery& query, ApiCallback<Page<Message>> done);
  // clientId makes it idempotent: sending it again returns the stored message.
  platform::RequestId create_message(const std::string& conversation_id, const std::string& content,
                                     const std::string& client_id, ApiCallback<Message> done);

  // The author's edit of a message's text.
  platform::RequestId update_message(const std::string& id, const std::string& content,
                                     ApiCallback<Message> done);
  // Replaces the latest reply of an AI conversation with a new one (POST …/regenerate).
  platform::RequestId regenerate_message(const std::string& id, ApiCallback<Ok> done);

  // The models this server knows, and which it can use now.
  platform::RequestId list_models(ApiCallback<std::vector<ModelInfo>> done);

  void cancel(platform::RequestId id) { http_.cancel(id); }

 private:
  using Decode = std::function<void(Result<platform::HttpResponse>)>;
  platform::RequestId call(const char* method, std::string path, std::string body, Decode decode);

  platform::HttpClient& http_;
  std::string base_url_;
  std::string token_;
};

// The Api's calls as the query cache's fetchers: what the cache stores is the decoded
// value, shared and immutable.
Fetcher fetch_conversations(Api& api, ConversationQuery query);
Fetcher fetch_messages(Api& api, MessageQuery query);
Fetcher fetch_models(Api& api);

// The keys those fetchers are filed under.
QueryKey conversations_key(const ConversationQuery& query = {});
QueryKey messages_key(const std::string& conversation_id);
QueryKey models_key();

// The row of this conversation in a page of the list, or null.
const ConversationSummary* find_conversation(const Page<ConversationSummary>* page,
                                             const std::string& id);

// Percent-encodes a query-string value.
std::string url_encode(std::string_view text);

}  // namespace imchat::sdk
