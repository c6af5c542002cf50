#!/usr/bin/env bash
# Writes the bash completion of a binary from its own help text (which core/config's flag tables
# print), at build time (cmake/LmfrontPackaging.cmake), so it knows every verb and flag the binary
# has. Needs no bash-completion helpers at run time.
#   completion.sh BINARY OUT [--verbs]
# --verbs: BINARY is `lmfront`: `BINARY help` lists the verbs, `BINARY VERB --help` their flags;
# a verb whose usage lines name sub-commands (`lmfront keys create|list|revoke`) completes those.
# A flag's value completes as a file name when its value name reads like one (FILE, DIR, OUT,
# IN.arpa, PATH, DEV, M for a model file), as a directory for DIR, and not at all otherwise.
set -euo pipefail
bin=$1 out=$2 verbs=${3:-}
name=$(basename "$bin")
fn=_$(tr -c 'a-zA-Z0-9\n' _ <<<"$name")
export QT_QPA_PLATFORM=offscreen

# flag_lists: reads one --help on stdin, prints three lines: all flags, file-valued, dir-valued.
flag_lists() {
  awk '/^  --/ {
         line = substr($0, 3); split(line, w, " ")
         flags = flags " " w[1]
         if (match(line, /^--[^ ]+ [^ ]/)) {
           value = w[2]
           if (value ~ /DIR/) dirs = dirs " " w[1]
           else if (value ~ /FILE|OUT|IN|PATH|DEV|\.arpa|\.lmb|^M$/) files = files " " w[1]
           else other = other " " w[1]
         }
       }
       END { print substr(flags, 2); print substr(files, 2); print substr(dirs, 2); print substr(other, 2) }'
}

# case_arm LABEL HELP: one arm of the verb switch.
case_arm() {
  local label=$1 help=$2 lists subs
  mapfile -t lists < <(flag_lists <<<"$help")
  subs=$(awk -v n="$name" '/^usage: |^       [a-z]/ { sub(/^usage: +|^ +/, "");
           if ($1 == n && $3 ~ /^[a-z][a-z-]*$/) s = s " " $3 } END { print substr(s, 2) }' <<<"$help")
  printf '  %s)\n    flags="%s"\n    files="%s"\n    dirs="%s"\n    other="%s"\n    subs="%s"\n    ;;\n' \
    "$label" "${lists[0]:-}" "${lists[1]:-}" "${lists[2]:-}" "${lists[3]:-}" "$subs"
}

{
  echo "# bash completion for $name. Generated from '$name --help' at build time"
  echo "# (cmake/packaging/completion.sh); do not edit."
  echo "$fn() {"
  echo '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}'
  echo '  local verb="" first=1 flags files dirs other subs'
  if [[ $verbs == --verbs ]]; then
    mapfile -t verb_list < <("$bin" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
    echo "  if ((COMP_CWORD == 1)); then"
    echo "    COMPREPLY=(\$(compgen -W \"${verb_list[*]} help --help --version\" -- \"\$cur\"))"
    echo "    return 0"
    echo "  fi"
    echo '  verb=${COMP_WORDS[1]} first=2'
    echo '  case $verb in'
    for verb in "${verb_list[@]}"; do
      if [[ $verb == version ]]; then
        printf '  version)\n    flags="" files="" dirs="" other="" subs=""\n    ;;\n'
      else
        case_arm "$verb" "$("$bin" "$verb" --help)"
      fi
    done
    echo '  *) return 0 ;;'
    echo '  esac'
  else
    echo '  case x in'
    case_arm x "$("$bin" --help)
  --help   print this help
  --version   print the version"
    echo '  esac'
  fi
  cat <<'BODY'
  local f
  for f in $files; do
    if [[ $prev == "$f" ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
    fi
  done
  for f in $dirs; do
    if [[ $prev == "$f" ]]; then
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur"))
      return 0
    fi
  done
  for f in $other; do
    [[ $prev == "$f" ]] && return 0
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n $subs ]] && ((COMP_CWORD == first)); then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
  return 0
}
BODY
  echo "complete -F $fn $name"
} >"$out.tmp"
mv -f "$out.tmp" "$out"
