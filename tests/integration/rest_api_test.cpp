// The REST API end to end: real server (in-process, real sockets on loopback, real SQLite
// in a temporary directory), reached through the native transport.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "support/api_fixture.h"

namespace imchat {
namespace {

using protocol::Json;
using testing::Reply;

class RestApiTest : public testing::ApiTest {};

// --- auth ---------------------------------------------------------------------------------

TEST_F(RestApiTest, RegisterReturnsUserAndTokenThatAuthenticates) {
  Reply r = call("POST", "/api/auth/register",
                 {{"email", "Ada@Example.com"}, {"name", "Ada"}, {"password", "correct horse"}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["data"]["user"]["email"], "ada@example.com");
  EXPECT_FALSE(r.body["data"]["user"].contains("passwordHash"));
  const std::string token = r.body["data"]["token"];
  Reply me = call("GET", "/api/auth/me", nullptr, token);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["data"]["id"], r.body["data"]["user"]["id"]);
}

TEST_F(RestApiTest, RegisterValidatesEveryField) {
  sign_up("taken");
  struct Case {
    Json body;
    int status;
    const char* field;
  };
  const Case cases[] = {
      {{{"email", "taken@example.com"}, {"name", "T"}, {"password", "correct horse"}},
       409,
       "email"},
      {{{"email", "not-an-email"}, {"name", "T"}, {"password", "correct horse"}}, 400, "email"},
      {{{"email", "x@example.com"}, {"name", ""}, {"password", "correct horse"}}, 400, "name"},
      {{{"email", "x@example.com"}, {"name", "T"}, {"password", "short"}}, 400, "password"},
      {{{"email", "x@example.com"}, {"name", "T"}}, 400, "password"},
      {{{"email", 42}, {"name", "T"}, {"password", "correct horse"}}, 400, "email"},
  };
  for (const Case& c : cases) {
    Reply r = call("POST", "/api/auth/register", c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " → " << r.raw;
    EXPECT_EQ(r.body["details"]["field"], c.field) << r.raw;
    EXPECT_TRUE(r.body["message"].is_string());
  }
}

TEST_F(RestApiTest, LoginAcceptsTheRightPasswordOnly) {
  sign_up("bob");
  Reply ok = call("POST", "/api/auth/login",
                  {{"email", "bob@example.com"}, {"password", "correct horse"}});
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_TRUE(ok.body["data"]["token"].is_string());
  Reply wrong =
      call("POST", "/api/auth/login", {{"email", "bob@example.com"}, {"password", "wrong horse"}});
  Reply unknown =
      call("POST", "/api/auth/login", {{"email", "nobody@example.com"}, {"password", "x"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  // The same words for both: nothing tells an attacker which emails exist.
  EXPECT_EQ(wrong.body["message"], unknown.body["message"]);
}

TEST_F(RestApiTest, GuestSignInWorksWhenEnabledOnly) {
  Reply first = call("POST", "/api/auth/guest");
  Reply second = call("POST", "/api/auth/guest");
  ASSERT_EQ(first.status, 201) << first.raw;
  ASSERT_EQ(second.status, 201) << second.raw;
  EXPECT_NE(first.body["data"]["user"]["id"], second.body["data"]["user"]["id"]);
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr, first.body["data"]["token"]).status, 200);
  restart_server(false);
  EXPECT_EQ(call("POST", "/api/auth/guest").status, 404);
}

// What the sign-in screen may offer, asked before any session exists.
TEST_F(RestApiTest, AuthConfigSaysWhetherGuestsMayComeIn) {
  Reply on = call("GET", "/api/auth/config");
  ASSERT_EQ(on.status, 200) << on.raw;
  EXPECT_EQ(on.body["data"]["guests"], true);
  EXPECT_EQ(on.body["data"]["registration"], "open");
  EXPECT_TRUE(on.body["data"]["sso"].is_array());
  EXPECT_EQ(on.body["data"]["passwordMin"], 8);
  restart_server(false);
  Reply off = call("GET", "/api/auth/config");
  ASSERT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body["data"]["guests"], false);
  // Public, so throttled per address: past its burst it answers 429 with Retry-After.
  int limited = 0;
  for (int i = 0; i < 80 && limited == 0; ++i)
    if (call("GET", "/api/auth/config").status == 429) ++limited;
  EXPECT_EQ(limited, 1);
}

TEST_F(RestApiTest, ProtectedRoutesNeedAValidToken) {
  auto [id, token] = sign_up("carol");
  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'a' ? 'b' : 'a';
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/auth/me"},
      {"GET", "/api/conversations"},
      {"POST", "/api/conversations"},
      {"GET", "/api/conversations/c_x"},
      {"PATCH", "/api/conversations/c_x"},
      {"DELETE", "/api/conversations/c_x"},
      {"GET", "/api/messages?where[conversationId][equals]=c_x"},
      {"POST", "/api/messages"},
      {"PATCH", "/api/messages/m_x"},
      {"DELETE", "/api/messages/m_x"},
      {"GET", "/api/messages/m_x"}};
  for (const auto& [method, path] : routes) {
    EXPECT_EQ(call(method, path).status, 401) << method << " " << path << " without a token";
    EXPECT_EQ(call(method, path, nullptr, tampered).status, 401) << method << " " << path;
    EXPECT_EQ(call(method, path, nullptr, "not.a.jwt").status, 401) << method << " " << path;
  }
}

// --- conversations ------------------------------------------------------------------------

TEST_F(RestApiTest, ConversationLifecycle) {
  auto [id, token] = sign_up("dana");
  Reply created =
      call("POST", "/api/conversations",
           {{"title", "Trip"}, {"systemPrompt", "Be brief."}, {"temperature", 0.5}}, token);
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string cid = created.body["data"]["id"];
  EXPECT_EQ(created.body["data"]["type"], "AI");
  EXPECT_EQ(created.body["data"]["participants"][0]["id"], id);

  Reply list = call("GET", "/api/conversations", nullptr, token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["data"].size(), 1u);
  EXPECT_EQ(list.body["data"][0]["id"], cid);
  EXPECT_TRUE(list.body["data"][0]["lastMessage"].is_null());
  EXPECT_EQ(list.body["data"][0]["unreadCount"], 0);
  EXPECT_EQ(list.body["meta"], Json({{"total", 1}, {"skip", 0}, {"take", 20}, {"hasMore", false}}));

  Reply patched = call("PATCH", "/api/conversations/" + cid,
                       {{"title", "Trip to Lisbon"}, {"systemPrompt", nullptr}}, token);
  ASSERT_EQ(patched.status, 200) << patched.raw;
  EXPECT_EQ(patched.body["data"]["title"], "Trip to Lisbon");
  EXPECT_FALSE(patched.body["data"].contains("systemPrompt"));
  EXPECT_EQ(patched.body["data"]["temperature"], 0.5);

  ASSERT_EQ(post_message(token, cid, "hello").status, 201);
  EXPECT_EQ(call("DELETE", "/api/conversations/" + cid, nullptr, token).status, 204);
  EXPECT_EQ(call("GET", "/api/conversations/" + cid, nullptr, token).status, 404);
  EXPECT_EQ(
      call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token).status,
      404);
}

TEST_F(RestApiTest, ConversationListPagesFiltersAndOrders) {
  auto [id, token] = sign_up("erin");
  for (const char* title : {"alpha", "beta", "gamma 50%", "delta"})
    create_conversation(token, title);
  Reply page = call("GET", "/api/conversations?take=2&orderBy[title]=asc", nullptr, token);
  ASSERT_EQ(page.status, 200) << page.raw;
  ASSERT_EQ(page.body["data"].size(), 2u);
  EXPECT_EQ(page.body["data"][0]["title"], "alpha");
  EXPECT_EQ(page.body["data"][1]["title"], "beta");
  EXPECT_EQ(page.body["meta"]["total"], 4);
  EXPECT_EQ(page.body["meta"]["hasMore"], true);
  Reply next = call("GET", "/api/conversations?take=2&skip=2&orderBy[title]=asc", nullptr, token);
  EXPECT_EQ(next.body["data"][0]["title"], "delta");
  EXPECT_EQ(next.body["meta"]["hasMore"], false);
  Reply search =
      call("GET", "/api/conversations?where%5Btitle%5D%5Bcontains%5D=50%25", nullptr, token);
  ASSERT_EQ(search.body["data"].size(), 1u) << search.raw;
  EXPECT_EQ(search.body["data"][0]["title"], "gamma 50%");

  for (const char* bad : {"?take=0", "?take=101", "?take=abc", "?skip=-1", "?orderBy[password]=asc",
                          "?orderBy[title]=sideways", "?where=%zz"}) {
    Reply r = call("GET", std::string("/api/conversations") + bad, nullptr, token);
    EXPECT_EQ(r.status, 400) << bad << " → " << r.raw;
  }
}

// --- messages -----------------------------------------------------------------------------

TEST_F(RestApiTest, MessagesGetSequenceNumbersAndCursorPaging) {
  auto [id, token] = sign_up("finn");
  const std::string cid = create_conversation(token, "log");
  // Creating the conversation was its first change (seq 1); messages follow in order.
  for (int i = 1; i <= 5; ++i) {
    Reply r = post_message(token, cid, "message " + std::to_string(i));
    ASSERT_EQ(r.status, 201) << r.raw;
    EXPECT_EQ(r.body["data"]["seq"], i + 1);
    EXPECT_EQ(r.body["data"]["role"], "USER");
    EXPECT_EQ(r.body["data"]["authorId"], id);
  }
  const std::string base = "/api/messages?where[conversationId][equals]=" + cid;
  Reply all = call("GET", base, nullptr, token);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["data"].size(), 5u);
  EXPECT_EQ(all.body["meta"]["take"], 50);
  Reply after = call("GET", base + "&after=4", nullptr, token);
  ASSERT_EQ(after.body["data"].size(), 2u);
  EXPECT_EQ(after.body["data"][0]["seq"], 5);
  // The newest page first, then older pages with before=<oldest seq seen>.
  Reply newest = call("GET", base + "&orderBy[createdAt]=desc&take=2", nullptr, token);
  EXPECT_EQ(newest.body["data"][0]["seq"], 6);
  EXPECT_EQ(newest.body["data"][1]["seq"], 5);
  Reply older = call("GET", base + "&orderBy[createdAt]=desc&take=2&before=5", nullptr, token);
  EXPECT_EQ(older.body["data"][0]["seq"], 4);
  EXPECT_EQ(older.body["meta"]["hasMore"], true);
  EXPECT_EQ(call("GET", "/api/messages", nullptr, token).status, 400);
  EXPECT_EQ(call("GET", base + "&before=x", nullptr, token).status, 400);
}

TEST_F(RestApiTest, SendingWithAClientIdIsIdempotent) {
  auto [id, token] = sign_up("gus");
  const std::string cid = create_conversation(token, "retry");
  Reply first = post_message(token, cid, "only once", "client-123");
  Reply again = post_message(token, cid, "only once", "client-123");
  ASSERT_EQ(first.status, 201) << first.raw;
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(first.body["data"]["id"], again.body["data"]["id"]);
  EXPECT_EQ(again.body["data"]["clientId"], "client-123");
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token);
  EXPECT_EQ(list.body["data"].size(), 1u) << "stored twice";
}

TEST_F(RestApiTest, MessageContentIsValidated) {
  auto [id, token] = sign_up("hana");
  const std::string cid = create_conversation(token, "limits");
  Reply big = post_message(token, cid, std::string(1001, 'x'));
  EXPECT_EQ(big.status, 413) << big.raw;
  EXPECT_EQ(big.body["details"]["field"], "content");
  EXPECT_EQ(post_message(token, cid, "").status, 400);
  Reply wrong_type =
      call("POST", "/api/messages", {{"conversationId", cid}, {"content", 7}}, token);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.body["details"]["field"], "content");
}

TEST_F(RestApiTest, AuthorsEditAndDeleteTheirOwnMessages) {
  auto [a, ta] = sign_up("ivan");
  auto [b, tb] = sign_up("jo");
  const std::string cid = create_conversation(ta, "shared", {b});
  const std::string mid = post_message(ta, cid, "typo hre").body["data"]["id"];
  Reply edited = call("PATCH", "/api/messages/" + mid, {{"content", "typo here"}}, ta);
  ASSERT_EQ(edited.status, 200) << edited.raw;
  EXPECT_EQ(edited.body["data"]["content"], "typo here");
  // A fellow participant can read it but not change it.
  EXPECT_EQ(call("GET", "/api/messages/" + mid, nullptr, tb).status, 200);
  EXPECT_EQ(call("PATCH", "/api/messages/" + mid, {{"content", "mine now"}}, tb).status, 404);
  EXPECT_EQ(call("DELETE", "/api/messages/" + mid, nullptr, tb).status, 404);
  EXPECT_EQ(call("DELETE", "/api/messages/" + mid, nullptr, ta).status, 204);
  EXPECT_EQ(call("GET", "/api/messages/" + mid, nullptr, ta).status, 404);
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, ta);
  EXPECT_EQ(list.body["data"].size(), 0u);
}

TEST_F(RestApiTest, UnreadCountAndLastMessageFollowOtherParticipants) {
  auto [a, ta] = sign_up("kim");
  auto [b, tb] = sign_up("lee");
  const std::string cid = create_conversation(ta, "group", {b});
  ASSERT_EQ(post_message(tb, cid, "hi kim").status, 201);
  ASSERT_EQ(post_message(tb, cid, "are you there?").status, 201);
  ASSERT_EQ(post_message(ta, cid, "yes").status, 201);
  Reply list = call("GET", "/api/conversations", nullptr, ta);
  ASSERT_EQ(list.body["data"].size(), 1u);
  EXPECT_EQ(list.body["data"][0]["unreadCount"], 2);  // lee's two; kim's own do not count
  EXPECT_EQ(list.body["data"][0]["lastMessage"]["content"], "yes");
}

// --- isolation ----------------------------------------------------------------------------

TEST_F(RestApiTest, OutsidersSeeNothingOnAnyRoute) {
  auto [a, ta] = sign_up("owner");
  auto [b, tb] = sign_up("outsider");
  const std::string cid = create_conversation(ta, "private");
  const std::string mid = post_message(ta, cid, "secret").body["data"]["id"];

  EXPECT_EQ(call("GET", "/api/conversations", nullptr, tb).body["data"].size(), 0u);
  const std::vector<std::tuple<std::string, std::string, Json>> routes = {
      {"GET", "/api/conversations/" + cid, nullptr},
      {"PATCH", "/api/conversations/" + cid, {{"title", "pwned"}}},
      {"DELETE", "/api/conversations/" + cid, nullptr},
      {"GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr},
      {"POST", "/api/messages", {{"conversationId", cid}, {"content", "hi"}}},
      {"GET", "/api/messages/" + mid, nullptr},
      {"PATCH", "/api/messages/" + mid, {{"content", "pwned"}}},
      {"DELETE", "/api/messages/" + mid, nullptr}};
  for (const auto& [method, path, body] : routes) {
    Reply r = call(method, path, body, tb);
    EXPECT_EQ(r.status, 404) << method << " " << path << " → " << r.raw;
  }
  // …and nothing changed for the owner.
  Reply c = call("GET", "/api/conversations/" + cid, nullptr, ta);
  EXPECT_EQ(c.body["data"]["title"], "private");
  Reply m = call("GET", "/api/messages/" + mid, nullptr, ta);
  EXPECT_EQ(m.body["data"]["content"], "secret");
}

// --- models -------------------------------------------------------------------------------

TEST_F(RestApiTest, ModelsListsTheCatalogueWithAvailability) {
  EXPECT_EQ(call("GET", "/api/models").status, 401);
  auto [id, token] = sign_up("otto");
  Reply models = call("GET", "/api/models", nullptr, token);
  ASSERT_EQ(models.status, 200) << models.raw;
  bool saw_builtin = false, saw_openai = false;
  for (const Json& m : models.body["data"]) {
    EXPECT_TRUE(m["contextWindow"].is_number_integer());
    EXPECT_TRUE(m["inputPrice"].is_number());
    EXPECT_TRUE(m["outputPrice"].is_number());
    if (m["id"] == "builtin") {
      saw_builtin = true;
      EXPECT_EQ(m["available"], true);
    }
    if (m["id"] == "gpt-4o-mini") {
      saw_openai = true;
      EXPECT_EQ(m["available"], false) << "no OpenAI key is configured in tests";
      EXPECT_EQ(m["inputPrice"], 0.15);
    }
  }
  EXPECT_TRUE(saw_builtin);
  EXPECT_TRUE(saw_openai);
}

// --- rate limits --------------------------------------------------------------------------

TEST_F(RestApiTest, WritesBeyondTheBurstAre429WithRetryAfter) {
  write_burst_ = 3;
  writes_per_second_ = 0.01;  // refills one write every 100 s: nothing refills during the test
  restart_server();
  auto [id, token] = sign_up("pat");                           // signing up is not a limited write
  const std::string cid = create_conversation(token, "busy");  // 1
  ASSERT_EQ(post_message(token, cid, "two").status, 201);      // 2
  ASSERT_EQ(post_message(token, cid, "three").status, 201);    // 3
  Reply limited = post_message(token, cid, "four");
  EXPECT_EQ(limited.status, 429) << limited.raw;
  EXPECT_EQ(limited.body["error"], "Too Many Requests");
  // The Retry-After header tells a client when to come back (the native transport hides
  // headers, so ask over a raw socket).
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  const std::string body = R"({"title":"x"})";
  const std::string request =
      "POST /api/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string raw;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(raw), ec);
  EXPECT_EQ(raw.rfind("HTTP/1.1 429", 0), 0u) << raw;
  EXPECT_NE(raw.find("Retry-After: "), std::string::npos) << raw;
  // Reads are not limited, and nothing was stored by the refused write.
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token);
  EXPECT_EQ(list.body["data"].size(), 2u);
  // Another user has a budget of their own.
  auto [other, other_token] = sign_up("quin");
  EXPECT_EQ(call("POST", "/api/conversations", {{"title", "mine"}}, other_token).status, 201);
}

// --- bad input ----------------------------------------------------------------------------

TEST_F(RestApiTest, BadBodiesGetClearErrorsAndTheServerKeepsServing) {
  auto [id, token] = sign_up("mo");
  const std::vector<std::string> bodies = {"{not json",
                                           "[1,2,3]",
                                           "\"a string\"",
                                           std::string(200, '[') + std::string(200, ']'),
                                           "{\"title\":\"\xC3\x28\"}",
                                           "{\"title\":123}",
                                           ""};
  for (const std::string& body : bodies) {
    Reply r = call_raw("POST", "/api/conversations", body, token);
    EXPECT_EQ(r.status, 400) << body.substr(0, 40) << " → " << r.raw;
    EXPECT_TRUE(r.body["message"].is_string()) << r.raw;
  }
  Reply huge = call_raw("POST", "/api/conversations", std::string(2 * 1024 * 1024, ' '), token);
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(call("GET", "/api/conversations", nullptr, token).status, 200);
  EXPECT_EQ(call("GET", "/api/conversations", nullptr, token).body["data"].size(), 0u)
      << "a rejected request stored something";
}

// --- durability ---------------------------------------------------------------------------

TEST_F(RestApiTest, ARestartLosesNothingAcknowledged) {
  auto [id, token] = sign_up("nia");
  const std::string cid = create_conversation(token, "durable");
  Reply first = post_message(token, cid, "remember me");
  ASSERT_EQ(first.status, 201);
  restart_server();
  // The signing secret lives in DATA_DIR, so tokens survive too.
  Reply list = call("GET", "/api/messages?where[conversationId][equals]=" + cid, nullptr, token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["data"].size(), 1u);
  EXPECT_EQ(list.body["data"][0]["content"], "remember me");
  EXPECT_EQ(
      call("POST", "/api/auth/login", {{"email", "nia@example.com"}, {"password", "correct horse"}})
          .status,
      200);
  // Sequence numbers carry on from where they were, never reused.
  EXPECT_EQ(post_message(token, cid, "and me").body["data"]["seq"],
            first.body["data"]["seq"].get<int>() + 1);
}

}  // namespace
}  // namespace imchat
