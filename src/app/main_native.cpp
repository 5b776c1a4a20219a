// imchat (native): the same UI as the web client, on desktop GLFW + OpenGL 3, talking to
// the server through the Boost.Beast transport. For debugging, and for the GUI tests:
//   imchat --server http://127.0.0.1:8080
//   imchat --server URL --exit-when-connected --screenshot out.png --state-file out.json
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include "app/app.h"

namespace {

struct Args {
  std::string server = "http://127.0.0.1:8080";
  std::string font_dir = IMCHAT_NATIVE_FONT_DIR;
  std::string screenshot;
  std::string state_file;
  std::string state_dir;  // session and outbox; "" = memory only
  bool exit_when_connected = false;
  double timeout_s = 30;
};

void usage() {
  std::puts(
      "usage: imchat [options]\n"
      "  --server URL           imchat server (default http://127.0.0.1:8080)\n"
      "  --font-dir DIR         where Inter-*.otf live (default: the build's font folder)\n"
      "  --exit-when-connected  quit once the server answered and the UI settled (tests)\n"
      "  --screenshot PNG       with --exit-when-connected: save the last frame\n"
      "  --state-file JSON      write the UI state (as window.imchat.state() on the web)\n"
      "  --state-dir DIR        keep the session and unsent messages here (default: memory)\n"
      "  --timeout SECONDS      with --exit-when-connected: give up after this long (30)\n"
      "  --help");
}

bool parse_args(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "imchat: %s needs a value\n", arg.c_str());
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string number;
    if (arg == "--server") {
      if (!value(args.server)) return false;
    } else if (arg == "--font-dir") {
      if (!value(args.font_dir)) return false;
    } else if (arg == "--screenshot") {
      if (!value(args.screenshot)) return false;
    } else if (arg == "--state-file") {
      if (!value(args.state_file)) return false;
    } else if (arg == "--state-dir") {
      if (!value(args.state_dir)) return false;
    } else if (arg == "--exit-when-connected") {
      args.exit_when_connected = true;
    } else if (arg == "--timeout") {
      if (!value(number)) return false;
      args.timeout_s = std::atof(number.c_str());
    } else if (arg == "--help" || arg == "-h") {
      usage();
      std::exit(0);
    } else {
      std::fprintf(stderr, "imchat: unknown option %s (see --help)\n", arg.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace imchat;
  Args args;
  if (!parse_args(argc, argv, args)) return 2;

  auto window = platform::make_window();
  if (auto opened = window->open({.title = "imchat", .width = 1280, .height = 800}); !opened) {
    std::fprintf(stderr, "imchat: %s\n", opened.error().describe().c_str());
    return 1;
  }
  auto http = platform::make_http_client();
  auto sockets = platform::make_websocket_client();
  auto store = platform::make_local_store(args.state_dir);
  auto page = platform::make_page();
  app::App app({.server_url = args.server, .font_dir = args.font_dir}, *window, *http, *sockets,
               store.get(), *page);

  const int64_t started = app::monotonic_ms();
  int64_t settled_frames = 0;
  bool capture = false;
  bool succeeded = !args.exit_when_connected;
  auto after_draw = [&]() {
    if (!args.exit_when_connected) return true;
    if (app.client().server().state == sdk::ConnectionState::kConnected &&
        app.chat().realtime().open()) {
      // A few frames after the answer, so what is captured is what a user would see.
      window->wake();
      if (++settled_frames >= 3) {
        capture = true;
        succeeded = true;
        return false;
      }
      return true;
    }
    if (app::monotonic_ms() - started > static_cast<int64_t>(args.timeout_s * 1000)) {
      std::fprintf(stderr, "imchat: not connected after %.0f s: %s\n", args.timeout_s,
                   app.client().server().last_error.c_str());
      capture = true;
      return false;
    }
    return true;
  };
  auto after_render = [&]() {
    if (!capture || args.screenshot.empty()) return;
    platform::Pixels pixels = window->read_pixels();
    if (!stbi_write_png(args.screenshot.c_str(), pixels.width, pixels.height, 4, pixels.rgba.data(),
                        pixels.width * 4)) {
      std::fprintf(stderr, "imchat: could not write %s\n", args.screenshot.c_str());
    }
  };
  window->run(app.hooks(after_draw, after_render));

  if (!args.state_file.empty()) {
    std::ofstream(args.state_file) << app.state_json() << "\n";
  }
  return succeeded ? 0 : 1;
}
