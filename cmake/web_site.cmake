# Finishes the static site in OUT after the wasm is linked (cmake -P, from src/CMakeLists.txt):
# the page shell's script (boot.js) gets the raw download sizes for its progress bar, and
# every file gets a gzip twin (the server sends .gz when the browser accepts gzip, like
# nginx's gzip_static).
# Inputs: -DSOURCE=<repo>/web -DOUT=<build>/out
file(SIZE "${OUT}/imchat.wasm" wasm_size)
file(SIZE "${OUT}/imchat.data" data_size)
file(READ "${SOURCE}/boot.js" script)
string(REPLACE "/*@SIZES@*/null" "{\"imchat.wasm\": ${wasm_size}, \"imchat.data\": ${data_size}}"
       script "${script}")
file(WRITE "${OUT}/boot.js" "${script}")
foreach(file index.html embed.js config.json)
  configure_file("${SOURCE}/${file}" "${OUT}/${file}" COPYONLY)
endforeach()
file(MAKE_DIRECTORY "${OUT}/examples")
foreach(file two-chats.html two-chats.js)
  configure_file("${SOURCE}/examples/${file}" "${OUT}/examples/${file}" COPYONLY)
endforeach()
execute_process(
  COMMAND gzip -9 -k -f -n imchat.js imchat.wasm imchat.data index.html boot.js embed.js
  WORKING_DIRECTORY "${OUT}" RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "gzip failed in ${OUT}")
endif()
