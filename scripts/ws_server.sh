#!/bin/sh
# The ws process of config/supervisord.conf: WS_SERVER picks the server of config.asgi on BIND_HOST:WS_PORT.
#   uvicorn (default): two processes, each fanning broadcasts out to its own sockets; 1.8x daphne's
#                      broadcast rate here (bench/realtime.py --server uvicorn|daphne).
#   daphne:            Channels' own server (Twisted), one process.
# Both ping idle sockets every 20 s, close them 30 s after an unanswered ping, refuse messages over 64 KiB
# (clients only send small JSON actions) and write no access log (the platform logs what matters).
set -eu
case "${WS_SERVER:-uvicorn}" in
uvicorn)
    exec uvicorn config.asgi:application --host "$BIND_HOST" --port "$WS_PORT" --workers 2 \
        --ws-ping-interval 20 --ws-ping-timeout 30 --ws-max-size 65536 --no-access-log
    ;;
daphne)
    exec daphne --bind "$BIND_HOST" --port "$WS_PORT" \
        --ping-interval 20 --ping-timeout 30 --websocket-max-message-size 65536 --verbosity 0 \
        config.asgi:application
    ;;
*)
    echo "WS_SERVER must be uvicorn or daphne, not '$WS_SERVER'" >&2
    exit 2
    ;;
esac
