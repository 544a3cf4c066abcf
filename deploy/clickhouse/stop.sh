#!/usr/bin/env bash
# Stop the ClickHouse server that deploy/clickhouse/start.sh started for the
# state dir ${VIGIA_STATE_DIR:-<repo>/.state}/clickhouse.
#
#   stop.sh            stop it (TERM, up to 20 s grace, then KILL)
#   stop.sh --purge    also delete the whole state dir (data, logs, config)
#
# Servers given via VIGIA_CLICKHOUSE_ADDR are never touched: we did not start
# them.
set -euo pipefail

readonly TERM_GRACE_S=20

log() { printf 'clickhouse/stop: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

purge=0
for arg in "$@"; do
    case $arg in
    --purge) purge=1 ;;
    -h | --help)
        sed -n '2,9s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) die "unknown argument '$arg' (use --purge or --help)" ;;
    esac
done

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
state_parent=${VIGIA_STATE_DIR:-$repo_root/.state}

if [[ ! -d $state_parent/clickhouse ]]; then
    log "no state dir $state_parent/clickhouse; nothing to stop"
    exit 0
fi
# Same absolute spelling as start.sh, which is what the server's command line
# contains.
state=$(cd "$state_parent/clickhouse" && pwd)
pid_file=$state/clickhouse.pid
config=$state/config.xml

# Serialise with start.sh so we never stop a server that is half-started.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$state/.lock"
    flock -w 120 9 || die "another start.sh/stop.sh holds $state/.lock"
fi

pid_alive() { # pid
    local pid=$1 st
    if [[ -r /proc/$pid/stat ]]; then
        # Orphans may linger as zombies where nothing reaps them; those are
        # dead for our purposes even though kill -0 succeeds.
        st=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
        [[ ${st:0:1} != Z ]]
    else
        kill -0 "$pid" 2>/dev/null
    fi
}

# Never signal a pid that was recycled for some unrelated process.
is_our_server() { # pid
    local cmdline
    pid_alive "$1" || return 1
    [[ -r /proc/$1/cmdline ]] || return 0
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline")
    [[ $cmdline == *clickhouse* && $cmdline == *"$config"* ]]
}

wait_gone() { # pid seconds
    local pid=$1 deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        pid_alive "$pid" || return 0
        sleep 0.2
    done
    ! pid_alive "$pid"
}

pid=''
[[ -r $pid_file ]] && pid=$(<"$pid_file")

if [[ $pid =~ ^[0-9]+$ ]] && is_our_server "$pid"; then
    log "stopping ClickHouse (pid $pid) in $state"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$TERM_GRACE_S"; then
        log "still running after ${TERM_GRACE_S}s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone "$pid" 5 || die "pid $pid survived SIGKILL"
    fi
    log "stopped"
    # The env file would now point at a dead server; drop it, but only if it
    # is ours (start.sh also writes it for VIGIA_CLICKHOUSE_ADDR servers).
    port=''
    [[ -r $state/clickhouse.ports ]] && read -r port _ <"$state/clickhouse.ports"
    if [[ -n $port && -r $state/clickhouse.env ]] &&
        [[ $(<"$state/clickhouse.env") == "VIGIA_CLICKHOUSE_ADDR=127.0.0.1:$port" ]]; then
        rm -f "$state/clickhouse.env"
    fi
else
    log "no ClickHouse started by start.sh is running for $state"
fi
rm -f "$pid_file"

if ((purge)); then
    # Belt and braces before rm -rf: only ever our own .../clickhouse dir.
    [[ $state == /*/clickhouse && $state != / ]] || die "refusing to purge '$state'"
    log "purging $state"
    rm -rf -- "$state"
fi
