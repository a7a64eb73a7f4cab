# Helpers that give every Keel target the same flags, include paths and test wiring.

# -Wshadow=local is GCC's spelling; clang (the asan and fuzz builds) has no such option.
set(KEEL_WARNINGS -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor
                  -Wno-unused-parameter -Wno-missing-field-initializers)

# keel_stage(NAME SOURCES a.cc b.cc DEPS keel_core ... [PUBLIC_LIBS ...])
# Declares the library keel_<NAME> for one pipeline stage. DEPS are the only stages it may use.
function(keel_stage NAME)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LIBS" ${ARGN})
  set(target keel_${NAME})
  add_library(${target} STATIC ${ARG_SOURCES})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>)
  target_compile_options(${target} PRIVATE ${KEEL_WARNINGS} $<$<BOOL:${KEEL_WERROR}>:-Werror>
                                           $<$<BOOL:${KEEL_NATIVE}>:-march=native>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} ${ARG_LIBS})
  set_property(GLOBAL APPEND PROPERTY KEEL_STAGE_TARGETS ${target})
endfunction()

# keel_tests(NAME SOURCES a_test.cc ... DEPS keel_x ...)
# A GoogleTest executable keel_<NAME>_tests whose tests ctest discovers one by one, each failed
# after KEEL_TEST_TIMEOUT seconds.
function(keel_tests NAME)
  if(NOT KEEL_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target keel_${NAME}_tests)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_options(${target} PRIVATE ${KEEL_WARNINGS})
  target_compile_definitions(${target} PRIVATE
    KEEL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    KEEL_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures"
    KEEL_SHARED_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
  gtest_discover_tests(${target} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS ${NAME} TIMEOUT ${KEEL_TEST_TIMEOUT})
endfunction()

# keel_never_links(TARGET FORBIDDEN...): stops the configure step when TARGET links one of
# FORBIDDEN, directly or through the targets it links. The stage edges are the architecture
# (docs/architecture.md); this states the ones that must never appear, so adding one fails
# the build at once instead of surfacing as a bigger server binary.
function(keel_never_links target)
  get_target_property(queue ${target} LINK_LIBRARIES)
  set(seen "")
  while(queue)
    list(POP_FRONT queue lib)
    # Private dependencies of static libraries appear as $<LINK_ONLY:lib>.
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
    if(NOT TARGET "${lib}" OR "${lib}" IN_LIST seen)
      continue()
    endif()
    if("${lib}" IN_LIST ARGN)
      message(FATAL_ERROR "${target} links ${lib}, which it must never link (see "
                          "docs/architecture.md); remove the edge")
    endif()
    list(APPEND seen "${lib}")
    get_target_property(more "${lib}" INTERFACE_LINK_LIBRARIES)
    if(more)
      list(APPEND queue ${more})
    endif()
  endwhile()
endfunction()
