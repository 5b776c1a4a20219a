// ChatClient's session (sdk/chat_client.h): with no stored token it asks the server what a
// sign-in may offer — a guest where guests are allowed, otherwise the sign-in screen — and a
// sign-in from that screen becomes the session. The server is scripted (FakeHttpClient).
#include <gtest/gtest.h>

#include "platform/local_store.h"
#include "sdk/chat_client.h"
#include "support/fake_http_client.h"
#include "support/fake_websocket.h"

namespace imchat::sdk {
namespace {

constexpr const char* kSession =
    R"({"data":{"user":{"id":"u_1","email":"ada@example.com","name":"Ada",)"
    R"("createdAt":"2026-11-23T21:00:00.000Z","updatedAt":"2026-11-23T21:00:00.000Z"},)"
    R"("token":"t0k3n"}})";

class ChatClientSessionTest : public ::testing::Test {
 protected:
  // The newest request, which must be `method path`.
  platform::RequestId expect(const std::string& method, const std::string& path) {
    EXPECT_FALSE(http_.sent().empty());
    if (http_.sent().empty()) return 0;
    const auto& sent = http_.sent().back();
    EXPECT_EQ(sent.request.method, method);
    EXPECT_NE(sent.request.url.find(path), std::string::npos) << sent.request.url;
    return sent.id;
  }
  void answer(platform::RequestId id, int status, const std::string& body) {
    http_.respond(id, status, body);
    http_.poll();
  }

  testing::FakeHttpClient http_;
  testing::FakeWebSocketClient sockets_;
  std::unique_ptr<platform::LocalStore> store_ = platform::make_memory_store();
  ChatClient chat_{{http_, sockets_, store_.get(), [] { return int64_t{0}; }, [] { return 0.5; }},
                   {.base_url = "http://server:8080"}};
};

TEST_F(ChatClientSessionTest, WithoutGuestsTheSignInScreenIsAskedForAndNoGuestIsMade) {
  chat_.start();
  answer(expect("GET", "/api/auth/config"), 200,
         R"({"data":{"guests":false,"registration":"open","sso":[],"passwordMin":10}})");
  EXPECT_TRUE(chat_.session().needs_sign_in);
  EXPECT_FALSE(chat_.session().signed_in);
  EXPECT_EQ(chat_.session().auth.password_min, 10u);
  EXPECT_EQ(http_.sent().size(), 1u) << "no guest was asked for";

  // A wrong password: the server's words, still on the screen.
  chat_.log_in("ada@example.com", "wrong password");
  const auto refused = expect("POST", "/api/auth/login");
  EXPECT_NE(http_.sent().back().request.body.find("ada@example.com"), std::string::npos);
  answer(refused, 401, R"({"error":"Unauthorized","message":"invalid email or password"})");
  EXPECT_TRUE(chat_.session().needs_sign_in);
  EXPECT_EQ(chat_.session().error, "invalid email or password");

  chat_.log_in("ada@example.com", "the right password");
  answer(expect("POST", "/api/auth/login"), 200, kSession);
  EXPECT_TRUE(chat_.session().signed_in);
  EXPECT_FALSE(chat_.session().needs_sign_in);
  EXPECT_EQ(chat_.session().error, "");
  EXPECT_EQ(chat_.session().user.name, "Ada");
  EXPECT_EQ(store_->get("imchat.token").value_or(""), "t0k3n") << "kept for the next start";
}

TEST_F(ChatClientSessionTest, WithGuestsAGuestIsMadeAsBefore) {
  chat_.start();
  answer(expect("GET", "/api/auth/config"), 200, R"({"data":{"guests":true}})");
  answer(expect("POST", "/api/auth/guest"), 201, kSession);
  EXPECT_TRUE(chat_.session().signed_in);
  EXPECT_FALSE(chat_.session().needs_sign_in);
}

TEST_F(ChatClientSessionTest, ARefusedStoredTokenIsForgottenAndSignUpMakesTheSession) {
  store_->set("imchat.token", "old");
  chat_.start();
  answer(expect("GET", "/api/auth/me"), 401, R"({"error":"Unauthorized","message":"expired"})");
  EXPECT_FALSE(store_->get("imchat.token"));
  answer(expect("GET", "/api/auth/config"), 200, R"({"data":{"guests":false}})");
  EXPECT_TRUE(chat_.session().needs_sign_in);
  chat_.sign_up("Ada", "ada@example.com", "a long enough password");
  const auto id = expect("POST", "/api/auth/register");
  EXPECT_NE(http_.sent().back().request.body.find("\"name\":\"Ada\""), std::string::npos);
  answer(id, 201, kSession);
  EXPECT_TRUE(chat_.session().signed_in);
}

// The server unreachable when the app starts: the screen shows, saying why; a sign-in made
// there reaches the server once it is back.
TEST_F(ChatClientSessionTest, AConfigThatCannotBeFetchedStillOffersTheSignIn) {
  chat_.start();
  http_.answer(expect("GET", "/api/auth/config"), Error{ErrorCode::kNetwork, "connection refused"});
  http_.poll();
  EXPECT_TRUE(chat_.session().needs_sign_in);
  EXPECT_NE(chat_.session().error.find("connection refused"), std::string::npos);
}

}  // namespace
}  // namespace imchat::sdk
