// FakeVendor: a local HTTP(S) server standing in for an AI vendor we cannot reach from
// tests. It answers each request with the next scripted answer — a status, headers and a
// body written chunk by chunk (the vendor's exact event-stream bytes), optionally cut off
// mid-way or stalled — and records what it was asked, so tests check both directions of
// the wire. Blocking sockets, one thread per connection: simple, and tests are small.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/json.h"

namespace imchat::testing {

struct FakeAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> chunks;  // each written and flushed as one HTTP chunk
  bool cut = false;                 // after the chunks, drop the connection without ending the body
  bool stall = false;               // after the chunks, say nothing more until the client gives up

  // An event-stream answer: "data: …\n\n" per event (or whole pre-built event blocks).
  static FakeAnswer events(std::vector<std::string> blocks) {
    FakeAnswer a;
    a.headers = {{"Content-Type", "text/event-stream"}};
    a.chunks = std::move(blocks);
    return a;
  }
  static FakeAnswer error(int status, std::string json_body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    FakeAnswer a;
    a.status = status;
    a.headers = std::move(headers);
    a.headers.emplace_back("Content-Type", "application/json");
    a.chunks = {std::move(json_body)};
    return a;
  }
};

struct RecordedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  protocol::Json json() const {
    auto parsed = protocol::parse_json(body);
    return parsed ? *parsed : protocol::Json();
  }
};

// A self-signed certificate for 127.0.0.1 and localhost, made at run time (nothing
// committed): the PEM files a TLS fake serves and a client trusts.
struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;

  static TestCertificate make() {
    TestCertificate out;
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("imchat test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    auto to_string = [](auto write) {
      BIO* bio = BIO_new(BIO_s_mem());
      write(bio);
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      std::string s(data, static_cast<size_t>(n));
      BIO_free(bio);
      return s;
    };
    out.cert_pem = to_string([&](BIO* b) { PEM_write_bio_X509(b, cert); });
    out.key_pem = to_string(
        [&](BIO* b) { PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(cert);
    EVP_PKEY_free(key);
    return out;
  }
};

class FakeVendor {
 public:
  // With a certificate: speaks HTTPS.
  explicit FakeVendor(const TestCertificate* certificate = nullptr)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (certificate) {
      tls_ = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain(boost::asio::buffer(certificate->cert_pem));
      tls_->use_private_key(boost::asio::buffer(certificate->key_pem),
                            boost::asio::ssl::context::pem);
    }
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~FakeVendor() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (auto* socket : open_sockets_) {
        boost::system::error_code ec;
        socket->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      }
    }
    {
      // Closing a listening socket does not wake a blocked accept() on Linux; a connection
      // does, and the loop then sees stopping_.
      boost::asio::ip::tcp::socket wake(io_);
      boost::system::error_code ec;
      wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
      accept_thread_.join();
    }
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mutex_);
      threads.swap(connection_threads_);
    }
    for (auto& t : threads)
      t.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url(const std::string& path = "") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + path;
  }

  void push(FakeAnswer answer) {
    std::lock_guard lock(mutex_);
    answers_.push_back(std::move(answer));
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Waits (on a condition variable, signalled by the connection threads) until n requests
  // arrived; false after the limit.
  bool wait_for_requests(size_t n, std::chrono::seconds limit = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return requests_.size() >= n; });
  }

 private:
  void accept_loop() {
    while (true) {
      auto socket = std::make_unique<boost::asio::ip::tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (ec) return;
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      open_sockets_.push_back(socket.get());
      connection_threads_.emplace_back(
          [this, s = std::shared_ptr<boost::asio::ip::tcp::socket>(std::move(socket))] {
            serve(*s);
            std::lock_guard lock(mutex_);
            std::erase(open_sockets_, s.get());
          });
    }
  }

  void serve(boost::asio::ip::tcp::socket& socket) {
    if (!tls_) return exchange(socket, socket);
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket&> stream(socket, *tls_);
    boost::system::error_code ec;
    stream.handshake(boost::asio::ssl::stream_base::server, ec);
    if (!ec) exchange(stream, socket);
  }

  template <class Stream>
  void exchange(Stream& stream, boost::asio::ip::tcp::socket& socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::read(stream, buffer, request, ec);
    if (ec) return;
    FakeAnswer answer;
    {
      std::lock_guard lock(mutex_);
      RecordedRequest recorded{
          std::string(request.method_string()), std::string(request.target()), {}, request.body()};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        recorded.headers[name] = std::string(field.value());
      }
      requests_.push_back(std::move(recorded));
      if (answers_.empty()) {
        answer = FakeAnswer::error(500, R"({"error":{"message":"no scripted answer"}})");
      } else {
        answer = std::move(answers_.front());
        answers_.pop_front();
      }
      changed_.notify_all();
    }
    http::response<http::empty_body> header{static_cast<http::status>(answer.status), 11};
    for (const auto& [name, value] : answer.headers)
      header.set(name, value);
    header.chunked(true);
    header.keep_alive(false);
    http::response_serializer<http::empty_body> serializer(header);
    http::write_header(stream, serializer, ec);
    for (const auto& chunk : answer.chunks) {
      if (ec) return;
      boost::asio::write(stream, http::make_chunk(boost::asio::buffer(chunk)), ec);
    }
    if (ec) return;
    if (answer.cut) {
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      return;
    }
    if (answer.stall) {
      char byte;
      socket.read_some(boost::asio::buffer(&byte, 1), ec);  // until the client hangs up
      return;
    }
    boost::asio::write(stream, http::make_chunk_last(), ec);
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<FakeAnswer> answers_;
  std::vector<RecordedRequest> requests_;
  std::vector<boost::asio::ip::tcp::socket*> open_sockets_;
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;
  bool stopping_ = false;
};

}  // namespace imchat::testing
