# Sourced by the scripts that start servers (e2e, bench): background processes recorded in
# `pids` are stopped by PID on exit (TERM, then KILL after 5 s), and `wait_http` waits,
# bounded, for a URL to answer while checking that its process is still alive.
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

wait_http() { # url seconds pid
  local url="$1" limit="$2" pid="$3"
  for _ in $(seq 1 "$limit"); do
    curl -sf -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "[wait] process $pid exited before $url answered"; return 1; }
    sleep 1
  done
  echo "[wait] $url did not answer within ${limit}s"; return 1
}
