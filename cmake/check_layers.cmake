# Which folder of src/ may include which: the layers of src/CMakeLists.txt and
# src/server/CMakeLists.txt, checked on every #include "folder/…" line. A test (tests/layers):
#   cmake -DROOT=<a tree with src/> -P cmake/check_layers.cmake
# Fails naming each include that reaches up or sideways. Linking alone cannot catch these:
# every library sees all of src/, and a header-only use links anyway.
#
# A file's layer is its top folder under src/; under src/server/ its subfolder
# ("server/chat"), with server/log.* a layer of its own (below every server folder) and the
# other files at src/server/ the composition root ("server").
cmake_minimum_required(VERSION 3.22)

set(allowed_model "")
set(allowed_protocol model)
set(allowed_platform model protocol)
set(allowed_sdk model protocol platform)
set(allowed_ui model protocol sdk)
set(allowed_app model protocol platform sdk ui)
set(allowed_server/log model protocol)
set(allowed_server/store model protocol server/log)
set(allowed_server/realtime model protocol server/log)
set(allowed_server/providers model protocol server/log)
set(allowed_server/auth model protocol server/log server/store)
set(allowed_server/chat ${allowed_server/auth} server/auth server/providers server/realtime)
set(allowed_server/api ${allowed_server/chat} server/chat)
set(allowed_server/transport ${allowed_server/api} server/api)
set(allowed_server ${allowed_server/transport} server/transport)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<tree with src/> -P check_layers.cmake")
endif()

# "server/chat/messages.h" → server/chat; "server/log.h" → server/log; "server/config.h" →
# server; "sdk/api.h" → sdk. Paths are relative to src/.
function(layer_of path out)
  if(path MATCHES "^server/log\\.")
    set(${out} server/log PARENT_SCOPE)
  elseif(path MATCHES "^server/([a-z_]+)/")
    set(${out} server/${CMAKE_MATCH_1} PARENT_SCOPE)
  elseif(path MATCHES "^([a-z_]+)/")
    set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

file(GLOB_RECURSE sources RELATIVE "${ROOT}/src" "${ROOT}/src/*.h" "${ROOT}/src/*.cpp")
set(violations 0)
set(checked 0)
foreach(source IN LISTS sources)
  layer_of("${source}" from)
  if(NOT DEFINED allowed_${from})
    message(SEND_ERROR "${source}: folder ${from} is in no layer (add it to check_layers.cmake)")
    math(EXPR violations "${violations} + 1")
    continue()
  endif()
  file(STRINGS "${ROOT}/src/${source}" includes REGEX "^#include \"[a-z_]+/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" target "${line}")
    layer_of("${target}" to)
    # Folders outside our layers (a generated header's, a library's) are not ours to rule.
    if(NOT DEFINED allowed_${to})
      continue()
    endif()
    math(EXPR checked "${checked} + 1")
    if(to STREQUAL from OR to IN_LIST allowed_${from})
      continue()
    endif()
    message(SEND_ERROR "src/${source}: ${from} must not include ${target} (${to})")
    math(EXPR violations "${violations} + 1")
  endforeach()
endforeach()
list(LENGTH sources files)
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} include(s) against the layers, in ${files} files")
endif()
message(STATUS "layers: ${checked} includes in ${files} files, all downward")
