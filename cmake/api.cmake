# The public C++ API (include/webconv/, src/api/), the version header, `webconv --version`, and the
# installed package: `cmake --install BUILD --prefix P` puts the libraries, headers, the CLI and
# webconvConfig.cmake under P, so that find_package(webconv) + webconv::webconv works (examples/).
# Included by the top-level CMakeLists.txt after the layers and the CLI target exist.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

webconv_layer(webconv_api api webconv_runtime)
set_target_properties(webconv_api PROPERTIES EXPORT_NAME webconv)
target_include_directories(webconv_api PUBLIC $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(webconv_api PUBLIC cxx_std_20)
target_link_libraries(webconv PRIVATE webconv_api)

# --- version: project(VERSION) -> build/include/webconv/version.h
configure_file(${CMAKE_SOURCE_DIR}/include/webconv/version.h.in ${CMAKE_BINARY_DIR}/include/webconv/version.h @ONLY)

# --- the Dawn library: the library dlopens WEBCONV_DAWN_LIB (env WEBCONV_DAWN_LIB overrides at run time).
# Its npm package (name@version from the package.json beside it) is recorded for `webconv --version`.
set(WEBCONV_DAWN_PACKAGE "")
get_filename_component(webconv_dawn_dir "${WEBCONV_DAWN_LIB}" DIRECTORY)
if(EXISTS "${webconv_dawn_dir}/package.json")
  file(READ "${webconv_dawn_dir}/package.json" webconv_dawn_json)
  string(JSON webconv_dawn_name ERROR_VARIABLE webconv_json_err GET "${webconv_dawn_json}" name)
  string(JSON webconv_dawn_version ERROR_VARIABLE webconv_json_err GET "${webconv_dawn_json}" version)
  if(webconv_dawn_name AND webconv_dawn_version)
    set(WEBCONV_DAWN_PACKAGE "${webconv_dawn_name}@${webconv_dawn_version}")
  endif()
endif()
if(EXISTS "${WEBCONV_DAWN_LIB}")
  message(STATUS "webconv: WebGPU library ${WEBCONV_DAWN_LIB} (${WEBCONV_DAWN_PACKAGE})")
else()
  message(WARNING "webconv: the WebGPU library WEBCONV_DAWN_LIB=${WEBCONV_DAWN_LIB} does not exist. "
                  "The build goes on, but the webgpu backend will fail until it does: run `npm ci --ignore-scripts` "
                  "(pinned bun-webgpu-linux-x64@0.1.7), or configure with -DWEBCONV_DAWN_LIB=/path/to/libwebgpu_dawn.so, "
                  "or set env WEBCONV_DAWN_LIB at run time.")
endif()
target_compile_definitions(webconv_api PRIVATE WEBCONV_DAWN_LIB="${WEBCONV_DAWN_LIB}"
                                               WEBCONV_DAWN_PACKAGE="${WEBCONV_DAWN_PACKAGE}")

# --- install and package
set(webconv_install_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/webconv)
# The layers are static libraries: an embedder links all of them (through webconv::webconv); only the
# headers under include/webconv/ are public.
install(TARGETS webconv_common webconv_onnx webconv_gpu webconv_cpu webconv_ops webconv_ir webconv_runtime webconv_api
        EXPORT webconvTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS webconv RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `cmake --install BUILD --strip` strips the CLI (CMake's own handling) and, here, the debug sections of the
# static libraries too: in the default RelWithDebInfo build they are most of the installed size (about
# 300 MB installed, 230 MB with only the CLI stripped), and an application linked against them carries them.
if(CMAKE_STRIP)
  install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
      file(GLOB webconv_archives \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libwebconv_*.a\")
      foreach(archive IN LISTS webconv_archives)
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\${archive}\" RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0)
          message(FATAL_ERROR \"${CMAKE_STRIP} --strip-debug \${archive} failed (\${rc})\")
        endif()
      endforeach()
    endif()")
endif()
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/webconv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/include/webconv/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/webconv)
install(EXPORT webconvTargets NAMESPACE webconv:: DESTINATION ${webconv_install_cmakedir})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/webconvConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/webconvConfig.cmake INSTALL_DESTINATION ${webconv_install_cmakedir})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/webconvConfigVersion.cmake VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/webconvConfig.cmake ${CMAKE_BINARY_DIR}/webconvConfigVersion.cmake
        DESTINATION ${webconv_install_cmakedir})
