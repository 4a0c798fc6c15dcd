#!/usr/bin/env bash
# Installs frs as a service (run as root): the release binary, the models, the service account and
# auditors' group (when asked), a spool owned by the service account, and a hardened systemd unit
# running `frs daemon` as that account.
#
# usage: scripts/install.sh [--prefix DIR] [--spool DIR] [--user NAME] [--auditors-group NAME]
#                           [--create-accounts] [--unit-dir DIR] [--enable] [--binary PATH]
#   --prefix DIR          where bin/frs and share/frs/models go (default /usr/local)
#   --spool DIR           the spool (default /var/spool/frs)
#   --user NAME           the daemon's service account (default frs)
#   --auditors-group NAME members read outbox/audit/ (default frs-audit)
#   --create-accounts     create the service account and the auditors' group if missing
#   --unit-dir DIR        where frs.service goes (default /etc/systemd/system)
#   --enable              systemctl enable --now frs (when systemd runs)
#   --binary PATH         install this frs binary instead of building a release one
# Then: frs agency add CODE --name NAME --group GROUP, usermod -aG GROUP <user>, frs user add …
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=/usr/local SPOOL=/var/spool/frs USER_NAME=frs AUDITORS=frs-audit CREATE=0 UNIT_DIR=/etc/systemd/system
ENABLE=0 BINARY=
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift ;;
    --spool) SPOOL=$2; shift ;;
    --user) USER_NAME=$2; shift ;;
    --auditors-group) AUDITORS=$2; shift ;;
    --create-accounts) CREATE=1 ;;
    --unit-dir) UNIT_DIR=$2; shift ;;
    --enable) ENABLE=1 ;;
    --binary) BINARY=$2; shift ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "install: run as root (it creates accounts, the spool and the unit)" >&2; exit 1; }

./scripts/setup.sh
if [ -z "$BINARY" ]; then
  swift build -c release --product frs 2>&1 | tail -1
  BINARY=$(swift build -c release --show-bin-path)/frs
fi
# The models the binary will use: fetched (or found) in $FRS_MODELS when it is set, ./models otherwise.
MODELS_SRC=${FRS_MODELS:-$PWD/models}
FRS_MODELS=$MODELS_SRC ./scripts/fetch-models.sh >/dev/null

BINDIR=$PREFIX/bin MODELS=$PREFIX/share/frs/models DOCDIR=$PREFIX/share/doc/frs
install -d -m 755 "$BINDIR" "$MODELS" "$DOCDIR"
install -m 755 "$BINARY" "$BINDIR/frs"
install -m 644 "$MODELS_SRC"/*.dat "$MODELS/"
install -m 644 README.md SECURITY.md "$DOCDIR/"

if [ "$CREATE" = 1 ]; then
  getent group "$AUDITORS" >/dev/null || groupadd --system "$AUDITORS"
  getent passwd "$USER_NAME" >/dev/null || useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --user-group "$USER_NAME"
fi
getent passwd "$USER_NAME" >/dev/null || { echo "install: no account $USER_NAME (use --create-accounts)" >&2; exit 1; }
getent group "$AUDITORS" >/dev/null || { echo "install: no group $AUDITORS (use --create-accounts)" >&2; exit 1; }

install -d -m 755 "$(dirname "$SPOOL")"
FRS_SPOOL=$SPOOL FRS_MODELS=$MODELS "$BINDIR/frs" init --daemon-user "$USER_NAME" --auditors-group "$AUDITORS"

install -d -m 755 "$UNIT_DIR"
sed -e "s|@USER@|$USER_NAME|g" -e "s|@SPOOL@|$SPOOL|g" -e "s|@MODELS@|$MODELS|g" -e "s|@BINDIR@|$BINDIR|g" \
    -e "s|@DOCDIR@|$DOCDIR|g" scripts/frs.service > "$UNIT_DIR/frs.service"
chmod 644 "$UNIT_DIR/frs.service"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$UNIT_DIR/frs.service" && echo "install: systemd-analyze verify: ok"
fi
if [ "$ENABLE" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload && systemctl enable --now frs
fi
echo "install: frs in $BINDIR, models in $MODELS, spool $SPOOL owned by $USER_NAME, unit $UNIT_DIR/frs.service"
echo "next: frs agency add CODE --name NAME --group GROUP; usermod -aG GROUP $USER_NAME; frs user add …"
