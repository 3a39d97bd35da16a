#!/usr/bin/env bash
# How long does a new user wait? Clone this repository's HEAD into a temporary folder, run
# bin/start there (embedded default: no DATABASE_URL, no REDIS_URL) and time from the clone to the
# first page served; then stop it and start it a second time (everything already seeded).
#
#   bash bench/start.sh            # budget: first start ≤ 60 s (dependencies already in uv's cache)
#
# Prints both times and exits 1 when the first start is over budget. A benchmark, not a test.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${PORT:-8391}"
budget=60
work="$(mktemp -d)"
log="$work/start.log"
server=""
cleanup() {
    if [ -n "$server" ]; then kill -- -"$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# start_and_wait BEGAN: run bin/start in its own process group (its pid in $server); set $elapsed
# to the seconds from BEGAN until /inloggen/ answers. Called directly, not in $(…): a subshell
# would keep $server to itself.
start_and_wait() {
    local began=$1
    # The log takes the output: a server holding this function's stdout would keep $(…) waiting.
    (cd "$work/clone" && exec env -u DATABASE_URL -u REDIS_URL PORT="$port" setsid bash bin/start) >>"$log" 2>&1 &
    server=$!
    until curl -fsS -o /dev/null "http://127.0.0.1:$port/inloggen/" 2>/dev/null; do
        if ! kill -0 "$server" 2>/dev/null; then echo "bin/start stopped; see its log:" >&2; tail -n 30 "$log" >&2; exit 2; fi
        sleep 0.2
    done
    elapsed=$(python3 -c "import time; print(f'{time.monotonic() - $began:.1f}')")
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
began=$(python3 -c 'import time; print(time.monotonic())')
git clone --quiet "$repo" "$work/clone"
start_and_wait "$began"
first=$elapsed
echo "first start (clone → first page): ${first} s   (budget ${budget} s)"
kill -- -"$server" 2>/dev/null || true
wait "$server" 2>/dev/null || true
server=""
for _ in $(seq 100); do  # until the first server has let go of the port
    curl -fsS -o /dev/null "http://127.0.0.1:$port/inloggen/" 2>/dev/null || break
    sleep 0.2
done

began=$(python3 -c 'import time; print(time.monotonic())')
start_and_wait "$began"
echo "second start (already seeded):       ${elapsed} s"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

python3 -c "import sys; sys.exit(0 if $first <= $budget else 1)"
