# Sourced by the screenshot scripts.
#   screenshot_begin OUT
#                       makes the scratch dir $tmp (removed at exit, and the background job whose
#                       pid a script puts in $traffic killed), removes an old OUT, sets `model`
#                       (english_model) and a free loopback `port` for the console's node.
#   english_model       sets `model` to an "english" model for the console to serve — the default
#                       one when scripts/build-default-models.sh has built it, otherwise one trained
#                       into $tmp (order 4) from the English fortunes Debian ships, so the pictures
#                       read the same. Needs $lmfront (the CLI) and $tmp (a scratch dir).
#   check_and_keep NAME OUT DOCS
#                       fails unless OUT is a full-size, non-blank window picture; copies it to DOCS
#                       with LMFRONT_UPDATE_SCREENSHOTS=1 (a test run never dirties the tree).
screenshot_begin() {
  tmp=$(mktemp -d)
  traffic=
  trap '[[ -n $traffic ]] && kill "$traffic" 2>/dev/null; rm -rf "$tmp"' EXIT
  rm -f "$1"
  english_model
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
}

english_model() {
  default=${XDG_DATA_HOME:-$HOME/.local/share}/lmfront/models/english.lmb
  if [[ -f $default ]]; then
    model=$default
  else
    mapfile -t files < <(dpkg -L fortunes fortunes-min 2>/dev/null | while read -r f; do
      [[ $f == /usr/share/games/fortunes/* && -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]] && echo "$f"
    done | sort -u)
    ((${#files[@]})) || { echo "screenshot: no English fortunes (scripts/setup.sh installs them)"; exit 1; }
    # One fortune per line, as scripts/build-default-models.sh prepares them.
    cat "${files[@]}" | awk '/^%[ \t]*$/ { if (buf != "") print buf; buf = ""; next }
         { gsub(/[ \t\r]+/, " "); sub(/^ /, ""); sub(/ $/, ""); if ($0 == "") next
           buf = (buf == "" ? $0 : buf " " $0) }
         END { if (buf != "") print buf }' >"$tmp/corpus.txt"
    "$lmfront" train --order 4 --text "$tmp/corpus.txt" --arpa "$tmp/english.arpa" --lowercase >/dev/null 2>&1
    "$lmfront" compile "$tmp/english.arpa" "$tmp/english.lmb" >/dev/null 2>&1
    model=$tmp/english.lmb
  fi
}

check_and_keep() {
  local name=$1 out=$2 docs=$3 width height colours
  [[ -s $out ]] || { echo "$name: $out was not written"; exit 1; }
  read -r width height colours < <(identify -format '%w %h %k\n' "$out")
  echo "$name: ${width}x${height}, $colours distinct colours"
  ((width >= 1200 && width <= 1400 && height >= 700 && height <= 900)) ||
    { echo "$name: unexpected size ${width}x${height} (want about 1280x800)"; exit 1; }
  # A blank or unpainted window has a handful of colours; rendered text and icons have hundreds.
  ((colours >= 64)) || { echo "$name: only $colours colours: the window looks blank"; exit 1; }
  if [[ ${LMFRONT_UPDATE_SCREENSHOTS:-0} == 1 ]]; then
    mkdir -p "$(dirname "$docs")"
    cp "$out" "$docs"
    echo "$name: copied to $docs"
  else
    echo "$name: kept in $out (LMFRONT_UPDATE_SCREENSHOTS=1 copies it to $docs)"
  fi
}
