#include "sdk/api.h"

#include "protocol/json.h"
#include "protocol/model_json.h"

namespace imchat::sdk {
namespace {

using protocol::Json;

ErrorCode code_for_status(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kValidation;
    case 401:
      return ErrorCode::kUnauthorized;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 413:
      return ErrorCode::kTooLarge;
    case 429:
      return ErrorCode::kRateLimited;
    case 503:
      return ErrorCode::kBusy;
    default:
      return ErrorCode::kHttp;
  }
}

// The body of a successful answer, or the error the answer (or its absence) amounts to.
Result<Json> answer_body(Result<platform::HttpResponse> response, int expected_status) {
  if (!response) return response.error();
  const auto& r = *response;
  if (r.status != expected_status && !(expected_status == 200 && r.status == 201)) {
    Error e =
        make_error(code_for_status(r.status), "the server answered " + std::to_string(r.status));
    e.status = r.status;
    if (auto body = protocol::parse_json(r.body); body && body->is_object()) {
      if (auto m = body->find("message"); m != body->end() && m->is_string())
        e.message = m->get<std::string>();
      if (auto d = body->find("details"); d != body->end() && d->is_object()) {
        if (auto f = d->find("field"); f != d->end() && f->is_string())
          e.field = f->get<std::string>();
      }
    }
    return e;
  }
  if (expected_status == 204) return Json();
  auto body = protocol::parse_json(r.body);
  if (!body) return body.error();
  return std::move(*body);
}

// {"data": …} → the value under data, decoded.
template <typename T, typename Decode>
Result<T> data_of(Result<Json> body, Decode decode) {
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("data"))
    return make_error(ErrorCode::kParse, "the answer has no data");
  return decode((*body)["data"]);
}

template <typename T, typename Decode>
Result<Page<T>> page_of(Result<Json> body, Decode decode) {
  if (!body) return body.error();
  const Json& b = *body;
  if (!b.is_object() || !b.contains("data") || !b["data"].is_array() || !b.contains("meta") ||
      !b["meta"].is_object())
    return make_error(ErrorCode::kParse, "the answer is not a page {data, meta}");
  Page<T> page;
  page.data.reserve(b["data"].size());
  for (const Json& item : b["data"]) {
    auto decoded = decode(item);
    if (!decoded) return decoded.error();
    page.data.push_back(std::move(*decoded));
  }
  const Json& meta = b["meta"];
  // Read field by field: a wrong type is absent, never an exception.
  page.total = protocol::json_int(meta, "total").value_or(0);
  page.skip = protocol::json_int(meta, "skip").value_or(0);
  page.take = protocol::json_int(meta, "take").value_or(0);
  const auto more = meta.find("hasMore");
  page.has_more = more != meta.end() && more->is_boolean() && more->get<bool>();
  return page;
}

Result<ConversationSummary> conversation_summary_from_json(const Json& value) {
  auto conversation = protocol::conversation_from_json(value);
  if (!conversation) return conversation.error();
  ConversationSummary item{std::move(*conversation), std::nullopt, 0};
  if (auto last = value.find("lastMessage"); last != value.end() && !last->is_null()) {
    auto message = protocol::message_from_json(*last);
    if (!message) return message.error();
    item.last_message = std::move(*message);
  }
  if (auto unread = value.find("unreadCount"); unread != value.end()) {
    if (!unread->is_number_integer() || unread->get<int64_t>() < 0)
      return make_error(ErrorCode::kParse, "unreadCount must be a count");
    item.unread_count = unread->get<int64_t>();
  }
  return item;
}

Result<Session> session_from_json(Result<Json> body) {
  return data_of<Session>(std::move(body), [](const Json& data) -> Result<Session> {
    if (!data.is_object() || !data.contains("user") || !data.contains("token") ||
        !data["token"].is_string())
      return make_error(ErrorCode::kParse, "the answer is not {user, token}");
    auto user = protocol::user_from_json(data["user"]);
    if (!user) return user.error();
    return Session{std::move(*user), data["token"].get<std::string>()};
  });
}

Json conversation_type_json(ConversationType type) {
  return std::string(to_string(type));
}

}  // namespace

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

platform::RequestId Api::call(const char* method, std::string path, std::string body,
                              Decode decode) {
  platform::HttpRequest request;
  request.method = method;
  request.url = base_url_ + path;
  if (!token_.empty()) request.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  return http_.send(std::move(request), std::move(decode));
}

platform::RequestId Api::auth_config(ApiCallback<AuthConfig> done) {
  return call("GET", "/api/auth/config", "", [done](Result<platform::HttpResponse> r) {
    done(data_of<AuthConfig>(
        answer_body(std::move(r), 200), [](const Json& data) -> Result<AuthConfig> {
          if (!data.is_object()) return Error{ErrorCode::kParse, "auth config: not an object"};
          AuthConfig config;
          if (const auto g = data.find("guests"); g != data.end() && g->is_boolean())
            config.guests = g->get<bool>();
          if (const auto m = data.find("registration"); m != data.end() && m->is_string())
            config.registration = m->get<std::string>();
          if (const auto n = data.find("passwordMin"); n != data.end() && n->is_number_unsigned())
            config.password_min = n->get<size_t>();
          if (const auto n = data.find("passwordMax"); n != data.end() && n->is_number_unsigned())
            config.password_max = n->get<size_t>();
          return config;
        }));
  });
}

platform::RequestId Api::log_in(const std::string& email, const std::string& password,
                                ApiCallback<Session> done) {
  const std::string body = protocol::dump_json({{"email", email}, {"password", password}});
  return call("POST", "/api/auth/login", body, [done](Result<platform::HttpResponse> r) {
    done(session_from_json(answer_body(std::move(r), 200)));
  });
}

platform::RequestId Api::sign_up(const std::string& name, const std::string& email,
                                 const std::string& password, ApiCallback<Session> done) {
  const std::string body =
      protocol::dump_json({{"name", name}, {"email", email}, {"password", password}});
  return call("POST", "/api/auth/register", body, [done](Result<platform::HttpResponse> r) {
    done(session_from_json(answer_body(std::move(r), 201)));
  });
}

platform::RequestId Api::log_out(ApiCallback<Ok> done) {
  return call("POST", "/api/auth/logout", "", [done](Result<platform::HttpResponse> r) {
    auto body = answer_body(std::move(r), 204);
    if (!body) return done(body.error());
    done(Ok{});
  });
}

platform::RequestId Api::sign_in_as_guest(ApiCallback<Session> done) {
  return call("POST", "/api/auth/guest", "", [done](Result<platform::HttpResponse> r) {
    done(session_from_json(answer_body(std::move(r), 201)));
  });
}

platform::RequestId Api::me(ApiCallback<User> done) {
  return call("GET", "/api/auth/me", "", [done](Result<platform::HttpResponse> r) {
    done(data_of<User>(answer_body(std::move(r), 200), protocol::user_from_json));
  });
}

platform::RequestId Api::list_conversations(const ConversationQuery& query,
                                            ApiCallback<Page<ConversationSummary>> done) {
  std::string path =
      "/api/conversations?orderBy[updatedAt]=desc&skip=" + std::to_string(query.skip) +
      "&take=" + std::to_string(query.take);
  if (!query.title_contains.empty())
    path += "&where[title][contains]=" + url_encode(query.title_contains);
  return call("GET", std::move(path), "", [done](Result<platform::HttpResponse> r) {
    done(page_of<ConversationSummary>(answer_body(std::move(r), 200),
                                      conversation_summary_from_json));
  });
}

platform::RequestId Api::list_models(ApiCallback<std::vector<ModelInfo>> done) {
  return call("GET", "/api/models", "", [done](Result<platform::HttpResponse> r) {
    done(data_of<std::vector<ModelInfo>>(
        answer_body(std::move(r), 200), [](const Json& data) -> Result<std::vector<ModelInfo>> {
          if (!data.is_array())
            return make_error(ErrorCode::kParse, "models: data is not an array");
          std::vector<ModelInfo> models;
          for (const Json& item : data) {
            auto model = protocol::model_info_from_json(item);
            if (!model) return model.error();
            models.push_back(std::move(*model));
          }
          return models;
        }));
  });
}

platform::RequestId Api::get_conversation(const std::string& id, ApiCallback<Conversation> done) {
  return call("GET", "/api/conversations/" + url_encode(id), "",
              [done](Result<platform::HttpResponse> r) {
                done(data_of<Conversation>(answer_body(std::move(r), 200),
                                           protocol::conversation_from_json));
              });
}

platform::RequestId Api::create_conversation(const NewConversation& input,
                                             ApiCallback<Conversation> done) {
  Json body = {{"title", input.title}, {"type", conversation_type_json(input.type)}};
  if (input.system_prompt) body["systemPrompt"] = *input.system_prompt;
  if (input.model) body["model"] = *input.model;
  if (input.temperature) body["temperature"] = *input.temperature;
  if (!input.participant_ids.empty()) body["participantIds"] = input.participant_ids;
  return call("POST", "/api/conversations", protocol::dump_json(body),
              [done](Result<platform::HttpResponse> r) {
                done(data_of<Conversation>(answer_body(std::move(r), 201),
                                           protocol::conversation_from_json));
              });
}

platform::RequestId Api::update_conversation(const std::string& id, const ConversationPatch& patch,
                                             ApiCallback<Conversation> done) {
  Json body = Json::object();
  if (patch.title) body["title"] = *patch.title;
  if (patch.system_prompt) body["systemPrompt"] = *patch.system_prompt;
  if (patch.model) body["model"] = *patch.model;
  if (patch.temperature) body["temperature"] = *patch.temperature;
  return call("PATCH", "/api/conversations/" + url_encode(id), protocol::dump_json(body),
              [done](Result<platform::HttpResponse> r) {
                done(data_of<Conversation>(answer_body(std::move(r), 200),
                                           protocol::conversation_from_json));
              });
}

platform::RequestId Api::delete_conversation(const std::string& id, ApiCallback<Ok> done) {
  return call("DELETE", "/api/conversations/" + url_encode(id), "",
              [done](Result<platform::HttpResponse> r) {
                auto body = answer_body(std::move(r), 204);
                if (!body) return done(body.error());
                done(Ok{});
              });
}

platform::RequestId Api::list_messages(const MessageQuery& query, ApiCallback<Page<Message>> done) {
  std::string path =
      "/api/messages?where[conversationId][equals]=" + url_encode(query.conversation_id) +
      "&orderBy[createdAt]=" + (query.newest_first ? "desc" : "asc") +
      "&take=" + std::to_string(query.take);
  if (query.before_seq) path += "&before=" + std::to_string(*query.before_seq);
  if (query.after_seq) path += "&after=" + std::to_string(*query.after_seq);
  return call("GET", std::move(path), "", [done](Result<platform::HttpResponse> r) {
    done(page_of<Message>(answer_body(std::move(r), 200), protocol::message_from_json));
  });
}

platform::RequestId Api::create_message(const std::string& conversation_id,
                                        const std::string& content, const std::string& client_id,
                                        ApiCallback<Message> done) {
  Json body = {{"conversationId", conversation_id}, {"content", content}};
  if (!client_id.empty()) body["clientId"] = client_id;
  return call("POST", "/api/messages", protocol::dump_json(body),
              [done](Result<platform::HttpResponse> r) {
                done(data_of<Message>(answer_body(std::move(r), 200), protocol::message_from_json));
              });
}

platform::RequestId Api::update_message(const std::string& id, const std::string& content,
                                        ApiCallback<Message> done) {
  return call("PATCH", "/api/messages/" + url_encode(id),
              protocol::dump_json(Json{{"content", content}}),
              [done](Result<platform::HttpResponse> r) {
                done(data_of<Message>(answer_body(std::move(r), 200), protocol::message_from_json));
              });
}

platform::RequestId Api::regenerate_message(const std::string& id, ApiCallback<Ok> done) {
  return call("POST", "/api/messages/" + url_encode(id) + "/regenerate", "",
              [done](Result<platform::HttpResponse> r) {
                auto body = answer_body(std::move(r), 204);
                if (!body) return done(body.error());
                done(Ok{});
              });
}

const ConversationSummary* find_conversation(const Page<ConversationSummary>* page,
                                             const std::string& id) {
  if (!page) return nullptr;
  for (const ConversationSummary& row : page->data)
    if (row.conversation.id == id) return &row;
  return nullptr;
}

QueryKey conversations_key(const ConversationQuery& query) {
  QueryKey key = {"conversations", "list", std::to_string(query.skip), std::to_string(query.take)};
  if (!query.title_contains.empty()) key.push_back(query.title_contains);
  return key;
}

QueryKey models_key() {
  return {"models"};
}

QueryKey messages_key(const std::string& conversation_id) {
  return {"messages", conversation_id};
}

namespace {

// An Api call as a fetcher: the decoded value goes into the cache shared and immutable,
// and cancelling the query cancels the request.
template <typename T, typename Start>
Fetcher as_fetcher(Api& api, Start start) {
  return [&api, start](FetchDone done) {
    const platform::RequestId id = start([done](Result<T> value) {
      if (!value) return done(value.error());
      // Mutable underneath, so the cache may edit it in place (QueryCache::edit_data).
      done(AnyData(std::make_shared<T>(std::move(*value))));
    });
    return std::function<void()>([&api, id] { api.cancel(id); });
  };
}

}  // namespace

Fetcher fetch_conversations(Api& api, ConversationQuery query) {
  return as_fetcher<Page<ConversationSummary>>(
      api, [&api, query](auto done) { return api.list_conversations(query, done); });
}

Fetcher fetch_models(Api& api) {
  return as_fetcher<std::vector<ModelInfo>>(api,
                                            [&api](auto done) { return api.list_models(done); });
}

Fetcher fetch_messages(Api& api, MessageQuery query) {
  return as_fetcher<Page<Message>>(
      api, [&api, query](auto done) { return api.list_messages(query, done); });
}

}  // namespace imchat::sdk
