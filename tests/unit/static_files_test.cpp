#include <gtest/gtest.h>

#include <filesystem>

#include "server/transport/static_files.h"
#include "support/temp_dir.h"

namespace imchat::server {
namespace {

TEST(StaticFiles, MimeTypesLetBrowsersStreamWasm) {
  EXPECT_EQ(mime_type("imchat.wasm"), "application/wasm");
  EXPECT_EQ(mime_type("imchat.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type("imchat.data"), "application/octet-stream");
  EXPECT_EQ(mime_type("noext"), "application/octet-stream");
}

TEST(StaticFiles, MapsTargetsInsideTheRootOnly) {
  EXPECT_EQ(safe_relative_path("/"), "index.html");
  EXPECT_EQ(safe_relative_path("/?embed=1"), "index.html");
  EXPECT_EQ(safe_relative_path("/imchat.wasm"), "imchat.wasm");
  EXPECT_EQ(safe_relative_path("/a/b.js#x"), "a/b.js");
  EXPECT_EQ(safe_relative_path("/docs/"), "docs/index.html");
  EXPECT_EQ(safe_relative_path("/with%20space.txt"), "with space.txt");
  for (const char* bad : {"", "imchat.js", "/../etc/passwd", "/a/../../b", "/%2e%2e/secret",
                          "/.git/config", "/a//b", "/a\\b", "/x%00.js", "/bad%zz", "/trail%2"}) {
    EXPECT_EQ(safe_relative_path(bad), "") << bad;
  }
}

class StaticFilesServe : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("index.html", "<!doctype html><title>imchat</title>");
    dir_.write("app.js", std::string(4096, 'x'));
    dir_.write("app.js.gz", "pretend-gzip");
    dir_.write(".env", "SECRET=1");
  }
  Request get(const std::string& target) {
    Request req{http::verb::get, target, 11};
    return req;
  }
  testing::TempDir dir_;
  StaticFiles files_{dir_.str()};
};

TEST_F(StaticFilesServe, ServesIndexWithValidators) {
  auto res = files_.serve(get("/"));
  ASSERT_TRUE(res);
  auto* file = std::get_if<FileResponse>(&*res);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->result(), http::status::ok);
  EXPECT_EQ((*file)[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_FALSE((*file)[http::field::etag].empty());
  EXPECT_FALSE((*file)[http::field::last_modified].empty());
  EXPECT_EQ(file->body().size(), 36u);
}

TEST_F(StaticFilesServe, AnswersNotModifiedForAMatchingEtag) {
  auto first = files_.serve(get("/app.js"));
  ASSERT_TRUE(first);
  const std::string etag(std::get<FileResponse>(*first)[http::field::etag]);
  Request again = get("/app.js");
  again.set(http::field::if_none_match, etag);
  auto second = files_.serve(again);
  ASSERT_TRUE(second);
  auto* empty = std::get_if<EmptyResponse>(&*second);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->result(), http::status::not_modified);
}

TEST_F(StaticFilesServe, SendsThePrecompressedFileOnlyWhenAccepted) {
  Request gzip = get("/app.js");
  gzip.set(http::field::accept_encoding, "gzip, deflate, br");
  auto compressed = files_.serve(gzip);
  ASSERT_TRUE(compressed);
  auto& c = std::get<FileResponse>(*compressed);
  EXPECT_EQ(c[http::field::content_encoding], "gzip");
  EXPECT_EQ(c.body().size(), 12u);
  EXPECT_EQ(c[http::field::content_type], "text/javascript; charset=utf-8");

  auto plain = files_.serve(get("/app.js"));
  ASSERT_TRUE(plain);
  auto& p = std::get<FileResponse>(*plain);
  EXPECT_EQ(p[http::field::content_encoding], "");
  EXPECT_EQ(p.body().size(), 4096u);
}

TEST_F(StaticFilesServe, IgnoresAStaleCompressedCopy) {
  const auto js = dir_.path() / "app.js";
  const auto gz = dir_.path() / "app.js.gz";
  std::filesystem::last_write_time(gz,
                                   std::filesystem::last_write_time(js) - std::chrono::hours(1));
  Request gzip = get("/app.js");
  gzip.set(http::field::accept_encoding, "gzip");
  auto res = files_.serve(gzip);
  ASSERT_TRUE(res);
  EXPECT_EQ(std::get<FileResponse>(*res).body().size(), 4096u);
}

TEST_F(StaticFilesServe, RefusesHiddenAndMissingFiles) {
  EXPECT_FALSE(files_.serve(get("/.env")));
  EXPECT_FALSE(files_.serve(get("/nope.js")));
  EXPECT_FALSE(files_.serve(get("/../index.html")));
}

TEST_F(StaticFilesServe, HeadReportsLengthWithoutBody) {
  Request head{http::verb::head, "/app.js", 11};
  auto res = files_.serve(head);
  ASSERT_TRUE(res);
  auto* empty = std::get_if<EmptyResponse>(&*res);
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ((*empty)[http::field::content_length], "4096");
}

TEST_F(StaticFilesServe, ALinkOutOfTheRootIsNoFileOfOurs) {
  testing::TempDir outside;
  outside.write("secret.txt", "the data directory, say");
  std::filesystem::create_symlink(outside.path() / "secret.txt", dir_.path() / "leak.txt");
  std::filesystem::create_directories(dir_.path() / "sub");
  std::filesystem::create_directory_symlink(outside.path(), dir_.path() / "sub" / "out");
  EXPECT_FALSE(files_.serve(get("/leak.txt")));
  EXPECT_FALSE(files_.serve(get("/sub/out/secret.txt")));
  // A link that stays inside the root is fine, and so is a root that is itself a link.
  std::filesystem::create_symlink(dir_.path() / "app.js", dir_.path() / "alias.js");
  EXPECT_TRUE(files_.serve(get("/alias.js")));
  std::filesystem::create_directory_symlink(dir_.path(), outside.path() / "root-link");
  StaticFiles through_link((outside.path() / "root-link").string());
  EXPECT_TRUE(through_link.serve(get("/app.js")));
  EXPECT_FALSE(through_link.serve(get("/leak.txt")));
}

}  // namespace
}  // namespace imchat::server
