# Start the services the tests need (sourced by scripts/test.sh; `bash scripts/services.sh` works
# too): a PulseAudio daemon with a null sink "call" whose monitor is the default source, for the
# live-capture tests. Never fails: without PulseAudio the live tests skip and say why.
# - As root (CI containers) PulseAudio runs in per-user mode with a warning; --system is tried
#   when that fails.
# - A daemon started here loads only what the tests need (-n: no default.pa): no udev hardware
#   and no module-always-sink, so unloading "call" really removes the device instead of PulseAudio
#   moving the capture stream to a dummy fallback.
# - A daemon that is already running (a desktop session) is used as it is; only "call" is added.
va_services() {
    command -v pulseaudio >/dev/null 2>&1 || { echo "services: pulseaudio not installed" >&2; return 0; }
    command -v pactl >/dev/null 2>&1 || { echo "services: pactl not installed" >&2; return 0; }
    if ! pactl info >/dev/null 2>&1; then
        local common=(--daemonize=yes --exit-idle-time=-1 --disallow-exit -n
                      --load=module-native-protocol-unix)
        pulseaudio "${common[@]}" >/dev/null 2>&1 \
            || pulseaudio --system "${common[@]}" >/dev/null 2>&1 \
            || true
        local _i
        for _i in $(seq 1 30); do pactl info >/dev/null 2>&1 && break; sleep 0.2; done
    fi
    if ! pactl info >/dev/null 2>&1; then
        echo "services: could not start PulseAudio (pactl info fails); live tests will skip" >&2
        return 0
    fi
    if ! pactl list short sinks 2>/dev/null | cut -f2 | grep -qx call; then
        pactl load-module module-null-sink sink_name=call channels=2 \
            sink_properties=device.description=call >/dev/null 2>&1 || true
    fi
    pactl set-default-sink call >/dev/null 2>&1 || true
    pactl set-default-source call.monitor >/dev/null 2>&1 || true
    return 0
}
va_services
unset -f va_services
