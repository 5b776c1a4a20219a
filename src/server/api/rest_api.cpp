// Api (rest_api.h): each REST route decodes, calls a rule or the store, and encodes.
#include "server/api/rest_api.h"

#include <algorithm>
#include <functional>

#include "protocol/model_json.h"
#include "server/api/list_query.h"
#include "server/api/query_string.h"
#include "server/api/responses.h"
#include "server/chat/rate_limiter.h"
#include "server/chat/replies.h"
#include "server/log.h"
#include "server/providers/model_catalog.h"
#include "server/store/ids.h"

namespace imchat::server {
namespace {

using protocol::Json;

Response page_response(const Request& req, Json page) {
  return json_response(req, http::status::ok, protocol::dump_json(page));
}

Json summary_json(const ConversationSummary& s) {
  Json out = protocol::to_json(s.conversation);
  out["lastMessage"] = s.last_message ? protocol::to_json(*s.last_message) : Json(nullptr);
  out["unreadCount"] = s.unread_count;
  return out;
}

class Handler {
 public:
  Handler(const Request& req, const ClientInfo& client, Storage& storage,
          const Authenticator& authenticator, AuthApi& auth, const Messages& messages,
          const ApiOptions& options, Api::Done done)
      : req_(req),
        client_(client),
        storage_(storage),
        authenticator_(authenticator),
        auth_(auth),
        messages_(messages),
        options_(options),
        done_(std::move(done)) {}

  // nullopt: the route answers later through done.
  std::optional<Response> run() {
    const std::string target(req_.target());
    path_ = target.substr(0, target.find('?'));
    auto query = QueryString::parse(target);
    if (!query) return error_response(req_, bad_request("malformed query string"));
    query_ = std::move(*query);
    auto result = route();
    if (!result) return error_response(req_, result.error());
    if (deferred_) return std::nullopt;
    return std::move(*result);
  }

 private:
  using Reply = Result<Response>;

  bool is(http::verb verb, const char* path) const {
    return req_.method() == verb && path_ == path;
  }

  // "/api/conversations/<id>" → id, when the prefix matches and the id is one segment.
  std::optional<std::string> id_after(const char* prefix) const {
    const std::string p = prefix;
    if (path_.rfind(p, 0) != 0 || path_.size() == p.size()) return std::nullopt;
    std::string id = path_.substr(p.size());
    if (id.find('/') != std::string::npos || id.size() > 64) return std::nullopt;
    return id;
  }

  // "/api/chat/<id>/message" → id.
  std::optional<std::string> id_between(const char* prefix, const char* suffix) const {
    const std::string p = prefix, s = suffix;
    if (path_.size() <= p.size() + s.size() || path_.rfind(p, 0) != 0 ||
        path_.compare(path_.size() - s.size(), s.size(), s) != 0)
      return std::nullopt;
    std::string id = path_.substr(p.size(), path_.size() - p.size() - s.size());
    if (id.find('/') != std::string::npos || id.size() > 64) return std::nullopt;
    return id;
  }

  Reply route() {
    if (is(http::verb::get, "/api/auth/config")) return auth_.config(req_, client_);
    if (is(http::verb::post, "/api/auth/register") || is(http::verb::post, "/api/auth/login") ||
        is(http::verb::post, "/api/auth/guest")) {
      return later([&](Api::Done done) { auth_.sign_in(req_, client_, std::move(done)); });
    }

    auto principal = authenticate();
    if (!principal) return principal.error();
    principal_ = std::move(*principal);
    if (is(http::verb::post, "/api/auth/logout"))
      return later([&](Api::Done done) { auth_.logout(req_, principal_, std::move(done)); });
    if (is(http::verb::post, "/api/auth/password")) {
      return later(
          [&](Api::Done done) { auth_.change_password(req_, principal_, std::move(done)); });
    }

    if (req_.method() != http::verb::get) {
      if (auto s = admit_write(options_.write_limiter, user_.id); !s) return s.error();
    }
    if (is(http::verb::get, "/api/auth/me"))
      return data_response(req_, http::status::ok, protocol::to_json(user_));
    if (is(http::verb::get, "/api/models")) return list_models();
    if (is(http::verb::get, "/api/conversations")) return list_conversations();
    if (is(http::verb::post, "/api/conversations")) return create_conversation();
    if (auto id = id_after("/api/conversations/")) {
      switch (req_.method()) {
        case http::verb::get:
          return get_conversation(*id);
        case http::verb::patch:
          return update_conversation(*id);
        case http::verb::delete_:
          return delete_conversation(*id);
        default:
          break;
      }
    }
    if (auto id = id_between("/api/chat/", "/message"); id && req_.method() == http::verb::post)
      return chat_message(*id);
    if (auto id = id_between("/api/messages/", "/regenerate");
        id && req_.method() == http::verb::post)
      return regenerate_message(*id);
    if (is(http::verb::get, "/api/messages")) return list_messages();
    if (is(http::verb::post, "/api/messages")) return create_message();
    if (auto id = id_after("/api/messages/")) {
      switch (req_.method()) {
        case http::verb::get:
          return get_message(*id);
        case http::verb::patch:
          return update_message(*id);
        case http::verb::delete_:
          return delete_message(*id);
        default:
          break;
      }
    }
    return make_error(ErrorCode::kNotFound,
                      "no route for " + std::string(req_.method_string()) + " " + path_);
  }

  // The one check every door makes (Authenticator): signature, expiry, session, account.
  Result<Principal> authenticate() {
    const std::string header(req_[http::field::authorization]);
    if (header.rfind("Bearer ", 0) != 0) {
      return make_error(ErrorCode::kUnauthorized, "missing Authorization: Bearer <token>");
    }
    return authenticator_.authenticate(std::string_view(header).substr(7), now_utc());
  }

  // A route that answers through done, now or later.
  template <typename Start>
  Reply later(Start start) {
    deferred_ = true;
    start(done_);
    return Response(no_content(req_));  // not sent: done answers
  }

  Reply list_models() {
    Json data = Json::array();
    if (options_.catalog) {
      const auto& available = options_.available_providers;
      for (ModelInfo m : options_.catalog->models()) {
        m.available = std::find(available.begin(), available.end(), m.provider) != available.end();
        data.push_back(protocol::to_json(m));
      }
    }
    return data_response(req_, http::status::ok, std::move(data));
  }

  Reply list_conversations() {
    auto q = read_conversation_query(query_);
    if (!q) return q.error();
    auto page = storage_.list_conversations(user_.id, *q);
    if (!page) return page.error();
    return page_response(req_, page_json<ConversationSummary>(*page, summary_json));
  }

  Result<ConversationPatch> read_conversation_fields(const Json& body, bool creating,
                                                     NewConversation* created) {
    protocol::ObjectReader r(body, "body");
    ConversationPatch patch;
    if (creating || body.contains("title")) {
      patch.title = r.required_string("title");
      if (r.ok() && (patch.title->empty() || patch.title->size() > 200)) {
        return bad_request("title must be 1 to 200 characters", "title");
      }
    }
    auto nullable_string = [&](const char* key, std::optional<std::optional<std::string>>& out,
                               size_t max) -> Status {
      if (!body.contains(key)) return Ok{};
      out = r.optional_string(key);
      if (r.ok() && *out && (*out)->size() > max) {
        return bad_request(std::string(key) + " is longer than " + std::to_string(max), key);
      }
      return Ok{};
    };
    if (auto s = nullable_string("systemPrompt", patch.system_prompt, 16 * 1024); !s)
      return s.error();
    if (auto s = nullable_string("model", patch.model, 200); !s) return s.error();
    if (body.contains("temperature")) {
      patch.temperature = r.optional_number("temperature");
      if (r.ok() && *patch.temperature && (**patch.temperature < 0 || **patch.temperature > 2)) {
        return bad_request("temperature must be within 0..2", "temperature");
      }
    }
    if (created) {
      if (auto type = r.optional_string("type")) {
        auto parsed = conversation_type_from_string(*type);
        if (!parsed) return bad_request("type must be DIRECT, GROUP or AI", "type");
        created->type = *parsed;
      }
      if (const Json* ids = r.optional_array("participantIds")) {
        for (const Json& id : *ids) {
          if (!id.is_string())
            return bad_request("participantIds must be strings", "participantIds");
          created->participant_ids.push_back(id.get<std::string>());
        }
        if (created->participant_ids.size() > 100) {
          return bad_request("at most 100 participants", "participantIds");
        }
      }
    }
    if (!r.ok()) return r.take_error();
    return patch;
  }

  Reply create_conversation() {
    auto body = body_object(req_);
    if (!body) return body.error();
    NewConversation input;
    auto fields = read_conversation_fields(*body, true, &input);
    if (!fields) return fields.error();
    input.title = *fields->title;
    input.system_prompt = fields->system_prompt.value_or(std::nullopt);
    input.model = fields->model.value_or(std::nullopt);
    input.temperature = fields->temperature.value_or(std::nullopt);
    auto created = storage_.create_conversation(user_.id, input);
    if (!created) return created.error();
    return data_response(req_, http::status::created, protocol::to_json(*created));
  }

  Reply get_conversation(const std::string& id) {
    auto c = storage_.get_conversation(user_.id, id);
    if (!c) return c.error();
    return data_response(req_, http::status::ok, protocol::to_json(*c));
  }

  Reply update_conversation(const std::string& id) {
    auto body = body_object(req_);
    if (!body) return body.error();
    auto patch = read_conversation_fields(*body, false, nullptr);
    if (!patch) return patch.error();
    auto c = storage_.update_conversation(user_.id, id, *patch);
    if (!c) return c.error();
    return data_response(req_, http::status::ok, protocol::to_json(*c));
  }

  Reply delete_conversation(const std::string& id) {
    if (auto s = storage_.delete_conversation(user_.id, id); !s) return s.error();
    return no_content(req_);
  }

  Reply list_messages() {
    auto q = read_message_query(query_);
    if (!q) return q.error();
    auto page = storage_.list_messages(user_.id, q->conversation_id, q->query);
    if (!page) return page.error();
    return page_response(
        req_, page_json<Message>(*page, [](const Message& m) { return protocol::to_json(m); }));
  }

  // The body of a user's new message ({conversationId?, content, clientId?}), decoded; the
  // rules are Messages'. conversation_id: from the path, when the route names it.
  Result<UserMessage> read_user_message(const std::optional<std::string>& conversation_id) {
    auto body = body_object(req_);
    if (!body) return body.error();
    protocol::ObjectReader r(*body, "body");
    UserMessage input;
    input.conversation_id =
        conversation_id ? *conversation_id : r.required_string("conversationId");
    input.content = r.required_string("content");
    input.client_id = r.optional_string("clientId");
    if (!r.ok()) return r.take_error();
    return input;
  }

  Reply create_message() {
    auto input = read_user_message(std::nullopt);
    if (!input) return input.error();
    auto created = messages_.send(user_.id, *input);
    if (!created) return created.error();
    return data_response(req_, created->created ? http::status::created : http::status::ok,
                         protocol::to_json(created->message));
  }

  // The whole exchange in one request, for clients without a WebSocket: stores the user's
  // message, waits for the reply and answers with both.
  Reply chat_message(const std::string& conversation_id) {
    auto input = read_user_message(conversation_id);
    if (!input) return input.error();
    // done_ keeps the request alive until it runs (see Api::handle).
    auto started = messages_.exchange(
        user_.id, *input, [done = done_, req = &req_](const Message& sent, Result<Message> reply) {
          if (!reply) {
            Error e = reply.error();
            if (e.code == ErrorCode::kCancelled) {
              done(json_error(*req, http::status::service_unavailable, e.message));
              return;
            }
            done(error_response(*req, e));
            return;
          }
          Json usage = nullptr;
          if (reply->metadata && reply->metadata->usage)
            usage = protocol::to_json(*reply->metadata->usage);
          Json out = {{"userMessage", protocol::to_json(sent)},
                      {"aiMessage", protocol::to_json(*reply)},
                      {"usage", std::move(usage)}};
          done(json_response(*req, http::status::ok, protocol::dump_json(out)));
        });
    if (!started) return started.error();
    deferred_ = true;
    return Response(no_content(req_));  // not sent: done answers
  }

  Reply get_message(const std::string& id) {
    auto m = storage_.get_message(user_.id, id);
    if (!m) return m.error();
    return data_response(req_, http::status::ok, protocol::to_json(*m));
  }

  Reply update_message(const std::string& id) {
    auto body = body_object(req_);
    if (!body) return body.error();
    protocol::ObjectReader r(*body, "body");
    const std::string content = r.required_string("content");
    if (!r.ok()) return r.take_error();
    auto m = messages_.edit(user_.id, id, content);
    if (!m) return m.error();
    return data_response(req_, http::status::ok, protocol::to_json(*m));
  }

  Reply regenerate_message(const std::string& id) {
    if (!options_.replies) return make_error(ErrorCode::kNotFound, "no replies on this server");
    if (auto s = options_.replies->regenerate(user_.id, id); !s) return s.error();
    return no_content(req_);
  }

  Reply delete_message(const std::string& id) {
    if (auto s = storage_.delete_message(user_.id, id); !s) return s.error();
    return no_content(req_);
  }

  const Request& req_;
  const ClientInfo& client_;
  Storage& storage_;
  const Authenticator& authenticator_;
  AuthApi& auth_;
  const Messages& messages_;
  const ApiOptions& options_;
  Api::Done done_;
  bool deferred_ = false;
  std::string path_;
  QueryString query_;
  Principal principal_;
  const User& user_ = principal_.user;
};

}  // namespace

void Api::handle(const Request& request, const ClientInfo& client, Done done) {
  Handler handler(request, client, storage_, authenticator_, auth_, messages_, options_, done);
  if (auto response = handler.run()) done(std::move(*response));
}

}  // namespace imchat::server
