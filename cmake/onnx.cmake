# cmake/onnx.cmake: optional ONNX support (docs/import.md).
#
# ONNX models are protobuf. netc reads them with protobuf-c and the schema
# that Debian's libonnx-dev installs (onnx/onnx.proto), compiled here by
# protoc-c into the build directory: neither the schema nor generated code is
# part of netc's sources.
#
#   -DNETC_ONNX=AUTO  (default) ONNX support where protobuf-c, protoc-c and
#                     onnx.proto are found, a note otherwise
#   -DNETC_ONNX=ON    the same, but their absence is a configure error
#   -DNETC_ONNX=OFF   never; netc says ONNX support is not in this build
#
# Sets NETC_HAVE_ONNX and, when true, NETC_ONNX_SOURCES (the generated .c)
# and NETC_ONNX_INCLUDE_DIRS / NETC_ONNX_LIBRARIES for netcfront.

set(NETC_ONNX AUTO CACHE STRING "ONNX import: ON, OFF or AUTO (where protobuf-c and onnx.proto are found)")
set_property(CACHE NETC_ONNX PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${NETC_ONNX}" netc_onnx_mode)
set(NETC_HAVE_ONNX FALSE)

if(NOT netc_onnx_mode STREQUAL "OFF")
  find_program(NETC_PROTOC_C NAMES protoc-c protoc-gen-c)
  find_path(NETC_PROTOBUF_C_INCLUDE_DIR protobuf-c/protobuf-c.h)
  find_library(NETC_PROTOBUF_C_LIBRARY protobuf-c)
  find_file(NETC_ONNX_PROTO onnx/onnx.proto PATHS /usr/include /usr/local/include)
  set(netc_onnx_missing "")
  foreach(v NETC_PROTOC_C NETC_PROTOBUF_C_INCLUDE_DIR NETC_PROTOBUF_C_LIBRARY NETC_ONNX_PROTO)
    if(NOT ${v})
      list(APPEND netc_onnx_missing ${v})
    endif()
  endforeach()
  if(netc_onnx_missing)
    set(netc_onnx_why "not found: ${netc_onnx_missing} (Debian: protobuf-c-compiler, libprotobuf-c-dev, libonnx-dev; scripts/deps.sh installs them)")
    if(netc_onnx_mode STREQUAL "ON")
      message(FATAL_ERROR "NETC_ONNX=ON but ${netc_onnx_why}")
    endif()
    message(STATUS "ONNX import: off, ${netc_onnx_why}")
  else()
    set(NETC_HAVE_ONNX TRUE)
    get_filename_component(netc_onnx_proto_dir ${NETC_ONNX_PROTO} DIRECTORY)
    set(netc_onnx_out ${CMAKE_CURRENT_BINARY_DIR}/onnxproto)
    file(MAKE_DIRECTORY ${netc_onnx_out})
    add_custom_command(
      OUTPUT ${netc_onnx_out}/onnx.pb-c.c ${netc_onnx_out}/onnx.pb-c.h
      COMMAND ${NETC_PROTOC_C} -I${netc_onnx_proto_dir} --c_out=${netc_onnx_out} ${NETC_ONNX_PROTO}
      DEPENDS ${NETC_ONNX_PROTO}
      COMMENT "Compiling onnx.proto with protoc-c"
      VERBATIM)
    set(NETC_ONNX_SOURCES ${netc_onnx_out}/onnx.pb-c.c)
    set(NETC_ONNX_INCLUDE_DIRS ${netc_onnx_out} ${NETC_PROTOBUF_C_INCLUDE_DIR})
    set(NETC_ONNX_LIBRARIES ${NETC_PROTOBUF_C_LIBRARY})
    set_source_files_properties(${NETC_ONNX_SOURCES} PROPERTIES GENERATED TRUE COMPILE_OPTIONS "-w")
    message(STATUS "ONNX import: on (${NETC_ONNX_PROTO}, ${NETC_PROTOC_C})")
  endif()
else()
  message(STATUS "ONNX import: off (NETC_ONNX=OFF)")
endif()
