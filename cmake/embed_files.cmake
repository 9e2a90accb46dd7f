# Writes OUTPUT, a C++ source defining custody::schema::embedded_files(): every
# *.json file under DIRECTORY (path relative to it -> contents) as raw string
# literals, so the binary carries its schemas and never reads the source tree.
# Run as: cmake -DDIRECTORY=<dir> -DOUTPUT=<file.cpp> -P embed_files.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT DIRECTORY OR NOT OUTPUT)
  message(FATAL_ERROR "embed_files.cmake needs -DDIRECTORY=... -DOUTPUT=...")
endif()

file(GLOB_RECURSE files RELATIVE ${DIRECTORY} ${DIRECTORY}/*.json)
list(SORT files)

set(literals "")
set(entries "")
set(index 0)
foreach(name IN LISTS files)
  file(READ ${DIRECTORY}/${name} contents)
  # A delimiter the contents do not contain, so the raw literal ends where it
  # should (a raw string's delimiter is at most 16 characters).
  set(n 0)
  while(TRUE)
    set(delimiter "embed${n}")
    string(FIND "${contents}" ")${delimiter}\"" found)
    if(found EQUAL -1)
      break()
    endif()
    math(EXPR n "${n} + 1")
  endwhile()
  string(APPEND literals
    "constexpr std::string_view k_file_${index} = R\"${delimiter}(${contents})${delimiter}\";\n")
  string(APPEND entries "    {\"${name}\", k_file_${index}},\n")
  math(EXPR index "${index} + 1")
endforeach()

set(source "// Generated from schemas/ by cmake/embed_files.cmake; do not edit.
#include <custody/schema/schema.hpp>

namespace custody::schema {

namespace {

${literals}
} // namespace

const std::map<std::string_view, std::string_view>&
embedded_files()
{
  static const std::map<std::string_view, std::string_view> files = {
${entries}  };
  return files;
}

} // namespace custody::schema
")

# Rewrite only on change, so an unrelated build does not recompile it.
set(old "")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT old STREQUAL source)
  file(WRITE ${OUTPUT} "${source}")
endif()
