"""Vosk (Kaldi) engine: streaming partials and finals with word times, per-step grammar biasing.

Design of the biased mode (a vocabulary is set): a *grammar recognizer* decodes with a small
language model built from the step's phrases plus garbage words (the model's unknown-word token
and, where it has no pronunciation, short filler words), so speech outside the phrases lands on
garbage instead of being forced into a phrase. Garbage is dropped from the text. Alongside it, when
`free_transcript` is on, the *free recognizer* decodes the same audio with the model's full
language model; its words go into `Final.free_text` (QC and display), at the cost of a second
decode. The grammar recognizer drives endpointing. Vocabulary changes take effect only at an
utterance boundary and always by creating a fresh recognizer (never `SetGrammar` on a running one:
that aborts the process), which also bounds Kaldi's memory growth.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError, ModelError
from ..events import SAMPLE_RATE_HZ, AudioChunk, Final, Partial, Word

UNK_TOKENS = ("[unk]", "<UNK>", "<unk>")
FILLERS: dict[str, tuple[str, ...]] = {
    "ko": ("이", "가", "저", "그", "다", "하", "나", "아", "오", "의"),
}
"""Short frequent words used as a garbage path where the unknown token has no pronunciation."""
PHRASE_WEIGHT = 12
"""Each phrase is counted this many times in the grammar LM, garbage words once (measured: with
fewer, fillers eat true phrases; with more, off-grammar speech is forced into phrases)."""
RECREATE_EVERY = 50
"""Utterances after which a recognizer is rebuilt at a boundary (Kaldi's memory creeps up)."""

_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()
_KEEP = object()


def _vosk() -> Any:
    try:
        import vosk
    except ImportError:
        raise EngineError("the Vosk engine needs the 'vosk' package: pip install vosk") from None
    vosk.SetLogLevel(-1)
    return vosk


def deterministic_dir(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """A symlinked overlay of `model_dir` whose conf/mfcc.conf turns dither off.

    Kaldi dithers MFCC input with random noise by default, so two runs differ slightly; the
    installed model is never edited, the overlay lives in the user's cache. Without any dither,
    digital silence (exact zeros) never looks like silence to the endpointer, so the recognizer
    adds the same noise itself from a seeded generator (`_Dither`).
    """
    mfcc = model_dir / "conf" / "mfcc.conf"
    if not mfcc.is_file():
        return model_dir
    lines = [ln for ln in mfcc.read_text().splitlines() if not ln.strip().startswith("--dither")]
    lines.append("--dither=0")
    text = "\n".join(lines) + "\n"
    root = (
        cache_dir
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "voice-assist"
        / "vosk-overlay"
    )
    key = hashlib.sha1(f"{model_dir.resolve()}\n{text}".encode()).hexdigest()[:12]
    target = root / f"{model_dir.name}-{key}"
    if (target / "conf" / "mfcc.conf").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".overlay-", dir=root))
    try:
        for entry in model_dir.resolve().iterdir():
            if entry.name != "conf":
                (tmp / entry.name).symlink_to(entry)
        (tmp / "conf").mkdir()
        for entry in (model_dir / "conf").resolve().iterdir():
            if entry.name != "mfcc.conf":
                (tmp / "conf" / entry.name).symlink_to(entry)
        (tmp / "conf" / "mfcc.conf").write_text(text)
        try:
            tmp.rename(target)
        except OSError:  # another process won the race: use theirs
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(
            f"{model_dir}: cannot build the dither-off overlay in {root}: {exc}"
        ) from None
    return target


def load_model(model_dir: Path) -> Any:
    """The `vosk.Model` of a directory, loaded once per process and shared (it is read-only)."""
    vosk = _vosk()
    key = str(model_dir.resolve())
    with _MODELS_LOCK:
        if key not in _MODELS:
            if not model_dir.is_dir():
                raise ModelError(f"{model_dir}: Vosk model directory not found")
            try:
                _MODELS[key] = vosk.Model(str(model_dir))
            except Exception as exc:
                raise ModelError(f"{model_dir}: Vosk cannot load this model: {exc}") from None
        return _MODELS[key]


def normalise_phrase(phrase: str) -> list[str]:
    """Lower-case words of a phrase, punctuation removed (Vosk vocabularies are lower-case)."""
    return re.findall(r"[\w'-]+", phrase.lower())


class _Dither:
    """Kaldi's dither (Gaussian, 1 LSB) from a seeded generator: same input, same output."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = np.random.default_rng(seed)

    def __call__(self, pcm: bytes) -> bytes:
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
        noise = np.rint(self._rng.standard_normal(samples.size)).astype(np.int32)
        out: bytes = np.clip(samples + noise, -32768, 32767).astype("<i2").tobytes()
        return out


class VoskRecognizer:
    """A streaming Vosk recognizer over 16 kHz mono int16 chunks (see the module doc for modes)."""

    name = "vosk"

    def __init__(
        self,
        model_dir: str | Path,
        *,
        language: str = "",
        deterministic: bool = True,
        free_transcript: bool = True,
        recreate_every: int = RECREATE_EVERY,
        phrase_weight: int = PHRASE_WEIGHT,
    ) -> None:
        self._vosk = _vosk()
        self.model_dir = Path(model_dir)
        self.language = language
        path = deterministic_dir(self.model_dir) if deterministic else self.model_dir
        self._model = load_model(path)
        self._dither = _Dither() if deterministic else None
        self.free_transcript = free_transcript
        self.recreate_every = max(1, recreate_every)
        self.phrase_weight = max(1, phrase_weight)
        self.supports_grammar = any(
            (self.model_dir / g).is_file() for g in ("graph/HCLr.fst", "HCLr.fst")
        )
        """Only models with a lookahead graph (HCLr.fst + Gr.fst) take runtime grammars; on big
        static-graph models (HCLG.fst) a vocabulary is ignored and decoding stays free."""
        self.unk_token = next((t for t in UNK_TOKENS if self._known(t)), None)
        self.garbage = tuple(
            w
            for w in (*([self.unk_token] if self.unk_token else []), *FILLERS.get(language, ()))
            if self._known(w)
        )
        self.vocabulary: tuple[str, ...] | None = None
        self.grammar: str | None = None
        self._pending: object = _KEEP
        self._samples = 0
        self._utterances = 0
        self._free = self._new(None)
        self._free_born_s = 0.0
        self._free_parts: list[Word] = []
        self._grm: Any = None
        self._grm_born_s = 0.0
        self._last_partial = ""
        self._utt_start_s: float | None = None
        self._boundary_samples = 0

    # -- public -------------------------------------------------------------------------------
    @property
    def now_s(self) -> float:
        return self._samples / SAMPLE_RATE_HZ

    def accept(self, chunk: AudioChunk) -> list[Partial | Final]:
        if chunk.rate_hz != SAMPLE_RATE_HZ:
            raise EngineError(f"vosk: expected {SAMPLE_RATE_HZ} Hz audio, got {chunk.rate_hz} Hz")
        self._samples += len(chunk.pcm) // 2
        pcm = self._dither(chunk.pcm) if self._dither else chunk.pcm
        out: list[Partial | Final] = []
        biased = self._grm is not None
        if biased and self.free_transcript and self._free.AcceptWaveform(pcm):
            self._free_parts += self._words(self._free.Result(), self._free_born_s)
        primary = self._grm if biased else self._free
        if primary.AcceptWaveform(pcm):
            final = self._final(primary.Result())
            if final:
                out.append(final)
            self._boundary()
        else:
            partial = self._partial(primary.PartialResult())
            if partial:
                out.append(partial)
        return out

    def set_vocabulary(self, phrases: Sequence[str] | None) -> None:
        """Use these phrases from the next utterance boundary on (None: back to free mode)."""
        self._pending = None if phrases is None else tuple(phrases)
        if self._samples == self._boundary_samples:
            self._apply_pending()  # no audio since the last boundary: switch now

    def finish(self) -> list[Final]:
        primary = self._grm if self._grm is not None else self._free
        final = self._final(primary.FinalResult())
        self._boundary()
        return [final] if final else []

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        seen: dict[str, None] = {}
        for phrase in phrases:
            for word in normalise_phrase(phrase):
                if not self._known(word):
                    seen.setdefault(word)
        return list(seen)

    def grammar_for(self, phrases: Sequence[str]) -> str | None:
        """The JSON grammar for `phrases` (None when no phrase is fully in the vocabulary).

        Vosk's JSON reader does not decode \\u escapes and crashes on "[]" or non-JSON, so the
        list is written with ensure_ascii=False and never empty.
        """
        if not self.supports_grammar:
            return None
        usable = []
        for phrase in phrases:
            words = normalise_phrase(phrase)
            if words and all(self._known(w) for w in words):
                usable.append(" ".join(words))
        if not usable:
            return None
        entries = [p for p in dict.fromkeys(usable)] * self.phrase_weight + list(self.garbage)
        return json.dumps(entries, ensure_ascii=False)

    # -- internals ----------------------------------------------------------------------------
    def _known(self, word: str) -> bool:
        return int(self._model.vosk_model_find_word(word)) >= 0

    def _new(self, grammar: str | None) -> Any:
        if grammar is None:
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE_HZ)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, SAMPLE_RATE_HZ, grammar)
        rec.SetWords(True)  # finals carry word times; partials stay on the best path (`_partial`)
        return rec

    def _apply_pending(self) -> None:
        if self._pending is _KEEP:
            return
        phrases = self._pending
        self._pending = _KEEP
        assert phrases is None or isinstance(phrases, tuple)
        self.vocabulary = phrases
        grammar = None if phrases is None else self.grammar_for(phrases)
        self.grammar = grammar
        if grammar is None:
            if self._grm is not None and not self.free_transcript:
                self._free, self._free_born_s = self._new(None), self.now_s
            self._grm = None
        else:
            self._grm, self._grm_born_s = self._new(grammar), self.now_s

    def _boundary(self) -> None:
        self._utterances += 1
        self._boundary_samples = self._samples
        self._last_partial = ""
        self._utt_start_s = None
        if self._utterances % self.recreate_every == 0:
            if self._grm is not None and self.grammar is not None:
                self._grm, self._grm_born_s = self._new(self.grammar), self.now_s
            self._free.FinalResult()
            self._free, self._free_born_s = self._new(None), self.now_s
            self._free_parts = []
        self._apply_pending()

    def _words(self, result: str, born_s: float) -> list[Word]:
        data = json.loads(result)
        items = data.get("result") or []
        return [
            Word(
                str(w["word"]),
                round(born_s + float(w["start"]), 3),
                round(born_s + float(w["end"]), 3),
                round(float(w.get("conf", 1.0)), 3),
            )
            for w in items
        ]

    def _dropped(self) -> set[str]:
        """Tokens that are not the customer's words: unknown-word tokens, and in biased mode the
        grammar's garbage path."""
        return set(self.garbage) | set(UNK_TOKENS) if self._grm is not None else set(UNK_TOKENS)

    def _keep(self, words: list[Word]) -> tuple[Word, ...]:
        drop = self._dropped()
        return tuple(w for w in words if w.word not in drop)

    def _whole_phrases(self, words: tuple[Word, ...]) -> tuple[Word, ...]:
        """Keep only runs of words that form a whole phrase (the grammar is a bigram model, so a
        lone first word of a phrase can come out of off-script speech)."""
        phrases = sorted(
            {tuple(normalise_phrase(p)) for p in self.vocabulary or ()}, key=len, reverse=True
        )
        kept: list[Word] = []
        i = 0
        while i < len(words):
            for phrase in phrases:
                if phrase and tuple(w.word for w in words[i : i + len(phrase)]) == phrase:
                    kept += words[i : i + len(phrase)]
                    i += len(phrase)
                    break
            else:
                i += 1
        return tuple(kept)

    def _partial(self, result: str) -> Partial | None:
        """A partial from the decoder's best path: text, no word times.

        Word times in a partial need Kaldi's lattice, which it determinizes in chunks up to 60
        frames (1.8 s) behind the audio: measured on the Korean fixtures, partials with word times
        showed a word 2.1 s after its end (p50), best-path partials 0.47 s. A partial is for
        acting at once; the final that follows carries the word times.
        """
        drop = self._dropped()
        heard = [w for w in str(json.loads(result).get("partial", "")).split() if w not in drop]
        text = " ".join(heard)
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        if self._utt_start_s is None:  # the audio since the last boundary is this utterance
            self._utt_start_s = round(self._boundary_samples / SAMPLE_RATE_HZ, 3)
        return Partial(text, self.now_s, self._utt_start_s)

    def _final(self, result: str) -> Final | None:
        biased = self._grm is not None
        born = self._grm_born_s if biased else self._free_born_s
        raw = self._words(result, born)
        words = self._keep(raw)
        free_text: str | None = None
        if biased and self.free_transcript:
            free = [*self._free_parts, *self._words(self._free.FinalResult(), self._free_born_s)]
            self._free_parts = []
            free_text = " ".join(w.word for w in free if w.word not in UNK_TOKENS)
        if biased:
            words = self._whole_phrases(words)
        text = " ".join(w.word for w in words)
        if not text and not free_text:
            return None
        start = words[0].start_s if words else (raw[0].start_s if raw else self.now_s)
        return Final(text, self.now_s, words, start, free_text=free_text)
