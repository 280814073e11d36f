# cmake/llvm.cmake: the optional LLVM back end (docs/build.md, "The LLVM
# back end").
#
#   -DNETC_LLVM=AUTO  (default) the LLVM back end where llvm-config of LLVM
#                     14 or later is found, a note otherwise
#   -DNETC_LLVM=ON    the same, but its absence is a configure error
#   -DNETC_LLVM=OFF   never; --backend=llvm is then a usage error
#
# Sets NETC_HAVE_LLVM and, when true, NETC_LLVM_INCLUDE, NETC_LLVM_LIBDIR,
# NETC_LLVM_LIBS (for netcfront) and NETC_LLVM_BINDIR (llvm-nm and
# llvm-size, for the tests).

set(NETC_LLVM AUTO CACHE STRING "The LLVM back end: ON, OFF or AUTO (where llvm-config is found)")
set_property(CACHE NETC_LLVM PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${NETC_LLVM}" netc_llvm_mode)
set(NETC_HAVE_LLVM FALSE)

if(NOT netc_llvm_mode STREQUAL "OFF")
  find_program(NETC_LLVM_CONFIG NAMES llvm-config-14 llvm-config)
  if(NETC_LLVM_CONFIG)
    foreach(q version includedir libdir bindir)
      execute_process(COMMAND ${NETC_LLVM_CONFIG} --${q} OUTPUT_VARIABLE netc_llvm_${q}
                      OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE netc_llvm_rc)
    endforeach()
    execute_process(COMMAND ${NETC_LLVM_CONFIG} --libs --link-shared OUTPUT_VARIABLE NETC_LLVM_LIBS
                    OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE netc_llvm_rc)
    if(netc_llvm_rc EQUAL 0 AND netc_llvm_version VERSION_GREATER_EQUAL 14)
      set(NETC_HAVE_LLVM TRUE)
      set(NETC_LLVM_INCLUDE ${netc_llvm_includedir})
      set(NETC_LLVM_LIBDIR ${netc_llvm_libdir})
      set(NETC_LLVM_BINDIR ${netc_llvm_bindir})
      separate_arguments(NETC_LLVM_LIBS)
    endif()
  endif()
  if(NOT NETC_HAVE_LLVM AND netc_llvm_mode STREQUAL "ON")
    message(FATAL_ERROR "NETC_LLVM=ON, but no llvm-config of LLVM 14 or later was found "
                        "(Debian: apt-get install llvm-14-dev)")
  endif()
endif()
if(NETC_HAVE_LLVM)
  message(STATUS "netc: the LLVM back end, with LLVM ${netc_llvm_version}")
else()
  message(STATUS "netc: no LLVM back end (apt-get install llvm-14-dev, or -DNETC_LLVM=ON to require it)")
endif()
