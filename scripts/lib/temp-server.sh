# Sourced by scripts/e2e and scripts/bench: starts the release server on a free port with a
# fresh temporary database, sets BASE_URL, and stops it (and removes the data) on exit.
[ -x target/release/accord ] || { echo "target/release/accord is missing; run 'cargo leptos build --release' first" >&2; exit 1; }

workdir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite:$workdir/accord.db"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export ACCORD_PUBLIC_URL="http://127.0.0.1:$port"
export ACCORD_DATA_DIR="$workdir"
export RUST_LOG=${RUST_LOG:-warn}
BASE_URL="http://127.0.0.1:$port"
SERVER_LOG="$workdir/server.log"

./target/release/accord >"$SERVER_LOG" 2>&1 &
server=$!
stop_server() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"; }
trap stop_server EXIT

for _ in $(seq 1 100); do
  curl -fs "$BASE_URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "the server exited:" >&2; cat "$SERVER_LOG" >&2; exit 1; }
  sleep 0.2
done
