# Sourced by the scripts that start servers (e2e, bench): background processes recorded in
# `pids` are stopped by PID on exit (TERM, then KILL after 5 s), `wait_http` waits,
# bounded, for a URL to answer while checking that its process is still alive, and
# `track_until_ready` does both for the job just started.
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

# Records the PID of the job just started in the background and waits (bounded: $3
# seconds, default 600) for $1 to answer; on failure shows the tail of its log $2.
track_until_ready() { # url log [seconds]
  pids+=($!)
  if ! wait_http "$1" "${3:-600}" "${pids[-1]}"; then
    tail -40 "$2"; return 1
  fi
}

# Builds the Worker once and writes $1, a copy of wrangler.toml without [build], so that
# `wrangler dev --config $1` neither rebuilds at start nor restarts on file changes mid-run.
# The build log goes to $2.
prebuilt_worker() { # config log
  worker-build --release --features worker >"$2" 2>&1 || { tail -30 "$2"; return 1; }
  awk '/^\[build\]/{skip=1; next} /^\[/{skip=0} !skip' wrangler.toml >"$1"
}

# Starts `wrangler dev --config $1` on 127.0.0.1:$2 with the remaining arguments, logging
# to $3, records its PID and waits (bounded) for /health; on failure shows the log's tail.
start_worker() { # config port log [wrangler args...]
  local config="$1" port="$2" log="$3"
  shift 3
  wrangler dev --config "$config" --ip 127.0.0.1 --port "$port" "$@" >"$log" 2>&1 &
  track_until_ready "http://127.0.0.1:$port/health" "$log"
}

# Starts a Worker for timing (tests/bench/start-worker.mjs): workerd through Miniflare,
# configured from the config by wrangler, with no development server in front; with a
# leading --dev-proxy, wrangler's `unstable_startWorker` (what `wrangler dev` runs, behind its
# local proxy). Either way without the DevTools inspector (with it attached V8 runs the wasm
# unoptimized). $4 is the path that answers once it serves; the rest are NAME:VALUE vars.
start_bench_worker() { # [--dev-proxy] config port log ready-path [NAME:VALUE...]
  local mode=()
  if [ "$1" = --dev-proxy ]; then mode=(--dev-proxy); shift; fi
  local config="$1" port="$2" log="$3" ready="$4"
  shift 4
  node tests/bench/start-worker.mjs "${mode[@]}" "$config" "$port" "$@" >"$log" 2>&1 &
  track_until_ready "http://127.0.0.1:$port$ready" "$log"
}

# Sets `upstream_vars` to the `wrangler dev --var` flags that point every source at the mock
# at $1, with the simulator's fake credentials (src/sim/creds.rs; they unlock only the mock).
mock_upstream_vars() { # mock-url
  local m="$1"
  upstream_vars=(
    --var "HPE_FLEX_BASE_URL:$m" --var "HPE_FLEX_TOKEN_URL:$m/as/token.oauth2"
    --var "HPE_FLEX_CLIENT_ID:sim-greenlake-client" --var "HPE_FLEX_CLIENT_SECRET:sim-greenlake-secret"
    --var "FNO_ORDERS_BASE_URL:$m" --var "FNO_USERNAME:sim-fno-user" --var "FNO_PASSWORD:sim-fno-password"
    --var "FNO_ENTITLEMENTS_BASE_URL:$m"
    --var "FNO_ENTITLEMENTS_TOKEN:rna_51d0c0ffee5eed0000000000000000000000000000000000"
    --var "TELECOMX_BASE_URL:$m" --var "TELECOMX_USERNAME:admin@sim.telecomx.test"
    --var "TELECOMX_PASSWORD:sim-telecomx-admin"
  )
}
