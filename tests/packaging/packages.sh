#!/usr/bin/env bash
# Builds the Debian packages from the already built tree (scripts/package.sh), then checks them
# as a user of them would meet them:
#   metadata and contents (dpkg-deb -I / -c), lintian (no error, no warning without an override),
#   the unit (systemd-analyze verify), desktop entry and AppStream metainfo (their validators),
#   icons, man pages (man --warnings renders them cleanly; every verb's section is its --help),
#   and, from the packages extracted into a throwaway root: --version of each binary, lmfrontd
#   started on the shipped config (moved to a free loopback port and a temp data dir) answering
#   /readyz after telling $NOTIFY_SOCKET READY=1, SIGTERM stopping it cleanly, bash completion.
# usage: packages.sh SOURCE_DIR BUILD_DIR VERSION
set -euo pipefail
source_dir=$1 build=$2 version=$3
deb_version=$version-1
arch=$(dpkg --print-architecture)
work=$(mktemp -d "${TMPDIR:-/tmp}/lmfront-packaging.XXXXXX")
node_pid=""
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
ok() { echo "ok: $*"; }
step() {
  local now=$SECONDS
  echo "== $* (at ${now}s)"
}

step "scripts/package.sh"
"$source_dir/scripts/package.sh" "$build" "$work/debs" >/dev/null
core=$work/debs/lmfront_${deb_version}_$arch.deb
console=$work/debs/lmfront-console_${deb_version}_$arch.deb
models=$work/debs/lmfront-models_${deb_version}_all.deb
for deb in "$core" "$console" "$models"; do
  [[ -f $deb ]] || {
    fail "no $(basename "$deb") (made: $(ls "$work/debs"))"
    exit 1
  }
done

step "metadata (dpkg-deb -I)"
field() { dpkg-deb -f "$1" "$2"; }
expect_field() {  # DEB FIELD REGEX
  local value
  value=$(field "$1" "$2" | sed -n 1p)
  if [[ $value =~ $3 ]]; then ok "$(basename "$1") $2: $value"; else fail "$(basename "$1") $2 is '$value', expected /$3/"; fi
}
for deb in "$core" "$console" "$models"; do
  expect_field "$deb" Version "^${deb_version//./\\.}\$"
  expect_field "$deb" Maintainer '^lmfront maintainers <'
  expect_field "$deb" Description '.'
done
# Depends computed by dpkg-shlibdeps: the C library, Qt and the small libraries the core links.
for lib in 'libc6 \(>= ' 'libqt6core6 \(>= ' 'libqt6network6' 'libssl3' 'libutf8proc' 'libyaml-cpp' 'libarchive13'; do
  expect_field "$core" Depends "$lib"
done
expect_field "$console" Depends "lmfront \\(= ${deb_version//./\\.}\\)"
expect_field "$console" Depends 'libqt6widgets6'
expect_field "$console" Depends 'qt6-qpa-plugins'
expect_field "$models" Architecture '^all$'
for p in fortunes fortunes-min fortunes-zh bible-kjv pocketsphinx-en-us 'lmfront \(>= '; do
  expect_field "$models" Depends "$p"
done
# (outputs are captured before grep -q: an early exit would SIGPIPE the writer under pipefail)
conffiles=$(dpkg-deb -I "$core" conffiles)
grep -qx /etc/lmfront/lmfrontd.json <<<"$conffiles" && ok "lmfrontd.json is a conffile" ||
  fail "lmfront's conffiles lack /etc/lmfront/lmfrontd.json"
for script in postinst prerm postrm; do
  if dpkg-deb -I "$core" "$script" >"$work/$script" 2>/dev/null && sh -n "$work/$script"; then
    ok "lmfront's $script parses"
  else
    fail "lmfront has no $script, or it does not parse"
  fi
done
models_postinst=$(dpkg-deb -I "$models" postinst)
grep -q 'build-default-models.sh /usr' <<<"$models_postinst" && ok "lmfront-models builds on postinst" ||
  fail "lmfront-models' postinst does not run build-default-models.sh"

step "contents (dpkg-deb -c)"
expect_files() {  # DEB PATH...: each path is in the package
  local deb=$1 listing path
  shift
  listing=$(dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|')
  for path in "$@"; do
    grep -qxF "$path" <<<"$listing" && ok "$(basename "$deb") has $path" || fail "$(basename "$deb") lacks $path"
  done
  owners=$(dpkg-deb -c "$deb" | awk '{ print $2 }' | sort -u)
  if [[ $owners != root/root ]]; then
    fail "$(basename "$deb") has files not owned by root/root"
  fi
}
expect_files "$core" /usr/bin/lmfront /usr/bin/lmfrontd /etc/lmfront/lmfrontd.json \
  /lib/systemd/system/lmfrontd.service /usr/lib/sysusers.d/lmfront.conf \
  /usr/share/lmfront/build-default-models.sh /usr/share/man/man1/lmfront.1.gz /usr/share/man/man8/lmfrontd.8.gz \
  /usr/share/bash-completion/completions/lmfront /usr/share/bash-completion/completions/lmfrontd \
  /usr/share/doc/lmfront/copyright /usr/share/doc/lmfront/changelog.Debian.gz /usr/share/doc/lmfront/README.md \
  /usr/share/doc/lmfront/packaging.md /usr/share/lintian/overrides/lmfront
icons=()
for size in 16 22 24 32 48 64 128 256; do icons+=("/usr/share/icons/hicolor/${size}x$size/apps/lmfront-console.png"); done
expect_files "$console" /usr/bin/lmfront-console /usr/share/applications/org.lmfront.Console.desktop \
  /usr/share/metainfo/org.lmfront.Console.metainfo.xml /usr/share/icons/hicolor/scalable/apps/lmfront-console.svg \
  "${icons[@]}" /usr/share/man/man1/lmfront-console.1.gz /usr/share/doc/lmfront-console/copyright \
  /usr/share/doc/lmfront-console/changelog.Debian.gz
expect_files "$models" /usr/share/doc/lmfront-models/copyright /usr/share/doc/lmfront-models/changelog.Debian.gz
listing=$(dpkg-deb -c "$core"; dpkg-deb -c "$console")
if grep -E '/(tst_|bench_)|/tests/' <<<"$listing"; then
  fail "a package ships a test or benchmark binary"
fi

step "lintian"
# Every warning or error must be overridden in the package (with its reason in the override file,
# listed in docs/packaging.md); informational tags are printed, not judged.
if lintian --fail-on error,warning --no-tag-display-limit "$core" "$console" "$models" >"$work/lintian.txt" 2>&1; then
  ok "lintian: no error or warning ($(grep -c '^[IP]:' "$work/lintian.txt" || true) info/pedantic tags)"
else
  fail "lintian:"
  cat "$work/lintian.txt"
fi

step "extract into a throwaway root"
root=$work/root
for deb in "$core" "$console" "$models"; do dpkg-deb -x "$deb" "$root"; done

step "systemd unit"
# verify needs no running systemd; under --root it wants the units the service's default
# dependencies name and the commands it runs inside the root, so the host's are copied in, and it
# resolves Documentation=man:lmfrontd(8) through MANPATH, i.e. the packaged page.
mkdir -p "$root/bin"
cp /bin/kill "$root/bin/"
cp -a /lib/systemd/system/*.target /lib/systemd/system/*.slice "$root/lib/systemd/system/"
if MANPATH=$root/usr/share/man systemd-analyze --root="$root" verify /lib/systemd/system/lmfrontd.service \
  >"$work/verify.txt" 2>&1 && [[ ! -s $work/verify.txt ]]; then
  ok "systemd-analyze verify lmfrontd.service"
else
  fail "systemd-analyze verify:"
  cat "$work/verify.txt"
fi
# systemd's own score of the sandboxing: 0 (locked down) .. 10 (exposed); "OK" is below 4.
exposure=$(systemd-analyze security --offline=yes --root="$root" lmfrontd.service 2>/dev/null |
  sed -n 's/.*Overall exposure level for lmfrontd.service: \([0-9.]*\).*/\1/p')
if [[ -n $exposure ]] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
  ok "systemd-analyze security: exposure $exposure"
else
  fail "systemd-analyze security: exposure '${exposure:-?}', expected <= 2.0"
fi
unit=$root/lib/systemd/system/lmfrontd.service
for line in Type=notify User=_lmfront StateDirectory=lmfront 'ExecReload=/bin/kill -HUP $MAINPID' \
  NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
  'ExecStart=/usr/bin/lmfrontd --config /etc/lmfront/lmfrontd.json'; do
  grep -qxF "$line" "$unit" && ok "unit: $line" || fail "unit lacks '$line'"
done
grep -q '^u _lmfront ' "$root/usr/lib/sysusers.d/lmfront.conf" && ok "sysusers.d creates _lmfront" ||
  fail "sysusers.d entry lacks the _lmfront user"

step "desktop entry, AppStream, icons"
desktop-file-validate "$root/usr/share/applications/org.lmfront.Console.desktop" >"$work/desktop.txt" 2>&1 &&
  [[ ! -s $work/desktop.txt ]] && ok "desktop-file-validate" || {
  fail "desktop-file-validate:"
  cat "$work/desktop.txt"
}
grep -q '^Name\[zh_CN\]=' "$root/usr/share/applications/org.lmfront.Console.desktop" &&
  grep -q '^Comment\[zh_CN\]=' "$root/usr/share/applications/org.lmfront.Console.desktop" &&
  ok "desktop entry has the zh_CN name and comment" || fail "desktop entry lacks Name[zh_CN] or Comment[zh_CN]"
appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/org.lmfront.Console.metainfo.xml" \
  >"$work/appstream.txt" 2>&1 && ok "appstreamcli validate" || {
  fail "appstreamcli validate:"
  cat "$work/appstream.txt"
}
grep -q "<release version=\"$version\"" "$root/usr/share/metainfo/org.lmfront.Console.metainfo.xml" &&
  ok "metainfo release $version" || fail "metainfo has no release $version"
for size in 16 22 24 32 48 64 128 256; do
  info=$(file -b "$root/usr/share/icons/hicolor/${size}x$size/apps/lmfront-console.png")
  [[ $info == "PNG image data, $size x $size,"* ]] && ok "icon ${size}x$size" || fail "icon ${size}x$size is: $info"
done

step "--version of the installed binaries"
commit=$(git -C "$source_dir" rev-parse --short=12 HEAD 2>/dev/null || true)
for bin in lmfront lmfrontd lmfront-console; do
  line=$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/$bin" --version)
  [[ $line == "$bin $version ("* && ($line == *"commit $commit"* || -z $commit) ]] && ok "$line" ||
    fail "$bin --version: '$line'"
done

step "man pages"
export MANWIDTH=100 LC_ALL=C.UTF-8
for page in man1/lmfront.1.gz man8/lmfrontd.8.gz man1/lmfront-console.1.gz; do
  if man --warnings -l "$root/usr/share/man/$page" >"$work/page.txt" 2>"$work/man-warnings.txt" &&
    [[ ! -s $work/man-warnings.txt ]]; then
    ok "man -l $page renders without warnings"
  else
    fail "man --warnings -l $page:"
    cat "$work/man-warnings.txt"
  fi
done
# normalize: the words of a text, one space apart (man fills paragraphs; --help is pre-wrapped)
normalize() { tr -s ' \n\t' '   ' | sed -e 's/^ //' -e 's/ $//'; }
man -l "$root/usr/share/man/man1/lmfront.1.gz" 2>/dev/null >"$work/lmfront.txt"
mapfile -t verbs < <("$root/usr/bin/lmfront" help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
((${#verbs[@]} >= 5)) || fail "lmfront help lists only ${#verbs[@]} verbs"
for verb in "${verbs[@]}"; do
  [[ $verb == version ]] && continue
  # The verb's subsection: from its heading to the next heading (indented 3) or section.
  section=$(awk -v h="   lmfront $verb" '$0 == h { on = 1; next } on && (/^   [^ ]/ || /^[A-Z]/) { exit } on' \
    "$work/lmfront.txt" | sed 1d | normalize)
  help=$("$root/usr/bin/lmfront" "$verb" --help | sed -e 's/^usage: //' -e 's/^\([^ ].*\):$/\1/' | normalize)
  if [[ $section == "$help" ]]; then
    ok "lmfront(1) $verb = lmfront $verb --help"
  else
    fail "lmfront(1)'s $verb section differs from 'lmfront $verb --help':"
    diff <(tr ' ' '\n' <<<"$help") <(tr ' ' '\n' <<<"$section") | head -10 || true
  fi
done
for bin in lmfrontd lmfront-console; do
  sec=8
  [[ $bin == lmfront-console ]] && sec=1
  page=$(man -l "$root/usr/share/man/man$sec/$bin.$sec.gz" 2>/dev/null |
    awk '/^(SYNOPSIS|OPTIONS)$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' | normalize)
  help=$(QT_QPA_PLATFORM=offscreen "$root/usr/bin/$bin" --help | sed -e 's/^usage: //' -e 's/^\([^ ].*\):$/\1/' | normalize)
  [[ $page == "$help" ]] && ok "$bin($sec) SYNOPSIS + OPTIONS = $bin --help" || {
    fail "$bin($sec) differs from '$bin --help':"
    diff <(tr ' ' '\n' <<<"$help") <(tr ' ' '\n' <<<"$page") | head -10 || true
  }
done
unset LC_ALL MANWIDTH

step "bash completion"
complete_words() {  # COMPLETION_FILE FUNCTION WORD...: what completing the last word offers
  local file=$1 fn=$2
  shift 2
  bash -c 'source "$1"; fn=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); "$fn"; echo "${COMPREPLY[*]}"' \
    _ "$file" "$fn" "$@"
}
comp=$root/usr/share/bash-completion/completions/lmfront
[[ $(complete_words "$comp" _lmfront lmfront tr) == train ]] && ok "lmfront tr<TAB> -> train" ||
  fail "lmfront tr<TAB> offers '$(complete_words "$comp" _lmfront lmfront tr)'"
offered=$(complete_words "$comp" _lmfront lmfront '')
for verb in "${verbs[@]}"; do
  [[ " $offered " == *" $verb "* ]] || fail "lmfront <TAB> does not offer $verb"
  flags=$("$root/usr/bin/lmfront" "$verb" --help | awk '/^  --/ { print $1 }' | sort)
  got=$(complete_words "$comp" _lmfront lmfront "$verb" -- | tr ' ' '\n' | sed '/^$/d' | sort)
  [[ $got == "$flags" ]] && ok "lmfront $verb --<TAB> offers its $(wc -w <<<"$flags") flags" ||
    fail "lmfront $verb --<TAB> offers '$(echo $got)', its --help has '$(echo $flags)'"
done
[[ $(complete_words "$comp" _lmfront lmfront keys cr) == create ]] && ok "lmfront keys cr<TAB> -> create" ||
  fail "lmfront keys cr<TAB> offers '$(complete_words "$comp" _lmfront lmfront keys cr)'"
[[ $(complete_words "$root/usr/share/bash-completion/completions/lmfrontd" _lmfrontd lmfrontd --lis) == --listen ]] &&
  ok "lmfrontd --lis<TAB> -> --listen" || fail "lmfrontd --lis<TAB> does not complete --listen"
[[ $(complete_words "$root/usr/share/bash-completion/completions/lmfront-console" _lmfront_console lmfront-console --sec) == --section ]] &&
  ok "lmfront-console --sec<TAB> -> --section" || fail "lmfront-console --sec<TAB> does not complete --section"

step "installed lmfrontd on the shipped config"
config=$root/etc/lmfront/lmfrontd.json
grep -q '"listen": "127.0.0.1:' "$config" && ok "shipped config listens on loopback" ||
  fail "shipped config does not listen on 127.0.0.1: $(cat "$config")"
# The shipped file, with the port and data dir moved aside (flags override the file).
mkdir -p "$work/data"
python3 - "$work/notify.sock" "$work/notify.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            msg = s.recv(4096).decode()
            out.write(msg + "\n---\n")
            out.flush()
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
listener=$!
for _ in $(seq 50); do [[ -S $work/notify.sock ]] && break; sleep 0.1; done
NOTIFY_SOCKET=$work/notify.sock "$root/usr/bin/lmfrontd" --config "$config" --listen 127.0.0.1:0 \
  --data-dir "$work/data" >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
url=""
for _ in $(seq 100); do
  url=$(sed -n 's/^lmfrontd: listening on \(http:[^ ]*\).*/\1/p' "$work/node.out")
  [[ -n $url ]] && break
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $url ]]; then
  fail "installed lmfrontd did not start:"
  cat "$work/node.err"
else
  ok "installed lmfrontd listening on $url"
  [[ $url == http://127.0.0.1:* ]] || fail "it listens on $url, not loopback"
  readyz=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")
  [[ $readyz == 200 ]] && ok "GET /readyz: 200" || fail "GET /readyz: $readyz"
  for _ in $(seq 50); do grep -q READY=1 "$work/notify.txt" 2>/dev/null && break; sleep 0.1; done
  grep -q '^READY=1' "$work/notify.txt" && ok "sd_notify READY=1" || fail "no READY=1 on \$NOTIFY_SOCKET"
  kill -TERM "$node_pid"
  status=0
  wait "$node_pid" || status=$?
  node_pid=""
  ((status == 0)) && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $status"
  grep -q 'lmfrontd: stopped' "$work/node.err" && ok "SIGTERM drained and stopped" || fail "no 'stopped' after SIGTERM"
  wait "$listener" || true
  grep -q '^STOPPING=1' "$work/notify.txt" && ok "sd_notify STOPPING=1" || fail "no STOPPING=1 on \$NOTIFY_SOCKET"
fi
kill "$listener" 2>/dev/null || true

echo "packaging: $failures failures in ${SECONDS}s"
((failures == 0))
