# Installation layout and Debian packages (docs/packaging.md). `scripts/package.sh BUILD_DIR`
# runs CPack's DEB generator over an already built tree; it makes three packages:
#   lmfront          lmfront, lmfrontd, the systemd unit, its config (a conffile), the sysusers.d
#                    entry, the default models' build script, man pages, bash completion, docs
#   lmfront-console  lmfront-console, its desktop entry, AppStream metainfo, icons, man page
#                    (its zh_CN translation is compiled into the binary)
#   lmfront-models   no data: Depends on Debian's corpora and builds the default models into
#                    /var/lib/lmfront/models after installation (docs/decisions/distribution.md)
# Man pages and completions are generated from the binaries' own --help output on every build
# (cmake/packaging/*.sh), so they cannot drift from the flag tables.
include_guard(GLOBAL)

set(LMFRONT_DEB_RELEASE 1)  # the Debian revision; the version itself is project()'s
set(LMFRONT_MAINTAINER "lmfront maintainers <maintainers@lmfront.example>")
set(pkg_src ${PROJECT_SOURCE_DIR}/resources/packaging)
set(pkg_gen ${PROJECT_SOURCE_DIR}/cmake/packaging)
set(pkg_out ${PROJECT_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${pkg_out})

# The changelog's newest entry must be this version: a release bumps both together.
file(STRINGS ${pkg_src}/changelog changelog_head LIMIT_COUNT 1)
set(deb_version ${PROJECT_VERSION}-${LMFRONT_DEB_RELEASE})
if(NOT changelog_head MATCHES "^lmfront \\(${deb_version}\\) ")
  message(FATAL_ERROR "resources/packaging/changelog: the newest entry is not ${deb_version}: ${changelog_head}")
endif()
# The AppStream release date is the changelog entry's.
file(STRINGS ${pkg_src}/changelog changelog_dates REGEX "^ -- ")
list(GET changelog_dates 0 changelog_date)
string(REGEX MATCH "([0-9][0-9]) ([A-Z][a-z][a-z]) ([0-9][0-9][0-9][0-9])" _ "${changelog_date}")
set(months Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
list(FIND months ${CMAKE_MATCH_2} month_index)
math(EXPR month "${month_index} + 1")
if(month LESS 10)
  set(month 0${month})
endif()
set(LMFRONT_RELEASE_DATE ${CMAKE_MATCH_3}-${month}-${CMAKE_MATCH_1})
configure_file(${pkg_src}/org.lmfront.Console.metainfo.xml ${pkg_out}/org.lmfront.Console.metainfo.xml @ONLY)

# gzip -9n: what Debian's tools produce (lintian checks it); -n keeps the output reproducible.
find_program(GZIP gzip REQUIRED)
function(lmfront_gzip out in)
  add_custom_command(OUTPUT ${out} COMMAND ${GZIP} -9nc ${in} > ${out} DEPENDS ${in} VERBATIM)
endfunction()
lmfront_gzip(${pkg_out}/changelog.Debian.gz ${pkg_src}/changelog)

# Man pages and completions from --help.
set(generated ${pkg_out}/changelog.Debian.gz)
function(lmfront_manpage target section description)
  set(page ${pkg_out}/${target}.${section})
  # Sections --help has no room for (DESCRIPTION, SIGNALS, FILES, ...), appended when present.
  set(extra)
  if(EXISTS ${pkg_src}/man/${target}.${section})
    set(extra ${pkg_src}/man/${target}.${section})
  endif()
  add_custom_command(OUTPUT ${page}
    COMMAND ${pkg_gen}/manpage.sh $<TARGET_FILE:${target}> ${section} ${description} ${page} ${ARGN}
    DEPENDS ${target} ${pkg_gen}/manpage.sh ${extra} VERBATIM)
  lmfront_gzip(${page}.gz ${page})
  set(generated ${generated} ${page}.gz PARENT_SCOPE)
endfunction()
function(lmfront_completion target)
  add_custom_command(OUTPUT ${pkg_out}/${target}.bash
    COMMAND ${pkg_gen}/completion.sh $<TARGET_FILE:${target}> ${pkg_out}/${target}.bash ${ARGN}
    DEPENDS ${target} ${pkg_gen}/completion.sh VERBATIM)
  set(generated ${generated} ${pkg_out}/${target}.bash PARENT_SCOPE)
endfunction()
lmfront_manpage(lmfront 1 "train, compile, score and mix n-gram models, manage API keys, watch a node" --verbs)
lmfront_manpage(lmfrontd 8 "the lmfront node: OpenAI-compatible gateway and n-gram engine, headless")
lmfront_completion(lmfront --verbs)
lmfront_completion(lmfrontd)
if(TARGET lmfront-console)
  lmfront_manpage(lmfront-console 1 "operations console for lmfront nodes, with a local node")
  lmfront_completion(lmfront-console)
  # Icons at the freedesktop sizes, rendered from the one SVG.
  find_program(RSVG_CONVERT rsvg-convert)
  set(icon_sizes 16 22 24 32 48 64 128 256)
  if(RSVG_CONVERT)
    foreach(size ${icon_sizes})
      set(png ${pkg_out}/icons/${size}x${size}/lmfront-console.png)
      add_custom_command(OUTPUT ${png}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${pkg_out}/icons/${size}x${size}
        COMMAND ${RSVG_CONVERT} -w ${size} -h ${size} -o ${png} ${PROJECT_SOURCE_DIR}/resources/icons/lmfront.svg
        DEPENDS ${PROJECT_SOURCE_DIR}/resources/icons/lmfront.svg VERBATIM)
      list(APPEND generated ${png})
      install(FILES ${png} DESTINATION share/icons/hicolor/${size}x${size}/apps COMPONENT console)
    endforeach()
  else()
    message(STATUS "rsvg-convert not found (librsvg2-bin): the console package gets the SVG icon only")
  endif()
endif()
add_custom_target(lmfront_packaging_files ALL DEPENDS ${generated})

# --- lmfront
install(TARGETS lmfront lmfrontd RUNTIME DESTINATION bin COMPONENT lmfront)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/build-default-models.sh DESTINATION share/lmfront COMPONENT lmfront)
install(FILES ${pkg_src}/lmfrontd.json DESTINATION /etc/lmfront COMPONENT lmfront)
install(FILES ${pkg_src}/lmfrontd.service DESTINATION /lib/systemd/system COMPONENT lmfront)
install(FILES ${pkg_src}/lmfront.sysusers DESTINATION lib/sysusers.d RENAME lmfront.conf COMPONENT lmfront)
install(FILES ${pkg_out}/lmfront.1.gz DESTINATION share/man/man1 COMPONENT lmfront)
install(FILES ${pkg_out}/lmfrontd.8.gz DESTINATION share/man/man8 COMPONENT lmfront)
install(FILES ${pkg_out}/lmfront.bash DESTINATION share/bash-completion/completions RENAME lmfront COMPONENT lmfront)
install(FILES ${pkg_out}/lmfrontd.bash DESTINATION share/bash-completion/completions RENAME lmfrontd COMPONENT lmfront)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
              ${PROJECT_SOURCE_DIR}/docs/configuration.md ${PROJECT_SOURCE_DIR}/docs/http-api.md
              ${PROJECT_SOURCE_DIR}/docs/ops-protocol.md ${PROJECT_SOURCE_DIR}/docs/auth.md
              ${PROJECT_SOURCE_DIR}/docs/alerting.md ${PROJECT_SOURCE_DIR}/docs/models.md
              ${PROJECT_SOURCE_DIR}/docs/packaging.md
        DESTINATION share/doc/lmfront COMPONENT lmfront)

# --- lmfront-console
if(TARGET lmfront-console)
  install(TARGETS lmfront-console RUNTIME DESTINATION bin COMPONENT console)
  install(FILES ${pkg_src}/org.lmfront.Console.desktop DESTINATION share/applications COMPONENT console)
  install(FILES ${pkg_out}/org.lmfront.Console.metainfo.xml DESTINATION share/metainfo COMPONENT console)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/lmfront.svg DESTINATION share/icons/hicolor/scalable/apps
          RENAME lmfront-console.svg COMPONENT console)
  install(FILES ${pkg_out}/lmfront-console.1.gz DESTINATION share/man/man1 COMPONENT console)
  install(FILES ${pkg_out}/lmfront-console.bash DESTINATION share/bash-completion/completions
          RENAME lmfront-console COMPONENT console)
endif()

# Every package: copyright and changelog in its doc dir (Debian policy 12.5, 12.7).
set(components lmfront models)
if(TARGET lmfront-console)
  list(APPEND components console)
endif()
foreach(component ${components})
  if(component STREQUAL lmfront)
    set(doc share/doc/lmfront)
  else()
    set(doc share/doc/lmfront-${component})
  endif()
  install(FILES ${pkg_src}/copyright ${pkg_out}/changelog.Debian.gz DESTINATION ${doc} COMPONENT ${component})
endforeach()

# --- CPack
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lmfront)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${LMFRONT_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${components})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${LMFRONT_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_LMFRONT_PACKAGE_NAME lmfront)
set(CPACK_COMPONENT_LMFRONT_DESCRIPTION "n-gram language model server and tools, OpenAI-compatible
lmfront serves n-gram language models behind an OpenAI-compatible HTTP API
(completions, chat completions, streaming), with a response cache, rate
limits, API keys, alert rules and a live WebSocket ops API.

This package contains lmfrontd, the node, with a hardened systemd unit that
listens on 127.0.0.1 only until /etc/lmfront/lmfrontd.json says otherwise,
and lmfront, the command-line tool that trains, compiles, scores and mixes
models, manages API keys and follows a node's live topics.")
set(CPACK_DEBIAN_LMFRONT_PACKAGE_CONTROL_EXTRA
    ${pkg_src}/lmfront/conffiles ${pkg_src}/lmfront/postinst ${pkg_src}/lmfront/prerm ${pkg_src}/lmfront/postrm)

set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME lmfront-console)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_SECTION devel)
# Loaded as Qt plugins, so dpkg-shlibdeps cannot see them: the X11/Wayland platform plugins and
# the SVG icon engine (the console's icons are SVG).
set(CPACK_DEBIAN_CONSOLE_PACKAGE_DEPENDS "lmfront (= ${deb_version}), qt6-qpa-plugins, libqt6svg6")
set(CPACK_COMPONENT_CONSOLE_DESCRIPTION "desktop console for lmfront language model nodes
lmfront Console is an operations console for serving language models. It
runs a complete local lmfront node and shows it, and remote nodes, over the
node's HTTP and live WebSocket APIs: traffic, latency, cache and models, a
playground that streams completions, and connections whose API keys are kept
in the desktop keyring. English and Simplified Chinese.")

set(CPACK_DEBIAN_MODELS_PACKAGE_NAME lmfront-models)
set(CPACK_DEBIAN_MODELS_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_MODELS_PACKAGE_SECTION text)
set(CPACK_DEBIAN_MODELS_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_MODELS_PACKAGE_DEPENDS
    "lmfront (>= ${deb_version}), fortunes, fortunes-min, fortunes-zh, bible-kjv, pocketsphinx-en-us")
set(CPACK_COMPONENT_MODELS_DESCRIPTION "default n-gram models for lmfront, built from Debian's texts
Builds lmfront's three default models into /var/lib/lmfront/models, where
the lmfrontd service finds them: an English 5-gram from Debian's fortunes
and the King James Bible, a Chinese character 5-gram from Debian's Chinese
fortunes, and CMU's US English trigram imported from pocketsphinx-en-us.

The models (about 200 MB) are built on this machine after installation
(a few minutes) and rebuilt when those packages change; removing the
package with --purge deletes them.")
set(CPACK_DEBIAN_MODELS_PACKAGE_CONTROL_EXTRA
    ${pkg_src}/lmfront-models/postinst ${pkg_src}/lmfront-models/postrm ${pkg_src}/lmfront-models/triggers)
# Lintian overrides, each with its reason (docs/packaging.md lists them).
install(FILES ${pkg_src}/lmfront/lintian-overrides DESTINATION share/lintian/overrides RENAME lmfront
        COMPONENT lmfront)
install(FILES ${pkg_src}/lmfront-models/lintian-overrides DESTINATION share/lintian/overrides
        RENAME lmfront-models COMPONENT models)
if(TARGET lmfront-console)
  install(FILES ${pkg_src}/lmfront-console/lintian-overrides DESTINATION share/lintian/overrides
          RENAME lmfront-console COMPONENT console)
endif()
include(CPack)
