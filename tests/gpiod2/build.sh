#!/bin/sh
# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Build and test vhost-device against libgpiod 2.x on a Debian system whose
# own libgpiod-dev is 1.6 (bookworm), without touching the system: the
# libgpiod-dev and libgpiod3 packages of <codename>-backports are fetched
# with `apt-get download` under a private apt configuration (its own source
# list, lists and cache, derived from the machine's Debian archive URIs),
# unpacked with `dpkg -x` into ~/.cache/vhost-device/libgpiod2, and the
# tree is built into build-gpiod2/ and tested with `make check`.
#
#   tests/gpiod2/build.sh [MAKE-TARGET...]     (default: check)
#
# Environment: VD_GPIOD2_ROOT (unpack dir), VD_GPIOD2_SUITE (default
# <codename>-backports), VD_GPIOD2_URI (archive URI; default: taken from
# /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list).
# Needs network access once; later runs reuse the unpacked tree.
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vhost-device
ROOT=${VD_GPIOD2_ROOT:-$CACHE/libgpiod2}
APTDIR=$CACHE/apt-gpiod2
ARCH=$(dpkg --print-architecture)
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
SUITE=${VD_GPIOD2_SUITE:-$CODENAME-backports}
PKGS="libgpiod-dev libgpiod3"

say() { echo "gpiod2: $*" >&2; }

# The Debian archive URI and keyring of the machine's own sources (the
# entry carrying the release itself, not -security).
archive_source() {
	if [ -n "${VD_GPIOD2_URI:-}" ]; then
		echo "$VD_GPIOD2_URI|"
		return
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v rel="$CODENAME" '
			function flush() {
				if (uri != "" && suites ~ ("(^| )" rel "( |$)") && !done) {
					print uri "|" key; done = 1
				}
				uri = ""; suites = ""; key = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { $1 = ""; suites = $0; sub(/^ /, "", suites) }
			/^Signed-By:/ { key = $2 }
			END { flush() }' "$f"
	done | head -n 1 | grep . && return
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v rel="$CODENAME" '$1 == "deb" {
			i = 2; key = ""
			if ($2 ~ /^\[/) {
				for (; i <= NF && $i !~ /\]$/; i++)
					if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key) }
				if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
				i++
			}
			if ($(i + 1) == rel) { print $i "|" key; exit }
		}' "$f"
	done | head -n 1 | grep . && return
	return 1
}

fetch() {
	src=$(archive_source) || { say "no Debian archive for '$CODENAME' in /etc/apt; set VD_GPIOD2_URI"; exit 1; }
	uri=${src%%|*}
	key=${src#*|}
	[ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
	say "fetching $PKGS from $uri $SUITE"
	rm -rf "$APTDIR"
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/parts" "$APTDIR/prefs" "$APTDIR/deb"
	cat >"$APTDIR/gpiod2.sources" <<SRC
Types: deb
URIs: $uri
Suites: $SUITE
Components: main
Signed-By: $key
SRC
	: >"$APTDIR/status"
	set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APTDIR/parts" \
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$APTDIR/prefs" \
		-o Dir::State::Lists="$APTDIR/lists" -o Dir::State::status="$APTDIR/status" \
		-o Dir::Cache="$APTDIR/cache" -o APT::Architecture="$ARCH" \
		-o APT::Sandbox::User="$(id -un)" -o Debug::NoLocking=1
	mv "$APTDIR/gpiod2.sources" "$APTDIR/parts/"
	apt-get -q "$@" update >&2
	pkgs=""
	for p in $PKGS; do pkgs="$pkgs $p/$SUITE"; done
	(cd "$APTDIR/deb" && apt-get -q "$@" download $pkgs >&2)
	rm -rf "$ROOT.new"
	mkdir -p "$ROOT.new"
	for d in "$APTDIR"/deb/*.deb; do dpkg -x "$d" "$ROOT.new"; done
	rm -rf "$ROOT"
	mv "$ROOT.new" "$ROOT"
}

LIBDIR=$ROOT/usr/lib/$MULTIARCH
PCDIR=$LIBDIR/pkgconfig
if [ ! -f "$PCDIR/libgpiod.pc" ] || ! ls "$LIBDIR"/libgpiod.so.3* >/dev/null 2>&1; then
	fetch
fi
# point the .pc file at the unpacked tree
sed -i "s|^prefix=.*|prefix=$ROOT/usr|" "$PCDIR/libgpiod.pc"
VER=$(PKG_CONFIG_PATH=$PCDIR pkg-config --modversion libgpiod)
case $VER in
2.*) say "libgpiod $VER in $ROOT" ;;
*) say "unexpected libgpiod version '$VER' in $ROOT"; exit 1 ;;
esac

[ $# -gt 0 ] || set -- check
cd "$TOP"
export PKG_CONFIG_PATH=$PCDIR
export LD_LIBRARY_PATH=$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
exec make B=build-gpiod2 BIN=build-gpiod2/vhost-device PKG_CONFIG_PATH="$PCDIR" "$@"
