#!/usr/bin/env bash
# Make a ClickHouse server available to vigia and print its native-protocol
# address. The last line on stdout is always
#     VIGIA_CLICKHOUSE_ADDR=<host>:<port>
# so callers can do:  eval "$(deploy/clickhouse/start.sh | tail -1)"
# Everything else goes to stderr.
#
# Environment:
#   VIGIA_CLICKHOUSE_ADDR  use this existing server (host:port, native TCP)
#                          instead of starting one; it only gets checked.
#   VIGIA_STATE_DIR        parent of the private state dir
#                          (default: <repo>/.state); the server lives in
#                          $VIGIA_STATE_DIR/clickhouse.
#   VIGIA_CLICKHOUSE_WRITER_PASSWORD, VIGIA_CLICKHOUSE_ANALYST_PASSWORD
#                          passwords of the vigia_writer and vigia_analyst
#                          users of a server started here (default: kept
#                          from the last start, or generated); either way
#                          they end up in $state/writer.password and
#                          $state/analyst.password (mode 0600), and only
#                          their SHA-256 goes into users.xml. The
#                          password-less `default` user stays as it was
#                          (loopback only), for tests and `make run`.
#
# The config written here deliberately sticks to keys that both the Debian
# 18.16 package and current releases (24-26) understand, so the same script
# works on old dev boxes and new CI images.
set -euo pipefail

readonly START_TIMEOUT_S=60
readonly PORT_ATTEMPTS=3

log() { printf 'clickhouse/start: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
state_parent=${VIGIA_STATE_DIR:-$repo_root/.state}

# --- client / probing helpers ------------------------------------------------

client=()
pick_client() {
    # Prefer a client that matches the server flavour we run: a modern single
    # binary's client speaks the newest protocol revision, the 18.16 client
    # is only guaranteed to match the 18.16 server.
    if [[ ${server_flavour:-} == single ]] && command -v clickhouse >/dev/null 2>&1; then
        client=(clickhouse client)
    elif command -v clickhouse-client >/dev/null 2>&1; then
        client=(clickhouse-client)
    elif command -v clickhouse >/dev/null 2>&1; then
        client=(clickhouse client)
    else
        client=()
    fi
}

tcp_open() { # host port
    # Loopback connects fail instantly when nothing listens; the timeout only
    # guards remote addresses that silently drop packets.
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Succeeds when a native-protocol "SELECT 1" works (or, without any client,
# when the port accepts TCP connections).
ch_ping() { # host port
    local host=$1 port=$2 out
    if ((${#client[@]} == 0)); then
        tcp_open "$host" "$port"
        return
    fi
    # </dev/null: with a non-tty stdin the client may treat it as query
    # data, and it must never consume the caller's stdin.
    out=$(timeout 10 "${client[@]}" --host "$host" --port "$port" \
        --connect_timeout 2 -q 'SELECT 1' </dev/null 2>/dev/null) || return 1
    [[ $out == 1 ]]
}

write_env_file() { # dir addr
    local dir=$1 addr=$2 tmp
    mkdir -p "$dir"
    tmp=$(mktemp "$dir/.clickhouse.env.XXXXXX")
    printf 'VIGIA_CLICKHOUSE_ADDR=%s\n' "$addr" >"$tmp"
    chmod 644 "$tmp" # mktemp's 0600 would hide it from other local users
    mv -f "$tmp" "$dir/clickhouse.env"
}

# --- 1. externally provided server -------------------------------------------

if [[ -n ${VIGIA_CLICKHOUSE_ADDR:-} ]]; then
    addr=$VIGIA_CLICKHOUSE_ADDR
    host=${addr%:*}
    port=${addr##*:}
    host=${host#[}
    host=${host%]}
    [[ $addr == *:* && -n $host && $port =~ ^[0-9]+$ ]] ||
        die "VIGIA_CLICKHOUSE_ADDR='$addr' is not host:port"
    pick_client
    ping_kind="native-protocol SELECT 1 via ${client[*]:-<none>}"
    ((${#client[@]})) || ping_kind="TCP connect (no clickhouse client installed)"
    if ! ch_ping "$host" "$port"; then
        die "VIGIA_CLICKHOUSE_ADDR=$addr does not answer ($ping_kind failed); unset it to start a local server"
    fi
    # The env file goes to the usual place so tools reading it see the
    # same server the caller chose.
    write_env_file "$state_parent/clickhouse" "$addr"
    log "using existing server at $addr"
    printf 'VIGIA_CLICKHOUSE_ADDR=%s\n' "$addr"
    exit 0
fi

# --- 2. state dir, lock, reuse -----------------------------------------------

mkdir -p "$state_parent/clickhouse"
# Absolute path: it ends up in the server config and in the server's command
# line, which stop.sh matches against.
state=$(cd "$state_parent/clickhouse" && pwd)
pid_file=$state/clickhouse.pid
ports_file=$state/clickhouse.ports
config=$state/config.xml

# Serialise start/stop on one state dir; two servers on one data dir would
# fight over ClickHouse's status-file lock.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$state/.lock"
    flock -w 120 9 || die "another start.sh/stop.sh holds $state/.lock"
fi

pid_alive() { # pid
    local pid=$1 st
    if [[ -r /proc/$pid/stat ]]; then
        # A zombie still passes kill -0 when nobody reaps the orphan (common
        # in containers without a real init), so look at the state letter.
        st=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
        [[ ${st:0:1} != Z ]]
    else
        kill -0 "$pid" 2>/dev/null
    fi
}

# Guards against pid reuse: only a ClickHouse started with *our* config counts.
is_our_server() { # pid
    local cmdline
    pid_alive "$1" || return 1
    [[ -r /proc/$1/cmdline ]] || return 0
    cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline")
    [[ $cmdline == *clickhouse* && $cmdline == *"$config"* ]]
}

read_ports() { # -> tcp_port http_port interserver_port
    tcp_port='' http_port='' interserver_port=''
    [[ -r $ports_file ]] || return 1
    read -r tcp_port http_port interserver_port <"$ports_file" || true
    [[ $tcp_port =~ ^[0-9]+$ && $http_port =~ ^[0-9]+$ && $interserver_port =~ ^[0-9]+$ ]]
}

print_err_log() {
    local f
    for f in "$state/log/clickhouse-server.err.log" "$state/log/stdout.log"; do
        [[ -s $f ]] || continue
        log "last 40 lines of $f:"
        tail -n 40 "$f" >&2
    done
}

# Polls until the server answers. Returns 0 ready, 1 timeout, 2 process died.
wait_ready() { # pid port
    local pid=$1 port=$2 deadline=$((SECONDS + START_TIMEOUT_S))
    while ((SECONDS < deadline)); do
        # TCP probe first: spawning the client is the slow part of polling.
        # Not in ch_ping itself: every bare connect to a live server logs a
        # "Client has not sent any data" warning.
        tcp_open 127.0.0.1 "$port" && ch_ping 127.0.0.1 "$port" && return 0
        pid_alive "$pid" || return 2
        sleep 0.2
    done
    ch_ping 127.0.0.1 "$port" && return 0
    return 1
}

finish() { # port
    write_env_file "$state" "127.0.0.1:$1"
    printf 'VIGIA_CLICKHOUSE_ADDR=127.0.0.1:%s\n' "$1"
    exit 0
}

# Decide the binary before pinging so the matching client is used.
server_cmd=()
server_flavour=''
find_server() {
    if command -v clickhouse >/dev/null 2>&1; then
        server_cmd=(clickhouse server)
        server_flavour='single'
    elif command -v clickhouse-server >/dev/null 2>&1; then
        server_cmd=(clickhouse-server)
        server_flavour='split'
    else
        return 1
    fi
}

if [[ -r $pid_file ]]; then
    old_pid=$(<"$pid_file")
    if [[ $old_pid =~ ^[0-9]+$ ]] && is_our_server "$old_pid"; then
        read_ports || die "server pid $old_pid runs but $ports_file is unreadable; run deploy/clickhouse/stop.sh and retry"
        find_server || true
        pick_client
        if ch_ping 127.0.0.1 "$tcp_port"; then
            log "reusing running server (pid $old_pid) in $state"
            finish "$tcp_port"
        fi
        # Alive but silent: it may still be loading tables after a restart.
        # Starting a second one on the same data dir cannot work, so wait.
        log "server pid $old_pid is running but not answering yet; waiting up to ${START_TIMEOUT_S}s"
        if wait_ready "$old_pid" "$tcp_port"; then
            log "reusing running server (pid $old_pid) in $state"
            finish "$tcp_port"
        fi
        print_err_log
        die "server pid $old_pid does not answer on 127.0.0.1:$tcp_port; run deploy/clickhouse/stop.sh and retry"
    fi
    log "removing stale pid file $pid_file"
    rm -f "$pid_file"
fi

# --- 3. server binary ----------------------------------------------------------

if ! find_server; then
    log "no clickhouse / clickhouse-server on PATH; installing Debian's clickhouse-server"
    command -v apt-get >/dev/null 2>&1 ||
        die "no ClickHouse found and no apt-get to install it; install ClickHouse or set VIGIA_CLICKHOUSE_ADDR"
    sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "need root or sudo to apt-get install clickhouse-server"
        sudo=(sudo)
    fi
    # Only refresh package lists when needed: apt-get update is slow and
    # needs network.
    if ! apt-cache policy clickhouse-server 2>/dev/null | grep -q 'Candidate: [^(]'; then
        "${sudo[@]}" apt-get update >&2
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y clickhouse-server clickhouse-client >&2
    # The package's binary lives in /usr/sbin, which a non-root PATH may lack.
    PATH=$PATH:/usr/sbin:/usr/bin
    find_server || die "clickhouse-server still not found after installing it"
fi
pick_client

# --- 4. ports ------------------------------------------------------------------

port_free() { # port
    ! tcp_open 127.0.0.1 "$1"
}

# Random ports below the kernel's ephemeral range, so we never collide with
# the source port of some outgoing connection.
random_port() {
    local lo=10000 hi=32767 eph_lo
    if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
        ((eph_lo > lo + 1000)); then
        hi=$((eph_lo - 1))
    fi
    echo $((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
}

pick_ports() {
    local p taken=' '
    local -a got=()
    while ((${#got[@]} < 3)); do
        p=$(random_port)
        [[ $taken == *" $p "* ]] && continue
        port_free "$p" || continue
        got+=("$p")
        taken+="$p "
    done
    tcp_port=${got[0]} http_port=${got[1]} interserver_port=${got[2]}
}

# --- 5. config -------------------------------------------------------------------

xml_escape() {
    local s=$1
    s=${s//&/&amp;}
    s=${s//</&lt;}
    s=${s//>/&gt;}
    printf '%s' "$s"
}

# Sets REPLY to the password of a vigia user: from the env var if set, else
# the one a previous start stored, else a new random one; stores it in
# $state/<name>.password (0600). Never printed.
user_password() { # name env_var
    local file=$state/$1.password pw=${!2:-} tmp
    if [[ -z $pw && -s $file ]]; then
        pw=$(<"$file")
    fi
    if [[ -z $pw ]]; then
        pw=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
        [[ ${#pw} == 48 ]] || die "could not generate a password for $1"
    fi
    [[ $pw != *[[:space:]]* ]] || die "$2 must not contain whitespace"
    tmp=$(mktemp "$state/.$1.password.XXXXXX") # mktemp creates it 0600
    printf '%s\n' "$pw" >"$tmp"
    mv -f "$tmp" "$file"
    REPLY=$pw
}

sha256_hex() { # string
    printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

write_config() {
    local st writer_sha analyst_sha
    st=$(xml_escape "$state")
    command -v sha256sum >/dev/null 2>&1 || die "sha256sum (coreutils) is needed for the users' password hashes"
    user_password writer VIGIA_CLICKHOUSE_WRITER_PASSWORD
    writer_sha=$(sha256_hex "$REPLY")
    user_password analyst VIGIA_CLICKHOUSE_ANALYST_PASSWORD
    analyst_sha=$(sha256_hex "$REPLY")
    REPLY=''
    mkdir -p "$state/data" "$state/tmp" "$state/user_files" \
        "$state/format_schemas" "$state/log"
    # <yandex> root: 18.16 requires it, newer releases still accept it.
    # No max_server_memory_usage: 18.16 silently ignores unknown server
    # keys, so it would only pretend to cap memory there.
    cat >"$config" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/clickhouse/start.sh on every fresh start; edits are lost. -->
<yandex>
    <logger>
        <level>warning</level>
        <log>$st/log/clickhouse-server.log</log>
        <errorlog>$st/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>3</count>
    </logger>

    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$tcp_port</tcp_port>
    <http_port>$http_port</http_port>
    <interserver_http_port>$interserver_port</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>

    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>

    <!-- Dev/test box: keep the caches small instead of the multi-GiB defaults. -->
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <mark_cache_size>268435456</mark_cache_size>

    <path>$st/data/</path>
    <tmp_path>$st/tmp/</tmp_path>
    <user_files_path>$st/user_files/</user_files_path>
    <format_schema_path>$st/format_schemas/</format_schema_path>

    <users_config>$st/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>

    <!-- Fixed zone so DateTime rendering does not depend on the host. -->
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
</yandex>
EOF
    # users.xml syntax of 18.16, which has no CREATE USER; newer releases
    # read it too (deploy/clickhouse/users.sql is the SQL way for them).
    cat >"$state/users.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by deploy/clickhouse/start.sh on every fresh start; edits are lost. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
        <!-- readonly=1: SELECT only; no INSERT, DDL or SET. -->
        <vigia_readonly>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
            <readonly>1</readonly>
        </vigia_readonly>
    </profiles>

    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <!-- The writer service: inserts (and migrations). 18.16 has no
             per-table grants; allow_databases would pin the databases, but
             tests use a fresh vigia_test_* database each. -->
        <vigia_writer>
            <password_sha256_hex>$writer_sha</password_sha256_hex>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </vigia_writer>
        <!-- Analysts and dashboards: read-only. -->
        <vigia_analyst>
            <password_sha256_hex>$analyst_sha</password_sha256_hex>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>vigia_readonly</profile>
            <quota>default</quota>
        </vigia_analyst>
    </users>

    <!-- The server refuses users whose quota is undefined; all zeros = unlimited. -->
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

# --- 6. start and wait ---------------------------------------------------------

for ((attempt = 1; attempt <= PORT_ATTEMPTS; attempt++)); do
    # Keep the previous ports when they are still free so the address stays
    # stable across restarts of the same state dir.
    if ! { ((attempt == 1)) && read_ports && port_free "$tcp_port" &&
        port_free "$http_port" && port_free "$interserver_port"; }; then
        pick_ports
    fi
    write_config

    err_log=$state/log/clickhouse-server.err.log
    out_log=$state/log/stdout.log
    # Byte offsets: only this attempt's output decides about a retry.
    err_off=0 out_off=0
    [[ -r $err_log ]] && err_off=$(wc -c <"$err_log")
    [[ -r $out_log ]] && out_off=$(wc -c <"$out_log")
    printf '\n=== %s start (%s) ===\n' "$(date -u +%FT%TZ)" "${server_cmd[*]}" >>"$out_log"

    log "starting ${server_cmd[*]} on 127.0.0.1:$tcp_port (http $http_port) in $state"
    # setsid: own session, so a Ctrl-C in the caller's terminal does not
    # reach the server. All fds redirected/closed: an inherited stdout pipe
    # would keep "start.sh | tail -1" from ever finishing, an inherited fd 9
    # would hold the state-dir lock for the server's whole life.
    # Being a background child of a non-interactive shell, we are never a
    # process-group leader, so setsid execs in place and $! is the server.
    (cd "$state" && exec setsid "${server_cmd[@]}" --config-file="$config" \
        </dev/null >>"$out_log" 2>&1 9>&-) &
    pid=$!
    printf '%s\n' "$pid" >"$pid_file"
    printf '%s %s %s\n' "$tcp_port" "$http_port" "$interserver_port" >"$ports_file"

    rc=0
    wait_ready "$pid" "$tcp_port" || rc=$?
    if ((rc == 0)); then
        log "server ready (pid $pid)"
        finish "$tcp_port"
    fi

    if ((rc == 2)); then
        rm -f "$pid_file"
        # Another process grabbed one of our ports between probe and bind:
        # pick new ones instead of failing.
        if { tail -c +"$((err_off + 1))" "$err_log" 2>/dev/null || true
            tail -c +"$((out_off + 1))" "$out_log" 2>/dev/null || true; } |
            grep -q 'Address already in use'; then
            log "port collision, retrying with other ports (attempt $attempt/$PORT_ATTEMPTS)"
            continue
        fi
        print_err_log
        die "server exited during startup"
    fi

    print_err_log
    die "server did not answer on 127.0.0.1:$tcp_port within ${START_TIMEOUT_S}s (pid $pid still running; stop it with deploy/clickhouse/stop.sh)"
done

print_err_log
die "could not find free ports after $PORT_ATTEMPTS attempts"
