# SPDX-License-Identifier: Apache-2.0 OR BSD-3-Clause
# Shared helpers of the VM tests (sourced by tests/vm/setup, run, demo).
# Everything downloaded or built lives under $VM_CACHE, outside the repo.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
VM_CACHE=${VHOST_DEVICE_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vhost-device}
# Network operations give up after this long (seconds) instead of hanging.
NET_TIMEOUT=${VM_NET_TIMEOUT:-1200}
APT_NET_OPTS=(-o Acquire::http::Timeout=30 -o Acquire::https::Timeout=30 -o Acquire::Retries=2)

T0=$(date +%s.%N)
declare -a TIMINGS=()

log()  { printf '[vm %6.1fs] %s\n' "$(elapsed)" "$*" >&2; }
die()  { printf 'vm: ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(date +%s.%N) - $T0" | bc; }

# timed LABEL CMD...: run CMD, remember how long it took.
timed() {
	local label=$1 s e rc=0
	shift
	s=$(date +%s.%N)
	"$@" || rc=$?
	e=$(date +%s.%N)
	TIMINGS+=("$(printf '%-34s %7.1fs%s' "$label" "$(echo "$e - $s" | bc)" "$([ $rc = 0 ] || echo " (failed: $rc)")")")
	return $rc
}

print_timings() {
	local t
	echo "---- timings ----"
	for t in "${TIMINGS[@]}"; do echo "  $t"; done
	printf '  %-34s %7.1fs\n' total "$(elapsed)"
}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
	else return 99
	fi
}

# ---- apt sources derived from the machine's own Debian source ----------

# Prints "URI SUITES..." lines for every Debian (deb) entry of the system's
# apt configuration, deb822 and one-line format.
sys_apt_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() { if (types ~ /(^| )deb( |$)/ && uris != "") print uris "|" suites "|" comps "|" key; types = uris = suites = comps = key = "" }
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
		/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $1 }
		/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
		/^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
		/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
		END { flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { i = 2; key = ""; if ($2 ~ /^\[/) { while ($i !~ /\]$/) { if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) } i++ } if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) } i++ }
			uri = $i; suite = $(i + 1); comps = ""; for (j = i + 2; j <= NF; j++) comps = comps (comps == "" ? "" : " ") $j
			print uri "|" suite "|" comps "|" key }' "$f"
	done
}

# The URI serving "$1" (a suite such as bookworm or bookworm-security).
debian_uri_for() {
	local want=$1 uri suites comps key s
	while IFS='|' read -r uri suites comps key; do
		for s in $suites; do
			[ "$s" = "$want" ] && { echo "$uri"; return 0; }
		done
	done < <(sys_apt_entries)
	return 1
}

CODENAME=$(. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}")
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

debian_main_uri() {
	debian_uri_for "$CODENAME" || die "no apt source for Debian '$CODENAME' found in /etc/apt: cannot derive the archive to download from"
}

# Private apt configurations: own source list, lists, archives and state,
# so the system's apt state is never touched by guest-side downloads.
# apt_private NAME SOURCES-TEXT: writes $VM_CACHE/apt/NAME/apt.conf.
apt_private() {
	local name=$1 text=$2 d=$VM_CACHE/apt/$1
	local src=$d/etc/sources.list.d/$name.sources
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/etc/preferences.d" "$d/etc/sources.list.d" "$d/state"
	touch "$d/state/status"; : > "$d/etc/sources.list"
	printf '%s\n' "$text" > "$src.new"
	if ! cmp -s "$src.new" "$src" 2>/dev/null; then
		mv "$src.new" "$src"
		rm -f "$d/updated"
	else
		rm -f "$src.new"
	fi
	cat > "$d/apt.conf" <<-EOF
	Dir::Etc::SourceList "$d/etc/sources.list";
	Dir::Etc::SourceParts "$d/etc/sources.list.d";
	Dir::Etc::Preferences "$d/etc/preferences";
	Dir::Etc::PreferencesParts "$d/etc/preferences.d";
	Dir::State::Lists "$d/lists";
	Dir::State::status "$d/state/status";
	Dir::Cache "$d/cache";
	Dir::Cache::archives "$d/archives";
	APT::Architectures { "amd64"; "arm64"; };
	APT::Get::AllowUnauthenticated "false";
	Acquire::Languages "none";
	EOF
}

apt_p() { local name=$1; shift; APT_CONFIG=$VM_CACHE/apt/$name/apt.conf "$@"; }

apt_p_update() {
	local name=$1 d=$VM_CACHE/apt/$1
	[ -f "$d/updated" ] && return 0
	log "apt update ($name)"
	mkdir -p "$d/cache"
	if ! apt_p "$name" timeout "$NET_TIMEOUT" apt-get "${APT_NET_OPTS[@]}" -q update >"$d/update.log" 2>&1 \
	   || grep -qE '^(W|E): (Failed|Some index)' "$d/update.log"; then
		cat "$d/update.log" >&2
		die "could not fetch the package lists for '$name' (network?). See above."
	fi
	touch "$d/updated"
}

# apt_p_fetch NAME PKG[:ARCH][=VER]...: downloads .debs into NAME's archive
# dir (skips what is already there); prints nothing.
apt_p_fetch() {
	local name=$1 d=$VM_CACHE/apt/$1 p need=()
	shift
	for p in "$@"; do
		deb_path "$name" "$p" >/dev/null 2>&1 || need+=("$p")
	done
	[ ${#need[@]} = 0 ] && return 0
	apt_p_update "$name"
	log "downloading (${name}): ${need[*]}"
	( cd "$d/archives" && apt_p "$name" timeout "$NET_TIMEOUT" apt-get "${APT_NET_OPTS[@]}" -q download "${need[@]}" ) \
		>"$d/download.log" 2>&1 || { cat "$d/download.log" >&2; die "could not download ${need[*]} (network, or no such package in the archive)"; }
}

# deb_path NAME PKG[:ARCH][=VER]: the downloaded .deb for PKG.
deb_path() {
	local name=$1 spec=$2 pkg ver arch f
	pkg=${spec%%[=:]*}
	arch=amd64; case ${spec%%=*} in *:*) arch=${spec#*:}; arch=${arch%%=*};; esac
	ver='*'; case $spec in *=*) ver=${spec#*=}; ver=${ver//:/%3a};; esac
	for f in "$VM_CACHE/apt/$name/archives/${pkg}_"${ver}"_${arch}.deb" "$VM_CACHE/apt/$name/archives/${pkg}_"${ver}"_all.deb"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# ---- waiting for things -------------------------------------------------

wait_for_socket() {
	local path=$1 pid=$2 i
	for i in $(seq 1 100); do
		[ -S "$path" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# wait_for_line FILE REGEX SECONDS
wait_for_line() {
	local f=$1 re=$2 t=$3 i
	for i in $(seq 1 $((t * 5))); do
		grep -qE "$re" "$f" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
