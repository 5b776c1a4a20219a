#include "sdk/chat_client.h"

#include <cstdio>

namespace imchat::sdk {

namespace {
constexpr const char* kTokenKey = "imchat.token";

RealtimeOptions with_url(RealtimeOptions options, const std::string& base_url) {
  if (options.url.empty()) options.url = websocket_url(base_url);
  return options;
}
}  // namespace

std::string websocket_url(const std::string& base_url) {
  if (base_url.empty()) return "/ws";
  std::string url = base_url;
  if (url.rfind("https://", 0) == 0) {
    url.replace(0, 5, "wss");
  } else if (url.rfind("http://", 0) == 0) {
    url.replace(0, 4, "ws");
  }
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url + "/ws";
}

ChatClient::ChatClient(Platform platform, ChatClientOptions options)
    : platform_(std::move(platform)),
      options_(std::move(options)),
      cache_({platform_.now_ms, platform_.random, true}),
      api_(platform_.http, options_.base_url),
      realtime_(platform_.sockets, with_url(options_.realtime, options_.base_url),
                {platform_.now_ms, platform_.random}),
      sync_(cache_, api_, realtime_, platform_.store, options_.sync,
            {platform_.now_ms, [this] { return new_client_id(); }}) {}

ChatClient::~ChatClient() {
  *alive_ = false;
}

std::string ChatClient::new_client_id() {
  // 64 random bits as hex: unique enough per user, short on the wire.
  const auto part = [this] {
    return static_cast<unsigned long>(platform_.random() * 4294967296.0);
  };
  char text[24];
  std::snprintf(text, sizeof text, "%08lx%08lx", part(), part());
  return text;
}

void ChatClient::start() {
  if (session_.signed_in || session_.signing_in) return;
  const auto stored = platform_.store ? platform_.store->get(kTokenKey) : std::nullopt;
  if (!stored || stored->empty()) return need_session();
  // Check the stored token once; a refusal means a new session, anything else keeps it.
  session_.signing_in = true;
  api_.set_token(*stored);
  std::weak_ptr<bool> alive = alive_;
  const std::string token = *stored;
  api_.me([this, alive, token](Result<User> me) {
    if (alive.expired()) return;
    session_.signing_in = false;
    if (me) return use_token(token, &*me);
    if (me.error().code == ErrorCode::kUnauthorized) {
      if (platform_.store) platform_.store->remove(kTokenKey);
      return need_session();
    }
    use_token(token, nullptr);  // offline or the server is down: keep it and retry later
  });
}

void ChatClient::need_session() {
  session_.signing_in = true;
  std::weak_ptr<bool> alive = alive_;
  api_.auth_config([this, alive](Result<AuthConfig> config) {
    if (alive.expired()) return;
    session_.signing_in = false;
    if (config) session_.auth = *config;
    if (config && config->guests) return sign_in_as_guest();
    // Guests are not allowed — or the server could not say: the screen shows, and a sign-in
    // made there reaches the server once it is back.
    if (!config) session_.error = config.error().describe();
    session_.needs_sign_in = true;
  });
}

void ChatClient::signed_in_with(Result<Session> session) {
  session_.signing_in = false;
  if (!session) {
    session_.error = session.error().message;
    return;
  }
  session_.error.clear();
  session_.needs_sign_in = false;
  use_session(*session);
}

void ChatClient::log_in(const std::string& email, const std::string& password) {
  if (session_.signing_in) return;
  session_.signing_in = true;
  std::weak_ptr<bool> alive = alive_;
  api_.log_in(email, password, [this, alive](Result<Session> session) {
    if (!alive.expired()) signed_in_with(std::move(session));
  });
}

void ChatClient::sign_up(const std::string& name, const std::string& email,
                         const std::string& password) {
  if (session_.signing_in) return;
  session_.signing_in = true;
  std::weak_ptr<bool> alive = alive_;
  api_.sign_up(name, email, password, [this, alive](Result<Session> session) {
    if (!alive.expired()) signed_in_with(std::move(session));
  });
}

void ChatClient::continue_as_guest() {
  if (!session_.signing_in) sign_in_as_guest();
}

void ChatClient::sign_in_as_guest() {
  session_.signing_in = true;
  std::weak_ptr<bool> alive = alive_;
  api_.sign_in_as_guest([this, alive](Result<Session> session) {
    if (!alive.expired()) signed_in_with(std::move(session));
  });
}

void ChatClient::sign_in_with_token(const std::string& token) {
  host_token_ = true;
  session_.signing_in = true;
  api_.set_token(token);
  std::weak_ptr<bool> alive = alive_;
  api_.me([this, alive, token](Result<User> me) {
    if (alive.expired()) return;
    session_.signing_in = false;
    if (!me && me.error().code == ErrorCode::kUnauthorized) {
      session_.signed_in = false;
      session_.error = "the page's sign-in was refused: " + me.error().describe();
      return;
    }
    session_.error.clear();
    const bool other_user = me && session_.signed_in && me->id != session_.user.id;
    use_token(token, me ? &*me : nullptr);
    if (other_user) cache_.invalidate(conversations_key());  // another person's chats
  });
}

void ChatClient::use_session(const Session& session) {
  if (platform_.store) platform_.store->set(kTokenKey, session.token);
  use_token(session.token, &session.user);
}

void ChatClient::use_token(const std::string& token, const User* user) {
  session_.signed_in = true;
  if (user) session_.user = *user;
  sync_.set_self(session_.user.id);
  api_.set_token(token);
  realtime_.set_token(token);
}

void ChatClient::tick() {
  realtime_.tick();
  // The socket says whether the server is reachable; REST fetches wait while it is not.
  cache_.set_online(realtime_.status().state != LinkState::kBackoff);
  if (realtime_.status().unauthorized && session_.signed_in && !session_.signing_in) {
    session_.signed_in = false;
    if (host_token_) {
      // Only the embedding page can sign in again (setToken); a guest would be a stranger.
      session_.error = "the page's sign-in has expired";
    } else {
      if (platform_.store) platform_.store->remove(kTokenKey);
      need_session();
    }
  }
  sync_.tick();
  cache_.tick();
}

std::optional<int64_t> ChatClient::next_deadline_ms() const {
  std::optional<int64_t> next;
  for (auto d : {realtime_.next_deadline_ms(), sync_.next_deadline_ms(), cache_.next_deadline_ms()})
    if (d) next = next ? std::min(*next, *d) : *d;
  return next;
}

}  // namespace imchat::sdk
