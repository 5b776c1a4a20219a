# Thin wrapper over CMake presets; see README.md. Every target installs what is missing first.
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
# Paths relative to the checkout, so every clone (CI makes a fresh one) shares the cache.
export CCACHE_BASEDIR := $(CURDIR)
# With -g, ccache hashes the build directory too; a fresh clone (CI) would miss every time.
export CCACHE_NOHASHDIR := 1

PORT ?= 8080
DATA_DIR ?= $(CURDIR)/data

.PHONY: all deps native web build run test test-asan bench fuzz fuzz-smoke format clean

all: build

deps:
	@scripts/bootstrap.sh

native: deps
	@[ -f build/native/build.ninja ] || cmake --preset native >/dev/null
	@cmake --build --preset native

web: deps
	@[ -f build/web/build.ninja ] || cmake --preset web >/dev/null
	@cmake --build --preset web

build: native web

run: deps
	@[ -f build/native/build.ninja ] || cmake --preset native >/dev/null
	@cmake --build --preset native --target imchat-server
	@$(MAKE) --no-print-directory web
	@exec build/native/src/server/imchat-server --port "$(PORT)" --data-dir "$(DATA_DIR)" \
	  --web-root build/web/out

test: build
	@ctest --preset native

# The server and SDK suites again under AddressSanitizer + UBSan (leaks included): the
# concurrency in the gateway and the reply streams is where memory bugs hide.
test-asan: deps
	@[ -f build/asan/build.ninja ] || cmake --preset asan >/dev/null
	@cmake --build --preset asan
	@ctest --preset asan

bench: build
	@bench/run

# libFuzzer on every parser that takes bytes from outside (tests/fuzz): FUZZ_SECONDS per
# target (default 60), then a table. fuzz-smoke: 10 s each from the seeds (CI runs it).
fuzz: deps
	@scripts/fuzz.sh

fuzz-smoke: deps
	@scripts/fuzz.sh --smoke

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build/native build/web
