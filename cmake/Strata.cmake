# Project-wide compile settings, applied to every strata target through strata_options.
add_library(strata_options INTERFACE)
target_compile_options(strata_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(STRATA_WERROR)
  target_compile_options(strata_options INTERFACE -Werror)
endif()
target_include_directories(strata_options INTERFACE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(strata_options INTERFACE Threads::Threads)
include(${CMAKE_CURRENT_LIST_DIR}/Sanitizers.cmake)

# strata_library(NAME SOURCES ... DEPS ...): one layer = one static library.
function(strata_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC strata_options ${ARG_DEPS})
endfunction()

# strata_test(NAME LABEL SOURCES ... DEPS ...): one gtest binary registered with CTest.
function(strata_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE strata_options ${ARG_DEPS} GTest::gtest GTest::gtest_main
                        GTest::gmock rapidcheck)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * ${STRATA_TIMEOUT_SCALE}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT})
  strata_label_target(${ARG_LABEL} ${name})
endfunction()
