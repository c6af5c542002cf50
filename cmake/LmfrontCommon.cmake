# One interface target carries the project's warnings, strictness macros and sanitizer flags.
# Every lmfront target links lmfront_options; nothing sets warning flags anywhere else.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

add_library(lmfront_options INTERFACE)
target_compile_options(lmfront_options INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  -Wmisleading-indentation
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wlogical-op>
)
target_compile_definitions(lmfront_options INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_CAST_TO_ASCII
  QT_NO_CAST_FROM_BYTEARRAY
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_NO_URL_CAST_FROM_STRING
  QT_USE_QSTRINGBUILDER
  QT_NO_FOREACH
  QT_NO_KEYWORDS
)
if(LMFRONT_SANITIZE)
  target_compile_options(lmfront_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(lmfront_options INTERFACE -fsanitize=address,undefined)
endif()
if(LMFRONT_TSAN)
  if(LMFRONT_SANITIZE)
    message(FATAL_ERROR "LMFRONT_TSAN and LMFRONT_SANITIZE cannot be combined (one sanitizer runtime per build)")
  endif()
  # -O1 -g1: TSan's usual trade (fast enough to run, line tables for the reports, quick to build).
  target_compile_options(lmfront_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer -O1 -g1)
  target_link_options(lmfront_options INTERFACE -fsanitize=thread)
  # `ninja tsan_suite` builds only what the ThreadSanitizer run needs (see lmfront_add_test).
  add_custom_target(tsan_suite)
endif()

include(LmfrontLayers)  # lmfront_layer(): what each layer may link, checked at the end of the configure

# lmfront_add_test(NAME <name> SOURCES <src>... LIBS <lib>... [LABELS <label>...] [GUI])
# One Qt Test executable per test; GUI tests run on the offscreen platform. Every test is also
# labelled with its area, the folder under tests/ it lives in (`ctest -L '^gateway$'`).
function(lmfront_add_test)
  cmake_parse_arguments(T "GUI" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/tests ${CMAKE_CURRENT_SOURCE_DIR})
  string(REGEX REPLACE "/.*" "" area "${rel}")
  list(APPEND T_LABELS ${area})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE lmfront_options Qt6::Test ${T_LIBS})
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set(env "XDG_RUNTIME_DIR=${CMAKE_BINARY_DIR}/xdg-runtime" "LMFRONT_BIN_DIR=${CMAKE_BINARY_DIR}/bin"
          "LMFRONT_SOURCE_DIR=${CMAKE_SOURCE_DIR}" ${T_ENV})
  if(T_GUI)
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES ENVIRONMENT "${env}" LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
  if(LMFRONT_TSAN AND area MATCHES "^(gateway|node)$")
    add_dependencies(tsan_suite ${T_NAME})
  endif()
endfunction()

# Qt warns when XDG_RUNTIME_DIR is unset or not 0700; tests point it here.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/xdg-runtime)
file(CHMOD ${CMAKE_BINARY_DIR}/xdg-runtime DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
