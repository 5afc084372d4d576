"""The one way Wise talks to a language model: checks, retries, fallbacks, and a record.

``Gateway.complete(purpose, messages)`` does, in order:

1. Checks that cost nothing: a model is set (``no_model``) and well-formed, its key can be
   found (``no_key``, ``no_keyring``; local models need none), and the monthly budget
   (``over_budget``): what this calendar month's calls cost (local time, from
   ``llm_calls``) plus this call's estimate (``app.llm.pricing``, with the reply at its
   longest) must stay within ``llm.monthly_budget_usd``. Local models are never
   stopped; a cloud model whose price is unknown is stopped once the month's spending
   has reached the budget (so a budget of 0 allows no paid calls at all). These checks
   run before the worker process is even started.
2. Calls the model in the worker process shared by all of this user's Wise processes
   (``app.llm.shared_worker``; a private one, ``app.llm.worker_client``, when it cannot), with
   ``llm.timeout`` for the whole reply and ``llm.stall_timeout`` between streamed chunks.
3. Retries what may pass (rate limits, server errors, timeouts, stalls, unreachable, a
   worker that died) up to ``llm.max_retries`` times, waiting with exponential back-off
   and jitter (1 s, 2 s, 4 s... at most 30 s; each wait between half and all of that), or
   exactly what the provider's Retry-After asks when it asks for at most 60 s. A longer
   Retry-After is not waited for: the next model is tried at once.
   A structured call (``json_schema``) asks for the reply's shape in the form the server
   is known to accept (``app.llm.model_memory``). While that is not known yet, an HTTP
   error on a structured attempt is taken as the server refusing that form: the next
   form is tried at once (not counted as a retry) and the refusal remembered, so the user
   never sees it. Once a form has worked for a model, it is not given up on.
4. Then tries the fallback models (``llm.fallbacks``) in order, when the main model failed
   in a retryable way or refused the key (``auth``) or does not exist (``not_found``).
   Each fallback is checked (key, budget) like the main model; one that fails its checks
   is skipped. When everything failed, the main model's error is raised (it is the one
   the user can fix), with the fallbacks' outcomes added to its message.

Streaming and retries: once a delta has been handed to ``on_delta`` the caller has shown
text, and a second attempt would show a different reply after it. So an attempt that
fails after delivering text is neither retried nor failed over: its error is raised and
the caller decides (keep the partial text, offer "try again"). Before the first delta,
retries and fallbacks are invisible to the caller.

``cancel`` (a threading.Event) stops the reply in flight (the attempt is recorded as
``cancelled``) and any back-off wait; ``ModelError("cancelled")`` is raised.

Every attempt is recorded in ``llm_calls`` (one short write transaction each) with its
model, purpose, prompt, tokens, cost, latency, first-token time, status and error kind;
error messages are redacted and never hold a key or any message text. One log line per
attempt says the same, without content.

Threading: ``complete`` blocks (network, keyring): call it off the GUI thread. One Gateway
may serve several threads; the shared worker serves several requests at once, a private
one (the fallback) one at a time.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.llm import keys, providers
from app.llm.pricing import estimate_call
from app.llm.redact import redact
from app.llm.types import CallResult, ModelCall, ModelError

if TYPE_CHECKING:
    from app.journal import Context
    from app.llm.model_memory import ModelMemory
    from app.llm.shared_worker import PreferShared
    from app.llm.worker_client import ModelWorker
    from app.settings.store import Settings
    from storage.db import JournalFile

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 30.0
RETRY_AFTER_CAP_S = 60.0
_FAIL_OVER = {"auth", "not_found"}  # besides the retryable kinds
_TOO_LONG = re.compile(r"context|too long|exceed|maximum.*tokens", re.IGNORECASE)
LOCAL_PLACEHOLDER_KEY = "no-key-needed"  # sent to a local server when no key is stored

NO_MODEL_MESSAGE = (
    "No language model is set; Wise works without one. To connect one, choose it with "
    "`wise config set llm.model MODEL`, for example:\n"
    "  wise config set llm.model ollama_chat/llama3.2   (local and free; needs Ollama "
    "running)\n"
    "  wise config set llm.model openai/gpt-4o-mini     (then `wise key set openai`)\n"
    "  wise config set llm.model anthropic/claude-haiku-4-5   "
    "(then `wise key set anthropic`)\n"
    "For a local OpenAI-compatible server, also set llm.api_base "
    "(e.g. http://127.0.0.1:8080/v1).")


@dataclass(frozen=True)
class Target:
    """One model to try, with the server it lives on."""

    model: str
    api_base: str | None
    main: bool = False

    @property
    def provider(self) -> str | None:
        return providers.provider_of(self.model)

    @property
    def local(self) -> bool:
        return providers.is_local(self.model, self.api_base)


@dataclass
class _Progress:
    """What one complete() call has done so far."""

    attempts: list[str] = field(default_factory=list)
    delivered: bool = False  # a delta reached the caller's on_delta


class Gateway:
    def __init__(self, context: Context, journal: JournalFile, *,
                 worker: ModelWorker | None = None) -> None:
        self._context = context
        self._journal = journal
        self._worker: ModelWorker | PreferShared | None = worker
        self._owns_worker = worker is None
        self._lock = threading.Lock()
        self._memory: ModelMemory | None = None
        from app.logs import log_to_file_unless_configured

        log_to_file_unless_configured(context.paths.logs_dir)

    # -- configuration ------------------------------------------------------------------

    @property
    def context(self) -> Context:
        return self._context

    @property
    def _settings(self) -> Settings:  # read at each call: the tray may reload settings
        return self._context.settings

    @property
    def configured(self) -> bool:
        return bool(self._settings.get("llm.model").strip())

    def targets(self) -> list[Target]:
        """The main model, then the fallbacks, as configured (no checks)."""
        model = self._settings.get("llm.model").strip()
        api_base = self._settings.get("llm.api_base").strip() or None
        result = [Target(model, api_base, main=True)] if model else []
        main_provider = providers.provider_of(model) if model else None
        for fallback, own_base in providers.parse_fallbacks(self._settings.get("llm.fallbacks")):
            base = own_base
            # A local fallback of the same local provider shares the main model's server
            # (another model on the same Ollama); any other fallback uses its provider's
            # default address unless its entry names one.
            if (base is None and api_base and main_provider in providers.LOCAL_PROVIDERS
                    and providers.provider_of(fallback) == main_provider):
                base = api_base
            result.append(Target(fallback, base))
        return result

    def settings_problem(self) -> str | None:
        return settings_problem(self._settings)

    @property
    def memory(self) -> ModelMemory:
        """What Wise has learned about each model (structured output, context, the gate)."""
        if self._memory is None:
            from app.llm.model_memory import ModelMemory

            self._memory = ModelMemory(self._context.paths.data_dir)
        return self._memory

    # -- the worker ---------------------------------------------------------------------

    def _get_worker(self) -> ModelWorker | PreferShared:
        """The shared worker of all Wise processes (app.llm.shared_worker), falling back
        to a private one; a private one only where sharing is off or impossible."""
        with self._lock:
            if self._worker is None:
                from app.llm.shared_worker import PreferShared, SharedWorker, shared_enabled
                from app.llm.worker_client import ModelWorker

                idle_s = self._settings.get("llm.worker_idle_minutes") * 60.0
                if shared_enabled():
                    self._worker = PreferShared(
                        SharedWorker(self._context.paths.data_dir, idle_exit_s=idle_s),
                        idle_exit_s=idle_s)
                else:
                    self._worker = ModelWorker(idle_exit_s=idle_s)
                self._owns_worker = True
            return self._worker

    def close(self) -> None:
        """Stop the worker process this gateway started (a worker passed in is left)."""
        with self._lock:
            worker = self._worker if self._owns_worker else None
            if self._owns_worker:
                self._worker = None
        if worker is not None:
            worker.stop()

    # -- the call -----------------------------------------------------------------------

    def complete(self, purpose: str, messages: list[dict], *, prompt_name: str | None = None,
                 prompt_version: str | None = None, json_schema: dict | None = None,
                 on_delta: Callable[[str], None] | None = None,
                 cancel: threading.Event | None = None,
                 max_tokens: int | None = None) -> CallResult:
        """The model's reply to ``messages``; raises ModelError (see the module doc).

        ``max_tokens`` overrides ``llm.max_output_tokens`` (e.g. a tiny test call)."""
        settings = self._settings
        if not self.configured:
            raise ModelError("no_model", NO_MODEL_MESSAGE)
        problem = self.settings_problem()
        if problem:
            raise ModelError("bad_request", f"The model settings cannot work: {problem}.")
        max_tokens = max_tokens or settings.get("llm.max_output_tokens")
        targets = self.targets()
        # The main model's checks fail the call outright: the user has something to fix.
        first_call = self._prepare(targets[0], messages, json_schema, max_tokens)

        progress = _Progress()
        main_error: ModelError | None = None
        notes: list[str] = []
        for index, target in enumerate(targets):
            if index == 0:
                call = first_call
            else:
                try:
                    call = self._prepare(target, messages, json_schema, max_tokens)
                except ModelError as exc:
                    log.info("fallback %s skipped: %s", target.model, exc.kind)
                    notes.append(f"{target.model}: {exc.kind.replace('_', ' ')}")
                    continue
            try:
                result = self._with_retries(call, target, purpose, prompt_name, prompt_version,
                                            on_delta, cancel, progress)
            except ModelError as exc:
                if exc.kind == "cancelled" or progress.delivered:
                    raise
                if main_error is None:
                    main_error = exc
                else:
                    notes.append(f"{target.model}: {exc.kind.replace('_', ' ')}")
                if not (exc.retryable or exc.kind in _FAIL_OVER):
                    break
                continue
            if not target.main:
                log.info("answered by fallback %s after %s failed", target.model,
                         targets[0].model)
            return replace(result, attempts=list(progress.attempts))
        assert main_error is not None
        if notes:
            raise ModelError(main_error.kind,
                             f"{main_error} (fallbacks also failed: {'; '.join(notes)})",
                             retry_after=main_error.retry_after)
        raise main_error

    # -- before a call ------------------------------------------------------------------

    def _prepare(self, target: Target, messages: list[dict], json_schema: dict | None,
                 max_tokens: int) -> ModelCall:
        """Key and budget checks for one model -> the request, or ModelError."""
        settings = self._settings
        problem = (providers.model_problem(target.model)
                   or (providers.api_base_problem(target.api_base) if target.api_base
                       else None))
        if problem:
            raise ModelError("bad_request", problem)
        api_key = self._key_for(target)
        self._check_budget(target, messages, max_tokens)
        mode = "prompt_only"
        if json_schema is not None:
            mode = self.memory.facts(target.model, target.api_base).next_mode(
                structured_modes(target))
        return ModelCall(model=target.model, messages=messages, api_base=target.api_base,
                         api_key=api_key, timeout=float(settings.get("llm.timeout")),
                         temperature=float(settings.get("llm.temperature")),
                         max_tokens=int(max_tokens), json_schema=json_schema,
                         structured_mode=mode)

    def _key_for(self, target: Target) -> str | None:
        provider = target.provider
        required = providers.needs_key(target.model, target.api_base)
        if provider is None:
            return None
        try:
            key = keys.get_key(provider)
        except ModelError:
            if required:
                raise
            key = None  # a local model does not need the keyring that is missing
        if not required and not key:
            # OpenAI-compatible clients refuse to start without some key, and a local
            # server that checks none ignores it; Ollama needs nothing.
            return None if provider == "ollama" or not target.local else LOCAL_PLACEHOLDER_KEY
        if required and not key:
            variable = providers.env_vars(provider)[0]
            raise ModelError("no_key", (
                f"{target.model} needs an API key for {provider}, and Wise has none. Run "
                f"`wise key set {provider}` (it asks for the key and keeps it in your "
                f"system's keyring) or set {variable} in Wise's environment."))
        return key

    def _check_budget(self, target: Target, messages: list[dict], max_tokens: int) -> None:
        if target.local:
            return
        estimate = estimate_call(target.model, target.api_base, messages, max_tokens).cost_usd
        if estimate == 0.0:
            return  # a model the price list says is free
        from app.daytime import local_now
        from app.llm.usage import month_cost

        budget = float(self._settings.get("llm.monthly_budget_usd"))
        spent = month_cost(self._journal, local_now().date())
        if spent >= budget or spent + (estimate or 0.0) > budget:
            about = (f" and this call may cost up to ${estimate:.4f}" if estimate
                     else f" and the cost of {target.model} is unknown")
            raise ModelError("over_budget", (
                f"Over budget: this month's model calls cost ${spent:.2f} of your "
                f"${budget:.2f} budget{about}. Raise the budget (`wise config set "
                "llm.monthly_budget_usd 10`), wait for next month, or use a local model "
                "(e.g. ollama_chat/llama3.2), which costs nothing."))

    # -- calling, with retries ----------------------------------------------------------

    def _with_retries(self, call: ModelCall, target: Target, purpose: str,
                      prompt_name: str | None, prompt_version: str | None,
                      on_delta: Callable[[str], None] | None, cancel: threading.Event | None,
                      progress: _Progress) -> CallResult:
        retries = int(self._settings.get("llm.max_retries"))
        retry = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise ModelError("cancelled", "the model call was cancelled")
            probing = (call.json_schema is not None and call.structured_mode != "prompt_only"
                       and self.memory.facts(target.model, target.api_base).structured
                       != call.structured_mode)
            try:
                result = self._attempt(call, target, purpose, prompt_name, prompt_version,
                                       on_delta, cancel, progress, quiet=probing)
            except ModelError as exc:
                downgraded = self._refused_form(call, target, exc, progress)
                if downgraded is not None:
                    call = downgraded
                    continue
                if exc.kind == "cancelled" or not exc.retryable or progress.delivered:
                    raise
                if retry >= retries:
                    raise
                delay = backoff_delay(retry, exc.retry_after)
                if delay is None:
                    log.info("%s asks to wait %.0f s; not waiting", target.model,
                             exc.retry_after or 0)
                    raise
                retry += 1
                log.info("retrying %s in %.1f s (retry %d of %d)", target.model, delay,
                         retry, retries)
                if cancel is not None:
                    if cancel.wait(delay):
                        raise ModelError("cancelled", "the model call was cancelled") from None
                else:
                    time.sleep(delay)
                continue
            if probing:
                self.memory.update(target.model, target.api_base,
                                   structured=call.structured_mode)
            return result

    def _refused_form(self, call: ModelCall, target: Target, exc: ModelError,
                      progress: _Progress) -> ModelCall | None:
        """The call again in the next structured form, when the server seems to refuse
        this one (see the module doc); else None."""
        if (call.json_schema is None or call.structured_mode == "prompt_only"
                or exc.kind not in ("bad_request", "server") or progress.delivered
                or _TOO_LONG.search(str(exc))):  # a request too long is not a form refused
            return None
        facts = self.memory.facts(target.model, target.api_base)
        if facts.structured == call.structured_mode:
            return None  # it worked before: this error is about something else
        refused = (*facts.refused_modes, call.structured_mode)
        self.memory.update(target.model, target.api_base, refused_modes=refused)
        mode = replace(facts, refused_modes=refused).next_mode(structured_modes(target))
        log.info("%s refused structured output as %s (%s); asking as %s", target.model,
                 call.structured_mode, exc.kind, mode)
        return replace(call, structured_mode=mode)

    def _attempt(self, call: ModelCall, target: Target, purpose: str,
                 prompt_name: str | None, prompt_version: str | None,
                 on_delta: Callable[[str], None] | None, cancel: threading.Event | None,
                 progress: _Progress, *, quiet: bool = False) -> CallResult:
        """One request. `quiet`: an error is logged at info level (a structured form the
        server may refuse is being tried; the refusal is expected and handled)."""
        worker = self._get_worker()
        progress.attempts.append(call.model)
        started = time.monotonic()
        first: list[float] = []

        def delta(text: str) -> None:
            if not first:
                first.append(time.monotonic() - started)
            if on_delta is not None:
                progress.delivered = True
                on_delta(text)

        try:
            result = worker.call(call, stall_timeout_s=float(self._settings.get(
                "llm.stall_timeout")), on_delta=delta, cancel=cancel)
        except ModelError as exc:
            elapsed = time.monotonic() - started
            status = "cancelled" if exc.kind == "cancelled" else "error"
            self._record(purpose, call.model, prompt_name, prompt_version, status=status,
                         latency_s=elapsed, first_token_s=first[0] if first else None,
                         error_kind=exc.kind, error=str(exc), quiet=quiet)
            return self._raise(exc, target)
        except BaseException as exc:  # on_delta raised, or Ctrl+C: recorded, then re-raised
            interrupted = isinstance(exc, KeyboardInterrupt)
            self._record(purpose, call.model, prompt_name, prompt_version,
                         status="cancelled" if interrupted else "error",
                         latency_s=time.monotonic() - started,
                         first_token_s=first[0] if first else None,
                         error_kind="cancelled" if interrupted else "other",
                         error=f"{type(exc).__name__} in the caller" if not interrupted
                         else "interrupted")
            raise
        cost = 0.0 if target.local else float(result.cost_usd or 0.0)
        result = replace(result, cost_usd=cost)
        self._record(purpose, call.model, prompt_name, prompt_version, status="ok",
                     latency_s=result.latency_s,
                     first_token_s=(result.first_token_s if result.first_token_s is not None
                                    else (first[0] if first else None)),
                     input_tokens=result.input_tokens, output_tokens=result.output_tokens,
                     cost_usd=cost)
        return result

    @staticmethod
    def _raise(exc: ModelError, target: Target) -> CallResult:
        """Re-raise with a hint a person can act on (and never a key)."""
        hint = ""
        provider = target.provider or "the provider"
        if exc.kind == "auth":
            if target.local:
                hint = " The server at the api_base refused the key Wise sent."
            else:
                hint = (f" Check the key: `wise key set {provider}` replaces it "
                        f"(`wise key status` shows where it comes from).")
        elif exc.kind == "unreachable":
            where = target.api_base or f"{provider}'s default address"
            shown = target.api_base and urlsplit(target.api_base).netloc in str(exc)
            tried = "" if shown else f"tried {where}; "
            hint = f" ({tried}is the server running and the address right?)"
        elif exc.kind == "not_found":
            hint = (f" Check the model name {target.model!r} (`wise config set llm.model ...`)"
                    " and that your account may use it.")
        message = redact(f"{target.model}: {exc}{hint}")
        raise ModelError(exc.kind, message, retry_after=exc.retry_after) from exc

    # -- the record ---------------------------------------------------------------------

    def _record(self, purpose: str, model: str, prompt_name: str | None,
                prompt_version: str | None, *, status: str, latency_s: float,
                first_token_s: float | None, input_tokens: int = 0, output_tokens: int = 0,
                cost_usd: float = 0.0, error_kind: str | None = None,
                error: str | None = None, quiet: bool = False) -> None:
        from storage.repo.usage import CallRecord, record_call

        error = redact(error)[:2000] if error else None
        latency_ms = round(latency_s * 1000)
        first_ms = None if first_token_s is None else round(first_token_s * 1000)
        if status == "ok":
            log.info("model call ok: purpose=%s model=%s latency=%d ms first=%s ms "
                     "tokens=%d+%d cost=$%.6f", purpose, model, latency_ms, first_ms,
                     input_tokens, output_tokens, cost_usd)
        elif status == "cancelled":
            log.info("model call cancelled: purpose=%s model=%s after %d ms", purpose, model,
                     latency_ms)
        else:
            log.log(logging.INFO if quiet else logging.WARNING,
                    "model call failed: purpose=%s model=%s kind=%s after %d ms: %s",
                    purpose, model, error_kind, latency_ms, error)
        try:
            record_call(self._journal.db_path, CallRecord(
                purpose, model, prompt_name, prompt_version, status, latency_ms, first_ms,
                int(input_tokens), int(output_tokens), float(cost_usd), error_kind, error))
        except Exception:  # the reply matters more than its record
            log.exception("could not record a model call in llm_calls")


def structured_modes(target: Target) -> tuple[str, ...]:
    """The forms of structured output worth trying with this model, best first."""
    if target.provider in ("ollama", "ollama_chat"):
        return ("json_schema", "prompt_only")  # litellm turns json_schema into `format`
    if target.api_base:  # an OpenAI-compatible server of unknown habits
        return ("json_schema", "json_object", "prompt_only")
    return ("json_schema", "prompt_only")


def settings_problem(settings: Settings) -> str | None:
    """Why the llm.* settings cannot work as written, or None."""
    return (providers.model_problem(settings.get("llm.model"))
            or providers.api_base_problem(settings.get("llm.api_base"))
            or providers.fallback_problem(settings.get("llm.fallbacks")))


def backoff_delay(retry: int, retry_after: float | None = None) -> float | None:
    """Seconds to wait before retry number ``retry + 1``; None: do not wait (fail over).

    The provider's Retry-After is honoured up to RETRY_AFTER_CAP_S; otherwise exponential
    back-off with "equal jitter": between half and all of min(cap, base * 2**retry)."""
    if retry_after is not None:
        if retry_after > RETRY_AFTER_CAP_S:
            return None
        return max(0.0, retry_after)
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** retry))
    return ceiling / 2 + random.uniform(0, ceiling / 2)
