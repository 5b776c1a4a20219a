// ChatClient: the SDK assembled — what the app owns and the views read. Holds the query
// cache, the REST Api, the realtime link and ChatSync over the platform's transports, and
// the session: a stored token is reused; when there is none or the server refuses it (401
// over REST, 4401 on the socket) a new guest is signed in if the server allows guests, and
// otherwise the session asks for a sign-in (SessionState::needs_sign_in: the sign-in
// screen), which log_in() or sign_up() answer.
//
// Online is decided from the real connection, not navigator.onLine: while the socket is
// in backoff the cache pauses its fetches, and they resume when it opens again.
// Single-threaded: the app polls the transports, then calls tick(), once per loop turn.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform/http_client.h"
#include "platform/local_store.h"
#include "platform/websocket.h"
#include "sdk/api.h"
#include "sdk/chat_sync.h"
#include "sdk/query_cache.h"
#include "sdk/realtime.h"

namespace imchat::sdk {

struct ChatClientOptions {
  std::string base_url;      // "" on the web (same origin), "http://127.0.0.1:8080" natively
  RealtimeOptions realtime;  // url derived from base_url when empty
  ChatSyncOptions sync;
};

struct SessionState {
  bool signed_in = false;
  bool signing_in = false;
  bool needs_sign_in = false;  // no session and no guest: the sign-in screen shows
  AuthConfig auth;             // what that screen may offer, as the server said
  User user;
  std::string error;  // why signing in failed, for the UI
};

class ChatClient {
 public:
  struct Platform {
    platform::HttpClient& http;
    platform::WebSocketClient& sockets;
    platform::LocalStore* store;  // session token and outbox; nullptr: memory only
    std::function<int64_t()> now_ms;
    std::function<double()> random;
  };

  ChatClient(Platform platform, ChatClientOptions options);
  ~ChatClient();
  ChatClient(const ChatClient&) = delete;
  ChatClient& operator=(const ChatClient&) = delete;

  // Signs in (stored token or a new guest) and connects. Idempotent.
  void start();
  // Uses a session obtained elsewhere. Remembered in the store.
  void use_session(const Session& session);
  // The sign-in screen's three ways in. Each answers by signing in, or by session().error
  // (the server's words: a wrong password and an unknown email read the same).
  void log_in(const std::string& email, const std::string& password);
  void sign_up(const std::string& name, const std::string& email, const std::string& password);
  void continue_as_guest();
  // An embedding page's token: checked with the server, kept in memory only (never the
  // store), and no guest is made when it is refused — session().error says why.
  void sign_in_with_token(const std::string& token);
  // Runs what is due (reconnects, pings, retries, gc). After polling the transports.
  void tick();
  std::optional<int64_t> next_deadline_ms() const;
  // The page became visible, or the network came back.
  void on_visible() { sync_.on_visible(); }

  const SessionState& session() const { return session_; }
  QueryCache& cache() { return cache_; }
  const QueryCache& cache() const { return cache_; }
  Api& api() { return api_; }
  Realtime& realtime() { return realtime_; }
  const Realtime& realtime() const { return realtime_; }
  ChatSync& sync() { return sync_; }
  const ChatSync& sync() const { return sync_; }

 private:
  void sign_in_as_guest();
  // No session: a guest when the server allows guests, else the sign-in screen.
  void need_session();
  void signed_in_with(Result<Session> session);
  void use_token(const std::string& token, const User* user);

  std::string new_client_id();

  Platform platform_;
  ChatClientOptions options_;
  QueryCache cache_;
  Api api_;
  Realtime realtime_;
  ChatSync sync_;
  SessionState session_;
  bool host_token_ = false;  // signed in with an embedding page's token
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "http://host:port" → "ws://host:port/ws"; "" (same origin) → "/ws".
std::string websocket_url(const std::string& base_url);

}  // namespace imchat::sdk
