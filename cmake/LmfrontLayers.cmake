# The layers of lmfront and what each may use: an allow-list per layer, checked over everything a
# target reaches (its links, their links, ...), so an arrow that points up fails the configure even
# when it hides behind another library. docs/architecture.md draws the same picture.
#
#   lmfront_layer(<target> LAYER <layer>)   declares the layer of an lmfront library or program.
#
# At the end of the configure every declared target is walked (LINK_LIBRARIES and
# INTERFACE_LINK_LIBRARIES, recursively through lmfront targets). Every lmfront target it reaches
# must belong to its own layer or to one listed in USES (USES is not transitive: a layer names
# every layer it may reach). Every outside library it reaches must match LIBS (anchored regular
# expressions) of its layer or of a layer in USES. Outside libraries are leaves: allowing
# Qt6::Widgets allows whatever Qt6::Widgets itself links. Generator expressions other than
# $<LINK_ONLY:> (Qt's resource objects) cannot be evaluated here and are not checked.
include_guard(GLOBAL)

# lmfront_define_layer(<layer> USES <layer>... LIBS <regex>...)
function(lmfront_define_layer layer)
  cmake_parse_arguments(L "" "" "USES;LIBS" ${ARGN})
  set_property(GLOBAL PROPERTY LMFRONT_LAYER_DEFINED_${layer} TRUE)
  set_property(GLOBAL PROPERTY LMFRONT_LAYER_USES_${layer} ${L_USES})
  set_property(GLOBAL PROPERTY LMFRONT_LAYER_LIBS_${layer} ${L_LIBS})
endfunction()

set(_core_layers common storage engine observe config alerting policy registry gateway client cluster node)
# The bottom: plain C++ (the engine adds two small C libraries; never Qt, it is the hot path).
lmfront_define_layer(common LIBS "Threads::Threads")
lmfront_define_layer(engine USES common LIBS "Threads::Threads" "PkgConfig::UTF8PROC" "OpenSSL::Crypto")
lmfront_define_layer(observe USES common LIBS "Threads::Threads")
# Reading configuration: JSON sections with key paths (Qt's JSON), flag tables (plain C++).
lmfront_define_layer(config USES common LIBS "Qt6::Core")
# Alert rules and their evaluation (core/alerting): plain C++ over the metrics, rules in YAML.
lmfront_define_layer(alerting USES common storage observe LIBS "Threads::Threads" "yaml-cpp" "PkgConfig::SQLITE3")
# The one SQLite wrapper (core/storage): every database lmfront owns goes through it.
lmfront_define_layer(storage USES common LIBS "Threads::Threads" "PkgConfig::SQLITE3")
# Gateway policies (core/gateway/{routing,cache,ratelimit,resilience,auth}): plain C++, no Qt.
lmfront_define_layer(policy USES common storage observe
  LIBS "Threads::Threads" "PkgConfig::HIREDIS" "PkgConfig::SQLITE3" "OpenSSL::Crypto")
# libarchive: submission bundles (.tar.gz) are read without a shell or the tar program.
lmfront_define_layer(registry USES common storage engine observe config
  LIBS "Threads::Threads" "PkgConfig::SQLITE3" "OpenSSL::Crypto" "PkgConfig::LIBARCHIVE" "Qt6::Core")
# The data plane and what composes the policies over it (http, openai, upstream): Qt Core/Network;
# OpenSSL's libssl for native TLS in the data plane (docs/decisions.md).
lmfront_define_layer(gateway USES common storage engine observe config policy registry
  LIBS "Threads::Threads" "OpenSSL::(Crypto|SSL)" ".*libhttp_parser\\.(so|a)" "Qt6::(Core|Network)")
# Talking to nodes from the console and the CLI (HTTP now, the ops API over WebSockets).
lmfront_define_layer(client USES common LIBS "Qt6::(Core|Network|WebSockets)")
lmfront_define_layer(cluster USES common storage engine observe config policy registry gateway client
  LIBS "Threads::Threads" "Qt6::(Core|Network|WebSockets)")
lmfront_define_layer(node USES common storage engine observe config alerting policy registry gateway client cluster
  LIBS "Threads::Threads" "Qt6::(Core|Network|WebSockets|Sql)")
# Item models: Qt Core/Gui, never Widgets (they are tested without any view).
# qt6keychain: the desktop keyring (QtKeychain) for the console's API keys.
# config: only because registry stands on it (the Models view asks registry's lifecycle table).
lmfront_define_layer(models USES common storage engine observe config registry client cluster
  LIBS "Qt6::(Core|Gui|Network|WebSockets)" "qt6keychain")
lmfront_define_layer(widgets USES common storage engine observe config registry client cluster models
  LIBS "Qt6::(Core|Gui|Network|WebSockets|Widgets|Charts|Svg)")
lmfront_define_layer(app USES ${_core_layers} models widgets LIBS "Qt6::.*")

# lmfront_layer(<target> LAYER <layer>)
function(lmfront_layer target)
  cmake_parse_arguments(A "" "LAYER" "" ${ARGN})
  get_property(defined GLOBAL PROPERTY LMFRONT_LAYER_DEFINED_${A_LAYER})
  if(NOT defined)
    message(FATAL_ERROR "layering: ${target}: unknown layer '${A_LAYER}' (cmake/LmfrontLayers.cmake lists them)")
  endif()
  set_property(TARGET ${target} PROPERTY LMFRONT_LAYER ${A_LAYER})
  set_property(GLOBAL APPEND PROPERTY LMFRONT_LAYERED_TARGETS ${target})
endfunction()

# What `item` links, without generator-expression wrappers and directory markers.
function(_lmfront_links item out)
  set(result)
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(libs ${item} ${prop})
    if(NOT libs)
      continue()
    endif()
    foreach(lib IN LISTS libs)
      string(REGEX REPLACE "::@\\([^)]*\\)" "" lib "${lib}")  # target_link_libraries from another dir
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")  # a static library's PRIVATE links
      if(lib STREQUAL "" OR lib STREQUAL "lmfront_options" OR lib MATCHES "^\\$<")
        continue()
      endif()
      if(TARGET ${lib})
        get_target_property(type ${lib} TYPE)
        if(type STREQUAL "OBJECT_LIBRARY" AND lib MATCHES "_resources_[0-9]+$")  # qt_add_resources()
          continue()
        endif()
      endif()
      list(APPEND result "${lib}")
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES result)
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# Every library and program built from these folders must declare its layer.
set(LMFRONT_LAYERED_FOLDERS core models widgets app CACHE INTERNAL "folders whose targets need a layer")

function(_lmfront_undeclared dir out)
  set(result)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    get_target_property(layer ${t} LMFRONT_LAYER)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|INTERFACE_LIBRARY|EXECUTABLE)$" AND NOT layer)
      list(APPEND result ${t})
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _lmfront_undeclared(${sub} more)
    list(APPEND result ${more})
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

function(lmfront_check_layers)
  get_property(roots GLOBAL PROPERTY LMFRONT_LAYERED_TARGETS)
  set(errors)
  foreach(folder IN LISTS LMFRONT_LAYERED_FOLDERS)
    if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/${folder})
      get_property(known DIRECTORY ${CMAKE_SOURCE_DIR} PROPERTY SUBDIRECTORIES)
      if("${CMAKE_SOURCE_DIR}/${folder}" IN_LIST known)
        _lmfront_undeclared(${CMAKE_SOURCE_DIR}/${folder} missing)
        foreach(t IN LISTS missing)
          list(APPEND errors "layering: ${t} declares no layer (add lmfront_layer(${t} LAYER ...))")
        endforeach()
      endif()
    endif()
  endforeach()
  foreach(root IN LISTS roots)
    get_target_property(layer ${root} LMFRONT_LAYER)
    get_property(uses GLOBAL PROPERTY LMFRONT_LAYER_USES_${layer})
    get_property(allowed_libs GLOBAL PROPERTY LMFRONT_LAYER_LIBS_${layer})
    foreach(used IN LISTS uses)
      get_property(libs GLOBAL PROPERTY LMFRONT_LAYER_LIBS_${used})
      list(APPEND allowed_libs ${libs})
    endforeach()
    set(queue ${root})
    set(seen ${root})
    set(_via_${root} "")
    while(queue)
      list(POP_FRONT queue item)
      _lmfront_links(${item} deps)
      foreach(dep IN LISTS deps)
        if(dep IN_LIST seen)
          continue()
        endif()
        list(APPEND seen "${dep}")
        set(path ${_via_${item}})
        if(NOT item STREQUAL root)
          list(APPEND path ${item})
        endif()
        set(_via_${dep} ${path})
        set(what "${dep}")
        set(note "")
        set(ok FALSE)
        if(TARGET ${dep})
          get_target_property(dep_layer ${dep} LMFRONT_LAYER)
        else()
          set(dep_layer dep_layer-NOTFOUND)
        endif()
        if(dep_layer)
          set(what "${dep} (layer ${dep_layer})")
          if(dep_layer STREQUAL layer OR dep_layer IN_LIST uses)
            set(ok TRUE)
            list(APPEND queue ${dep})
          endif()
        elseif(dep MATCHES "^lmfront")
          set(note "; ${dep} declares no layer")
        else()
          foreach(pattern IN LISTS allowed_libs)
            if(dep MATCHES "^(${pattern})$")
              set(ok TRUE)
            endif()
          endforeach()
        endif()
        if(NOT ok)
          if(path)
            list(JOIN path " -> " through)
            list(APPEND errors "layering: ${root} (layer ${layer}) reaches ${what} through ${through}${note}")
          else()
            list(APPEND errors "layering: ${root} (layer ${layer}) links ${what} directly${note}")
          endif()
        endif()
      endforeach()
    endwhile()
  endforeach()
  if(errors)
    list(JOIN errors "\n" text)
    message(FATAL_ERROR "${text}\nWhat each layer may use: cmake/LmfrontLayers.cmake.")
  endif()
endfunction()

# Runs once every CMakeLists.txt has been read, so every target and link is known.
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL lmfront_check_layers)
