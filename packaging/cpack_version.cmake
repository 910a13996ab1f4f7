# Included by cpack (CPACK_PROJECT_CONFIG_FILE, written by CMakeLists.txt with
# CALLTRAIL_BINARY, CALLTRAIL_CHANGELOG and CALLTRAIL_MAINTAINER): the package
# takes the version the built binary reports, and its changelog.gz (a native
# package's) holds one entry for that version.
execute_process(COMMAND ${CALLTRAIL_BINARY} --version OUTPUT_VARIABLE reported
                RESULT_VARIABLE failed OUTPUT_STRIP_TRAILING_WHITESPACE)
if(failed OR NOT reported MATCHES "^calltrail ([0-9][A-Za-z0-9.+~]*)$")
  message(FATAL_ERROR "cannot read the version of ${CALLTRAIL_BINARY}: '${reported}'")
endif()
set(CPACK_PACKAGE_VERSION ${CMAKE_MATCH_1})
string(TIMESTAMP date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE ${CALLTRAIL_CHANGELOG}
     "calltrail (${CPACK_PACKAGE_VERSION}) unstable; urgency=medium\n\n"
     "  * Built from the sources at version ${CPACK_PACKAGE_VERSION}.\n\n"
     " -- ${CALLTRAIL_MAINTAINER}  ${date}\n")
execute_process(COMMAND gzip -9nf ${CALLTRAIL_CHANGELOG} RESULT_VARIABLE failed)
if(failed)
  message(FATAL_ERROR "cannot compress ${CALLTRAIL_CHANGELOG}")
endif()
