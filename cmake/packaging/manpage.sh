#!/usr/bin/env bash
# Writes a man page (roff) made from a binary's own --help output, so the page cannot drift from
# what the binary prints. Run at build time (cmake/LmfrontPackaging.cmake).
#   manpage.sh BINARY SECTION "one-line description" OUT [--verbs]
# --help text grammar (core/config/flags.h's flagUsage and app/cli/commandregistry's usageText):
#   "usage: ..." lines (continuations indented to line up) -> SYNOPSIS
#   "  --flag VALUE   help" lines                           -> one .TP item each
#   "flags:" / "console flags:" (a line ending in ':')      -> a subsection heading
#   a blank line                                            -> a paragraph break
#   any other line                                          -> text
# resources/packaging/man/NAME.SECTION, when present, is appended (roff: sections --help has no
# room for, such as SIGNALS and FILES).
# --verbs: BINARY is `lmfront`; `BINARY help` lists the verbs, and each verb's --help becomes a
# subsection of COMMANDS (the packaging test compares each with the verb's --help).
set -euo pipefail
bin=$1 section=$2 description=$3 out=$4 verbs=${5:-}
name=$(basename "$bin")
export QT_QPA_PLATFORM=offscreen
version=$("$bin" --version | awk '{ print $2; exit }')

# roff-escape one line of text: backslashes, then '-' as \- (a real minus: copy-paste safe), then
# a leading '.' or "'" (a control character at the start of a line).
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

# help_to_roff HEADING_MACRO PAGE: the body of one --help on stdin. PAGE=1: the usage lines are the
# page's SYNOPSIS and the rest its OPTIONS; PAGE=0: all of it goes under the current heading.
help_to_roff() {
  awk -v heading="$1" -v page="$2" -v description="$description" '
    function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); if (s ~ /^[.\x27]/) s = "\\&" s; return s }
    { is_text = !($0 ~ /^usage: / || $0 ~ /^$/ || $0 ~ /^  -/ || $0 ~ /^[^ ].*:$/ || (in_usage && $0 ~ /^       [^ ]/)) }
    !is_text { text_before = 0 }
    /^usage: / || (in_usage && /^       [^ ]/) {
      if (page && !seen_usage) print ".SH SYNOPSIS"
      seen_usage = in_usage = 1; sub(/^usage: |^       /, ""); print ".PP"; print ".B " esc($0); next
    }
    in_usage {
      in_usage = 0
      if (page) {
        while ((getline line < description) > 0) print line
        print ".SH OPTIONS"
        if ($0 == "") next
      }
    }
    /^$/ { print ".PP"; next }
    /^  -/ {
      line = substr($0, 3)
      if (match(line, /   +/)) { flagpart = substr(line, 1, RSTART - 1); text = substr(line, RSTART + RLENGTH) }
      else { flagpart = line; text = "" }
      split(flagpart, w, " ")
      print ".TP"
      item = "\\fB" esc(w[1]) "\\fR"
      if (w[2] != "") item = item " \\fI" esc(substr(flagpart, length(w[1]) + 2)) "\\fR"
      print item
      print esc(text)
      next
    }
    /^[^ ].*:$/ { print heading " \"" esc(substr($0, 1, length($0) - 1)) "\""; next }
    # consecutive text lines are one paragraph (help text wraps sentences over lines)
    { sub(/^ +/, ""); if (!text_before) print ".PP"; print esc($0); text_before = 1; next }
  '
}

# The extra file's DESCRIPTION goes after the SYNOPSIS, the rest at the end.
extra=$(dirname "$0")/../../resources/packaging/man/$name.$section
description=/dev/null
if [[ -f $extra ]]; then
  description=$(mktemp)
  trap 'rm -f "$description"' EXIT
  sed -n '/^\.SH DESCRIPTION/,/^\.SH/{/^\.SH/!p}' "$extra" | sed '1i .SH DESCRIPTION' >"$description"
fi

{
  echo ".\\\" Generated from '$name --help' at build time (cmake/packaging/manpage.sh); do not edit."
  echo ".TH \"$(tr '[:lower:]' '[:upper:]' <<<"$name")\" \"$section\" \"\" \"lmfront $version\" \"lmfront manual\""
  echo ".nh"
  echo ".ad l"
  echo ".SH NAME"
  echo "$name \\- $(esc <<<"$description")"
  if [[ $verbs == --verbs ]]; then
    echo ".SH SYNOPSIS"
    echo ".B $name"
    echo ".I command"
    echo "[\\fIflags\\fR]"
    echo ".SH DESCRIPTION"
    # `lmfront help` without its usage line and its list of commands
    "$bin" help | awk '/^usage: / { next } /^commands:/ { skip = 1; next } skip && /^  / { next }
                       { skip = 0 } /^$/ { next } { print }' | esc | sed 's/^/.PP\n/'
    echo ".SH COMMANDS"
    # "  verb   summary" lines of `lmfront help`
    "$bin" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | while read -r verb; do
      echo ".SS \"$name $verb\""
      summary=$("$bin" help | awk -v v="$verb" '$1 == v { $1 = ""; sub(/^ +/, ""); print }')
      echo "$(esc <<<"$summary")."
      if [[ $verb != version ]]; then
        "$bin" "$verb" --help | help_to_roff ".PP\n.I" 0
      fi
    done
  else
    "$bin" --help | help_to_roff ".SS" 1
  fi
  [[ -f $extra ]] && sed '/^\.SH DESCRIPTION/,/^\.SH/{/^\.SH DESCRIPTION/d;/^\.SH/!d}' "$extra"
  echo ".SH VERSION"
  echo "$name \\-\\-version prints the version and the git commit it was built from."
  echo ".SH SEE ALSO"
  case $name in
  lmfront) printf '.BR lmfrontd (8),\n.BR lmfront\\-console (1)\n' ;;
  lmfrontd) printf '.BR lmfront (1),\n.BR lmfront\\-console (1)\n' ;;
  *) printf '.BR lmfront (1),\n.BR lmfrontd (8)\n' ;;
  esac
  echo ".PP"
  echo "/usr/share/doc/lmfront/ (README.md, configuration.md, http\\-api.md)"
} >"$out.tmp"
mv -f "$out.tmp" "$out"
