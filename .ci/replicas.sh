#!/usr/bin/env bash
# Two dashboard replicas behind nginx with sticky sessions, all on this machine only:
# `streamlit run app.py` on 127.0.0.1:8601 and 127.0.0.1:8602, nginx (docs/deploy/nginx.conf)
# on http://127.0.0.1:8501. Runs in the foreground; Ctrl-C (or SIGTERM) stops all three.
# Usage: bash .ci/replicas.sh   (after bash .ci/setup.sh, and apt-get install nginx)
# Other ports: FOXBAT76_PORT=8080 FOXBAT76_REPLICA_PORTS="9001 9002" bash .ci/replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."

port="${FOXBAT76_PORT:-8501}"
read -r -a replica_ports <<< "${FOXBAT76_REPLICA_PORTS:-8601 8602}"
for value in "$port" "${replica_ports[@]}"; do
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
    echo "replicas: ports must be numbers 1..65535, got '$value'" >&2
    exit 2
  fi
done
if [ "${#replica_ports[@]}" != 2 ]; then
  echo "replicas: FOXBAT76_REPLICA_PORTS must name two ports, got '${replica_ports[*]}'" >&2
  exit 2
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$nginx_bin" ]; then
  echo "replicas: nginx not found (apt-get install nginx)" >&2
  exit 2
fi
if [ ! -x .venv/bin/streamlit ]; then
  echo "replicas: .venv/bin/streamlit not found (run bash .ci/setup.sh first)" >&2
  exit 2
fi

# nginx's pid and temp files go to a prefix of its own; its workers may run as another user.
prefix="$(mktemp -d -t foxbat76-nginx-XXXXXX)"
mkdir "$prefix/tmp"
chmod 755 "$prefix" "$prefix/tmp"
pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait || true
  rm -rf "$prefix"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sed -e "s/listen 127\.0\.0\.1:8501;/listen 127.0.0.1:$port;/" \
  -e "s/server 127\.0\.0\.1:8601;/server 127.0.0.1:${replica_ports[0]};/" \
  -e "s/server 127\.0\.0\.1:8602;/server 127.0.0.1:${replica_ports[1]};/" \
  docs/deploy/nginx.conf > "$prefix/nginx.conf"

for replica_port in "${replica_ports[@]}"; do
  .venv/bin/streamlit run app.py --server.address 127.0.0.1 --server.port "$replica_port" \
    --server.headless true --server.fileWatcherType none &
  pids+=("$!")
done
"$nginx_bin" -e stderr -p "$prefix" -c nginx.conf -g "daemon off;" &
pids+=("$!")
echo "replicas: http://127.0.0.1:$port (replicas on 127.0.0.1:${replica_ports[0]} and :${replica_ports[1]})"
wait -n  # the first of the three to stop takes the others with it
