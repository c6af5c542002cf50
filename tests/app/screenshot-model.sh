# Sourced by the screenshot scripts: sets `model` to an "english" model for the console to serve —
# the default one when scripts/build-default-models.sh has built it, otherwise one trained into
# $tmp (order 4) from the English fortunes Debian ships, so the pictures read the same.
# Needs: $lmfront (the CLI) and $tmp (a scratch dir).
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
