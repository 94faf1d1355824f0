#!/usr/bin/env bash
# Set up voice-assist on a fresh machine: system packages (as root), a venv in .venv, the package.
#   scripts/setup.sh          runtime only (what `voice-assist demo` needs)
#   scripts/setup.sh --test   also what the test suite needs (engines' models, voices, browser)
# Idempotent and quick when nothing changed (a stamp in .venv remembers what was installed).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=runtime
[ "${1:-}" = "--test" ] && mode=test

apt_runtime=(libportaudio2)
apt_test=(libportaudio2 pulseaudio pulseaudio-utils chromium espeak-ng sox libsox-fmt-all pocketsphinx-testdata)

need_apt=()
pkgs=("${apt_runtime[@]}")
[ "$mode" = test ] && pkgs=("${apt_test[@]}")
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${need_apt[*]}"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$python" -m venv .venv
fi

extras="web"
[ "$mode" = test ] && extras="dev"
stamp=".venv/.setup-$extras-$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "setup: installing voice-assist[$extras] into .venv (a few minutes the first time)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]" 2>&1 \
        | grep -v "^WARNING: Location" || true
    .venv/bin/python -c "import voice_assist" # fail loudly if the install did not take
    rm -f .venv/.setup-*
    touch "$stamp"
fi
