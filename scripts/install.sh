#!/bin/sh
# Installs FieldSync on a Linux server: the three binaries, a hardened systemd unit for fieldsync-server, a default
# config (never overwriting one), a man page per binary and bash, zsh and fish completions.
#
#   scripts/install.sh                      # build in release mode, install under /usr/local (run as root)
#   scripts/install.sh --prefix /usr --destdir /tmp/stage
#   scripts/install.sh --no-build --bin-dir .build/debug --destdir /tmp/stage   # install binaries already built
#
# Then: systemctl daemon-reload && systemctl enable --now fieldsync-server
set -eu

prefix=/usr/local
sysconfdir=/etc
destdir=
build=yes
bindir=
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --sysconfdir) sysconfdir=$2; shift 2 ;;
        --destdir) destdir=$2; shift 2 ;;
        --bin-dir) bindir=$2; shift 2 ;;
        --no-build) build=no; shift ;;
        -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$build" = yes ]; then
    (cd "$root" && swift build -c release --product fieldsync-server && swift build -c release --product fieldsync \
        && swift build -c release --product fieldsync-sim)
    bindir=$(cd "$root" && swift build -c release --show-bin-path)
fi
[ -n "$bindir" ] || { echo "install.sh: --no-build needs --bin-dir DIR" >&2; exit 2; }
for tool in fieldsync fieldsync-server fieldsync-sim; do
    [ -x "$bindir/$tool" ] || { echo "install.sh: no $bindir/$tool: build first" >&2; exit 1; }
done

stage() { echo "$destdir$1"; }
install -d "$(stage "$prefix/bin")" "$(stage "$prefix/share/man/man1")" "$(stage "$sysconfdir/fieldsync")" \
    "$(stage "$prefix/lib/systemd/system")" "$(stage "$prefix/share/bash-completion/completions")" \
    "$(stage "$prefix/share/zsh/site-functions")" "$(stage "$prefix/share/fish/vendor_completions.d")"
for tool in fieldsync fieldsync-server fieldsync-sim; do
    install -m 0755 "$bindir/$tool" "$(stage "$prefix/bin/$tool")"
    install -m 0644 "$root/packaging/man/$tool.1" "$(stage "$prefix/share/man/man1/$tool.1")"
    "$bindir/$tool" --generate-completion-script bash > "$(stage "$prefix/share/bash-completion/completions/$tool")"
    "$bindir/$tool" --generate-completion-script zsh > "$(stage "$prefix/share/zsh/site-functions/_$tool")"
    "$bindir/$tool" --generate-completion-script fish > "$(stage "$prefix/share/fish/vendor_completions.d/$tool.fish")"
done
sed -e "s|@PREFIX@|$prefix|g" -e "s|@SYSCONFDIR@|$sysconfdir|g" "$root/packaging/fieldsync-server.service" \
    > "$(stage "$prefix/lib/systemd/system/fieldsync-server.service")"
config=$(stage "$sysconfdir/fieldsync/server.yaml")
if [ -e "$config" ]; then
    echo "kept $config (the new default is $root/packaging/server.yaml)"
else
    install -m 0644 "$root/packaging/server.yaml" "$config"
fi
echo "installed FieldSync under $destdir$prefix; next: systemctl daemon-reload && systemctl enable --now fieldsync-server"
