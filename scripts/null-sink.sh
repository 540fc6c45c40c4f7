#!/usr/bin/env bash
# Start a PulseAudio server whose default output is a null sink and whose default input is that
# sink's monitor: whatever is played is what the "microphone" hears. For tests and headless use.
set -euo pipefail
if ! pactl info >/dev/null 2>&1; then
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
    --load="module-null-sink sink_name=vmic" --load=module-native-protocol-unix 2>/dev/null || true
  for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
if ! pactl list short sinks | grep -q vmic; then
  pactl load-module module-null-sink sink_name=vmic >/dev/null
fi
pactl set-default-sink vmic
pactl set-default-source vmic.monitor
pactl info | grep -E "^Default (Sink|Source)"
