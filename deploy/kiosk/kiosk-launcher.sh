#!/bin/sh
# Kiosk PC (Linux): the kiosk page full screen in Chromium, started once the device agent answers
# and started again if the browser exits. Run in the kiosk user's graphical session, e.g. by the
# user unit kiosk-browser.service (deploy/README.md).
#   KIOSK_URL       the kiosk page on the server          default https://kiosk-server/kiosk/
#   AGENT_URL       the local device agent                default http://127.0.0.1:8731
#   KIOSK_CA_FILE   the hospital CA (PEM), added to the browser's trust store (needs certutil)
#   KIOSK_BROWSER   the browser                           default /usr/bin/chromium
#   KIOSK_PROFILE   the browser's profile folder          default ~/.local/share/kiosk-browser
set -eu

KIOSK_URL="${KIOSK_URL:-https://kiosk-server/kiosk/}"
AGENT_URL="${AGENT_URL:-http://127.0.0.1:8731}"
KIOSK_BROWSER="${KIOSK_BROWSER:-/usr/bin/chromium}"
KIOSK_PROFILE="${KIOSK_PROFILE:-${HOME}/.local/share/kiosk-browser}"

log() { printf 'kiosk-launcher: %s\n' "$*" >&2; }

# The page talks to the agent at once: wait for it (it starts with the PC, as a system service).
tries=0
until curl -fsS --max-time 2 "${AGENT_URL}/healthz" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -eq 1 ] || [ $((tries % 30)) -eq 0 ]; then log "waiting for the device agent at ${AGENT_URL}"; fi
  sleep 1
done

mkdir -p "${KIOSK_PROFILE}"
chmod 700 "${KIOSK_PROFILE}"

# Chromium on Linux trusts the certificates of its NSS database, not SERVER_CA_FILE.
if [ -n "${KIOSK_CA_FILE:-}" ]; then
  if command -v certutil >/dev/null 2>&1; then
    mkdir -p "${HOME}/.pki/nssdb"
    [ -f "${HOME}/.pki/nssdb/cert9.db" ] || certutil -d "sql:${HOME}/.pki/nssdb" -N --empty-password
    certutil -d "sql:${HOME}/.pki/nssdb" -A -t "C,," -n "kiosk hospital CA" -i "${KIOSK_CA_FILE}"
  else
    log "KIOSK_CA_FILE is set but certutil is missing (Debian package libnss3-tools)"
  fi
fi

while :; do
  # A crash or an update must not greet the next patient with a "restore pages?" bubble.
  sed -i 's/"exited_cleanly":false/"exited_cleanly":true/; s/"exit_type":"[^"]*"/"exit_type":"Normal"/' \
    "${KIOSK_PROFILE}/Default/Preferences" 2>/dev/null || true
  log "starting ${KIOSK_BROWSER} on ${KIOSK_URL}"
  "${KIOSK_BROWSER}" \
    --kiosk \
    --user-data-dir="${KIOSK_PROFILE}" \
    --no-first-run \
    --noerrdialogs \
    --disable-infobars \
    --disable-session-crashed-bubble \
    --disable-features=Translate,TranslateUI,InfiniteSessionRestore \
    --disable-pinch \
    --overscroll-history-navigation=0 \
    --autoplay-policy=no-user-gesture-required \
    --password-store=basic \
    --check-for-update-interval=31536000 \
    ${KIOSK_BROWSER_EXTRA:-} \
    "${KIOSK_URL}" || true
  log "browser exited; starting it again in 2 s"
  sleep 2
done
