# Warnings for our own code only (third-party targets are compiled without them).
function(imchat_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
endfunction()
