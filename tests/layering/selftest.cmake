# cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch> -P selftest.cmake
# Configures tests/layering/violations and passes only when the configure fails naming every
# mistake planted there, and nothing about the correct targets.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/layering/violations -B ${WORK_DIR} -G Ninja
          -DLMFRONT_CMAKE_DIR=${SOURCE_DIR}/cmake
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
# CMake wraps long messages; compare on single spaces.
string(REGEX REPLACE "[ \n]+" " " text "${out} ${err}")
if(result EQUAL 0)
  message(FATAL_ERROR "the configure of the layering violations succeeded:\n${out}${err}")
endif()
set(expected
  "layering: lmfront_selftest_models (layer models) reaches Qt6::Widgets through lmfront_selftest_helper"
  "layering: lmfront_selftest_helper (layer models) links Qt6::Widgets directly"
  "layering: lmfront_selftest_engine (layer engine) reaches lmfront_selftest_gateway (layer gateway) through lmfront_selftest_common"
  "layering: lmfront_selftest_common (layer common) links lmfront_selftest_gateway (layer gateway) directly"
  "layering: lmfront_selftest_qtengine (layer engine) links Qt6::Core directly"
  "layering: lmfront_selftest_widgets (layer widgets) links lmfront_selftest_unlayered directly; lmfront_selftest_unlayered declares no layer")
foreach(line IN LISTS expected)
  string(FIND "${text}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "missing from the configure output: ${line}\n--- output:\n${out}${err}")
  endif()
endforeach()
foreach(fine lmfront_selftest_view lmfront_selftest_node)
  if(text MATCHES "layering: ${fine} ")
    message(FATAL_ERROR "${fine} is correct but was reported:\n${out}${err}")
  endif()
endforeach()
