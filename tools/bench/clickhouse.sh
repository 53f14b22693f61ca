#!/usr/bin/env bash
# tools/bench/clickhouse.sh -- a throwaway ClickHouse server on loopback, for
# benchmarks that compare gputick with it in the same run.
#
#   clickhouse.sh start DIR      start a server with its data in DIR; prints its TCP port
#   clickhouse.sh client DIR ... run clickhouse-client against it (args passed on)
#   clickhouse.sh stop DIR       stop it and delete DIR
#
# Debian's clickhouse-server, listening on 127.0.0.1 only, on free ports, with
# its own config, data and logs under DIR; nothing system-wide is touched.
set -euo pipefail
cmd=${1:?usage: clickhouse.sh start|client|stop DIR}
dir=${2:?usage: clickhouse.sh start|client|stop DIR}
shift 2

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    command -v clickhouse-server >/dev/null || PATH=$PATH:/usr/sbin
    if ! command -v clickhouse-server >/dev/null; then
        echo "clickhouse.sh: clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client)" >&2
        exit 1
    fi
    mkdir -p "$dir"/{data,tmp,user_files,format_schemas,log}
    tcp=$(free_port)
    http=$(free_port)
    cat >"$dir/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$tcp</tcp_port>
  <http_port>$http</http_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>1073741824</mark_cache_size>
  <timezone>UTC</timezone>
</yandex>
XML
    echo "$tcp" >"$dir/port"
    clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
        if clickhouse-client --host 127.0.0.1 --port "$tcp" -q 'SELECT 1' >/dev/null 2>&1; then
            echo "$tcp"
            exit 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
        sleep 0.2
    done
    echo "clickhouse.sh: server did not start; see $dir/log" >&2
    tail -5 "$dir/log/stdout" "$dir/log/err.log" >&2 2>/dev/null || true
    exit 1
    ;;
client)
    exec clickhouse-client --host 127.0.0.1 --port "$(cat "$dir/port")" "$@"
    ;;
stop)
    if [ -f "$dir/pid" ]; then
        pid=$(cat "$dir/pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: clickhouse.sh start|client|stop DIR" >&2
    exit 2
    ;;
esac
