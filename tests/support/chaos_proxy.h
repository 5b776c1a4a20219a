// ChaosProxy: a TCP proxy on loopback between clients and the server, so a test can cut
// every connection at a moment of its choosing — what a server-side close or a network
// blip looks like from both ends — and point at a restarted server on another port while
// the clients keep the proxy's address. Runs on its own thread (Asio).
#pragma once

#include <array>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace imchat::testing {

class ChaosProxy {
 public:
  explicit ChaosProxy(uint16_t upstream_port)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        upstream_port_(upstream_port) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ChaosProxy() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  void set_upstream(uint16_t port) { upstream_port_ = port; }
  int cuts() const { return cuts_; }
  // Closes every connection now, both sides, like a server dropping them.
  void cut_all() {
    std::promise<void> done;
    boost::asio::post(io_, [this, &done] {
      for (auto& pair : pairs_)
        pair->close();
      pairs_.clear();
      done.set_value();
    });
    done.get_future().wait();
    ++cuts_;
  }

 private:
  using tcp = boost::asio::ip::tcp;

  struct Pair : std::enable_shared_from_this<Pair> {
    explicit Pair(boost::asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::array<char, 16384> up{};
    std::array<char, 16384> down{};
    void start() {
      relay(client, server, up);
      relay(server, client, down);
    }
    void relay(tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
      from.async_read_some(boost::asio::buffer(buffer), [self = shared_from_this(), &from, &to,
                                                         &buffer](auto ec, size_t n) {
        if (ec) return self->close();
        boost::asio::async_write(to, boost::asio::buffer(buffer.data(), n),
                                 [self, &from, &to, &buffer](auto ec2, size_t) {
                                   if (ec2) return self->close();
                                   self->relay(from, to, buffer);
                                 });
      });
    }
    void close() {
      boost::system::error_code ignored;
      client.close(ignored);
      server.close(ignored);
    }
  };

  void accept() {
    auto pair = std::make_shared<Pair>(io_);
    acceptor_.async_accept(pair->client, [this, pair](auto ec) {
      if (ec) return;
      pair->server.async_connect(
          {boost::asio::ip::make_address("127.0.0.1"), upstream_port_.load()},
          [this, pair](auto ec2) {
            if (ec2) return pair->close();  // the server is down: the client sees a reset
            std::erase_if(pairs_, [](const auto& p) { return !p->client.is_open(); });
            pairs_.insert(pair);
            pair->start();
          });
      accept();
    });
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::atomic<uint16_t> upstream_port_;
  std::set<std::shared_ptr<Pair>> pairs_;  // I/O thread only
  std::atomic<int> cuts_{0};
  std::thread thread_;
};

}  // namespace imchat::testing
