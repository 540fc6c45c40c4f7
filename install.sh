#!/usr/bin/env bash
# Set up rehearse on Debian/Ubuntu: system packages, a virtualenv in .venv, the project with its
# test tools, and the Whisper base model. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_PACKAGES=(python3-venv python3-dev libportaudio2 libsndfile1 espeak-ng ffmpeg sox
              pulseaudio pulseaudio-utils libasound2-plugins chromium fonts-nanum)

echo "==> System packages: ${APT_PACKAGES[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${APT_PACKAGES[@]}"

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> Virtualenv .venv ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
# PyTorch first, pinned: left to openai-whisper's resolution, pip picks a multi-GB CUDA build.
# CPU-only machines can take PyTorch's CPU index instead: TORCH_INDEX=https://download.pytorch.org/whl/cpu
echo "==> PyTorch"
if [ -n "${TORCH_INDEX:-}" ]; then
  .venv/bin/pip install -q --index-url "$TORCH_INDEX" torch
else
  .venv/bin/pip install -q "torch==2.13.0"
fi
echo "==> rehearse, its test tools and the optional faster-whisper engine"
.venv/bin/pip install -q -e ".[test,fast]"
echo "==> Whisper base model"
.venv/bin/rehearse models install base
echo "==> Ready: .venv/bin/rehearse --help; .venv/bin/rehearse doctor checks the microphone, speakers and voices"
