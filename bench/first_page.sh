#!/usr/bin/env bash
# Fresh clone to first page: clone REPO at REV into a new folder, run `make demo` there with pip's
# cache disabled (so every package is downloaded and built as on a newcomer's machine), and time the
# wall clock until the home page first answers HTTP 200. Prints the total and its phases: install
# (clone + venv + pip, until make's install stamp), migrate + demo load (until the server starts),
# then serve (gunicorn boot and the first page).
#
#   bash bench/first_page.sh [REPO] [REV] [PORT]
#   bash bench/first_page.sh /path/to/tiewatch HEAD 8190
#
# The demo server is stopped (its process group) when the page has answered or after 20 minutes.
set -euo pipefail
repo=${1:-$(git rev-parse --show-toplevel)}
rev=${2:-HEAD}
port=${3:-8190}
work=$(mktemp -d /tmp/tiewatch-first-page.XXXXXX)
log="$work/make-demo.log"

start=$(date +%s.%N)
git clone --quiet "$repo" "$work/tiewatch"
git -C "$work/tiewatch" checkout --quiet "$rev"
# setsid: make leads its own process group, so stopping the group stops make, pip and the server alike.
PIP_NO_CACHE_DIR=1 setsid make -C "$work/tiewatch" demo PORT="$port" >"$log" 2>&1 &
demo=$!
trap 'kill -- -"$demo" 2>/dev/null || true' EXIT

status=000
served=""
deadline=$(( $(date +%s) + 1200 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/" || true)
  [ "$status" = 200 ] && break
  if [ -z "$served" ] && grep -q "is being served at" "$log" 2>/dev/null; then served=$(date +%s.%N); fi
  kill -0 "$demo" 2>/dev/null || break
  sleep 0.5
done
end=$(date +%s.%N)
if [ "$status" != 200 ]; then
  echo "no HTTP 200 from the home page (last status $status); log: $log" >&2
  tail -20 "$log" >&2
  exit 1
fi
installed=$(stat -c %Y "$work/tiewatch/.venv/.installed")
served=${served:-$end}
python3 -c "print(f'first page after {$end - $start:.1f} s: install {$installed - $start:.0f} s, '
            f'migrate + demo load {$served - $installed:.0f} s, serve {$end - $served:.0f} s')"
echo "rev=$(git -C "$work/tiewatch" rev-parse --short HEAD)  log=$log"
