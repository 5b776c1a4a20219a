# Finishes the static site in OUT after the wasm is linked (cmake -P, from src/CMakeLists.txt):
# index.html gets the raw download sizes for its progress bar, and every file gets a gzip
# twin (the server sends .gz when the browser accepts gzip, like nginx's gzip_static).
# Inputs: -DSOURCE=<repo>/web -DOUT=<build>/out
file(SIZE "${OUT}/imchat.wasm" wasm_size)
file(SIZE "${OUT}/imchat.data" data_size)
file(READ "${SOURCE}/index.html" page)
string(REPLACE "/*@SIZES@*/null" "{\"imchat.wasm\": ${wasm_size}, \"imchat.data\": ${data_size}}"
       page "${page}")
file(WRITE "${OUT}/index.html" "${page}")
foreach(file embed.js config.json)
  configure_file("${SOURCE}/${file}" "${OUT}/${file}" COPYONLY)
endforeach()
file(MAKE_DIRECTORY "${OUT}/examples")
configure_file("${SOURCE}/examples/two-chats.html" "${OUT}/examples/two-chats.html" COPYONLY)
execute_process(
  COMMAND gzip -9 -k -f -n imchat.js imchat.wasm imchat.data index.html embed.js
  WORKING_DIRECTORY "${OUT}" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "gzip failed in ${OUT}")
endif()
