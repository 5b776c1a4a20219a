# Third-party code. Nothing here is committed or downloaded by CMake:
#  - Dear ImGui 1.86 and md4c come from Debian *source* packages that scripts/bootstrap.sh
#    unpacks into IMCHAT_DEPS_DIR, so the native and the wasm build compile the same files;
#  - header-only nlohmann_json and fmt come from Debian's -dev packages. The wasm build must
#    never see /usr/include itself (it would shadow Emscripten's libc), so their include
#    folders are staged alone under the build tree.

set(IMGUI_DIR "${IMCHAT_DEPS_DIR}/imgui")
set(MD4C_DIR "${IMCHAT_DEPS_DIR}/md4c")
foreach(dir IN ITEMS "${IMGUI_DIR}/imgui.cpp" "${MD4C_DIR}/src/md4c.c")
  if(NOT EXISTS "${dir}")
    message(FATAL_ERROR "${dir} is missing: run scripts/bootstrap.sh (or make deps) first")
  endif()
endforeach()

# --- header-only libraries -------------------------------------------------------------
set(IMCHAT_STAGE_INCLUDE "${CMAKE_BINARY_DIR}/stage/include")
file(MAKE_DIRECTORY "${IMCHAT_STAGE_INCLUDE}")
foreach(lib IN ITEMS nlohmann fmt)
  if(NOT EXISTS "/usr/include/${lib}")
    message(FATAL_ERROR "/usr/include/${lib} is missing: run scripts/bootstrap.sh")
  endif()
  if(NOT EXISTS "${IMCHAT_STAGE_INCLUDE}/${lib}")
    file(CREATE_LINK "/usr/include/${lib}" "${IMCHAT_STAGE_INCLUDE}/${lib}" SYMBOLIC)
  endif()
endforeach()

add_library(imchat_json INTERFACE)
target_include_directories(imchat_json SYSTEM INTERFACE "${IMCHAT_STAGE_INCLUDE}")

add_library(imchat_fmt INTERFACE)
target_include_directories(imchat_fmt SYSTEM INTERFACE "${IMCHAT_STAGE_INCLUDE}")
target_compile_definitions(imchat_fmt INTERFACE FMT_HEADER_ONLY=1)

# --- Dear ImGui ------------------------------------------------------------------------
add_library(imgui STATIC
  "${IMGUI_DIR}/imgui.cpp"
  "${IMGUI_DIR}/imgui_draw.cpp"
  "${IMGUI_DIR}/imgui_tables.cpp"
  "${IMGUI_DIR}/imgui_widgets.cpp"
  "${IMGUI_DIR}/imgui_demo.cpp"
  "${IMGUI_DIR}/misc/cpp/imgui_stdlib.cpp")
target_include_directories(imgui SYSTEM PUBLIC "${IMGUI_DIR}" "${IMGUI_DIR}/misc/cpp")
# Our own code never needs the deprecated API; keeping it out catches accidental use.
target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS)

# The GLFW platform backend and the OpenGL 3 / WebGL2 renderer backend.
add_library(imgui_backends STATIC
  "${IMGUI_DIR}/backends/imgui_impl_glfw.cpp"
  "${IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
target_include_directories(imgui_backends SYSTEM PUBLIC "${IMGUI_DIR}/backends")
target_link_libraries(imgui_backends PUBLIC imgui)
if(NOT EMSCRIPTEN)  # Emscripten's GLFW headers are in its sysroot; -sUSE_GLFW=3 at link

  find_package(glfw3 3.3 REQUIRED)
  find_package(OpenGL REQUIRED)
  target_link_libraries(imgui_backends PUBLIC glfw OpenGL::GL ${CMAKE_DL_LIBS})
endif()

# --- md4c (Markdown parser; used by the message renderer) ------------------------------
add_library(md4c STATIC "${MD4C_DIR}/src/md4c.c" "${MD4C_DIR}/src/entity.c")
target_include_directories(md4c SYSTEM PUBLIC "${MD4C_DIR}/src")

# Third-party code is not ours to fix: build it quietly.
foreach(target IN ITEMS imgui imgui_backends md4c)
  target_compile_options(${target} PRIVATE -w)
endforeach()
