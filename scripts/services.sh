# Start the services the tests need (sourced by scripts/test.sh): a PulseAudio daemon with a
# null sink "call" whose monitor is the default source, for live-capture tests.
if command -v pulseaudio >/dev/null 2>&1; then
    if ! pactl info >/dev/null 2>&1; then
        pulseaudio -D --exit-idle-time=-1 --system=false --disallow-exit 2>/dev/null \
            || pulseaudio -D --exit-idle-time=-1 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do pactl info >/dev/null 2>&1 && break; sleep 0.3; done
    fi
    if pactl info >/dev/null 2>&1 && ! pactl list short sinks | grep -q '\bcall\b'; then
        pactl load-module module-null-sink sink_name=call >/dev/null || true
        pactl set-default-source call.monitor >/dev/null 2>&1 || true
    fi
fi
