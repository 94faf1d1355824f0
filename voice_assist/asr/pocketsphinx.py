"""PocketSphinx engine: the zero-download English default (model inside the pip package).

Endpointing by `pocketsphinx.Endpointer` (VAD): an utterance starts when the VAD hears speech
and ends when it hears silence. Free mode decodes with the package's language model. Biased mode
uses keyword spotting (KWS) for the step's phrases: measured on our fixtures, KWS found the
phrases and ignored off-script speech, while a JSGF grammar with a garbage-word path forced
off-script speech into phrases and ran 3-4x slower. KWS gives no transcript, so with
`free_transcript` a second decoder runs the language model on the same speech for
`Final.free_text` (costs a free decode).

Finals of the language model are decoded once more over the whole utterance with batch cepstral
mean normalisation (`full_utt`): live CMN starts from the model's defaults, and on the first
utterance of a stream it turned "delivery please" into "totally please". Partials come from a
second, live decoder (batch decoding on the decoder that also ran live did worse: "an up close"
for "ten of clubs").
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections import deque
from collections.abc import Sequence
from typing import Any

from ..errors import EngineError
from ..events import SAMPLE_RATE_HZ, AudioChunk, Final, Partial, Word

FRAMES_PER_S = 100
LIGHT = {"maxhmmpf": 1000, "topn": 2}
"""Search settings of the live decoder (partials): a third of the active HMMs and the 2 best
Gaussians per frame (default 4). Measured on continuous speech, biased mode (spotter + live
decoder) RTF 0.084 -> 0.047 with the same words; over the clean fixture calls advance latency
p95 470 -> 400 ms. (maxhmmpf 1500 gave RTF 0.052-0.057 and p95 330 ms; `topn` 1 gave p95
460 ms; the keyword spotter keeps the defaults: with `topn` 2 it missed a phrase.)"""
_NOT_WORDS = re.compile(r"^(<.*>|\[.*\]|\(null\))$", re.IGNORECASE)
_VARIANT = re.compile(r"\(\d+\)$")


def _ps() -> Any:
    try:
        import pocketsphinx
    except ImportError:
        raise EngineError(
            "the PocketSphinx engine needs the 'pocketsphinx' package: pip install pocketsphinx"
        ) from None
    return pocketsphinx


def kws_threshold(phrase: str) -> float:
    """Detection threshold by phrase length: longer phrases need a lower (laxer) threshold."""
    n = len(phrase.split())
    return {1: 1e-10, 2: 1e-15}.get(n, 1e-20)


class PocketSphinxRecognizer:
    """A streaming PocketSphinx recognizer with VAD endpointing (see the module doc)."""

    name = "pocketsphinx"

    def __init__(
        self,
        *,
        model_dir: str | None = None,
        free_transcript: bool = True,
        vad_window_s: float = 0.3,
        vad_ratio: float = 0.9,
        max_utterance_s: float = 20.0,
        vad_mode: int = 1,
    ) -> None:
        ps = _ps()
        self._ps = ps
        # at most 3000 active HMMs per frame (default 30000): measured over the fixture calls'
        # customer speech, a quarter less CPU at the same word error rate
        config: dict[str, Any] = {"samprate": SAMPLE_RATE_HZ, "loglevel": "FATAL", "maxhmmpf": 3000}
        if model_dir:
            config.update(_model_files(model_dir))
        try:
            # language model, whole utterances (finals); keeps its flat second pass: without
            # it two fixture calls lost a digit or an answer
            self._free = ps.Decoder(**config)
            # language model, live (partials): only its first pass is read, so no second pass;
            # and a lighter search (`LIGHT`)
            self._live = ps.Decoder(**{**config, **LIGHT}, fwdflat=False, bestpath=False)
            self._kws = ps.Decoder(**config)  # keyword spotting (biased mode)
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(f"pocketsphinx: cannot load the model: {exc}") from None
        self._logmath = self._free.get_logmath()
        self._ep = ps.Endpointer(
            window=vad_window_s, ratio=vad_ratio, vad_mode=vad_mode, sample_rate=SAMPLE_RATE_HZ
        )
        self._frame_bytes = int(self._ep.frame_bytes)
        self._frame_s = float(self._ep.frame_length)
        # the endpointer hands speech on one window late; the live decoders get the raw frames
        # from the speech start on at once, so partials are not a window behind the customer
        self._recent: deque[bytes] = deque(maxlen=int(vad_window_s / self._frame_s) + 4)
        self.free_transcript = free_transcript
        self.max_utterance_s = max_utterance_s
        self.vocabulary: tuple[str, ...] | None = None
        self._pending: tuple[str, ...] | bool | None = False  # False: no change pending
        self._buffer = b""
        self._samples = 0
        self._in_utt = False
        self._utt_audio: list[bytes] = []
        self._utt_start_s = 0.0
        self._last_partial = ""
        self._kws_files: list[str] = []

    @property
    def now_s(self) -> float:
        return self._samples / SAMPLE_RATE_HZ

    def accept(self, chunk: AudioChunk) -> list[Partial | Final]:
        if chunk.rate_hz != SAMPLE_RATE_HZ:
            raise EngineError(
                f"pocketsphinx: expected {SAMPLE_RATE_HZ} Hz audio, got {chunk.rate_hz} Hz"
            )
        self._buffer += chunk.pcm
        out: list[Partial | Final] = []
        n = self._frame_bytes
        while len(self._buffer) >= n:
            frame, self._buffer = self._buffer[:n], self._buffer[n:]
            self._samples += n // 2
            self._recent.append(frame)
            out += self._frame(frame)
        if self._in_utt:  # one partial per chunk: hyp() searches the lattice, too dear per frame
            partial = self._partial()
            if partial:
                out.append(partial)
        return out

    def set_vocabulary(self, phrases: Sequence[str] | None) -> None:
        """Keyword-spot these phrases from the next utterance on (None: free decoding)."""
        self._pending = None if phrases is None else tuple(phrases)
        if not self._in_utt:
            self._apply_pending()

    def finish(self) -> list[Final]:
        out: list[Final] = []
        tail, self._buffer = self._buffer, b""
        self._samples += len(tail) // 2
        prev = self._ep.in_speech
        # pocketsphinx's end_stream indexes an empty buffer (IndexError): only pass a real tail
        speech = self._ep.end_stream(tail) if tail else None
        if speech is not None:
            if not prev and not self._in_utt:
                self._start(self._ep.speech_start)
                self._feed_live(speech)
            self._utt_audio.append(speech)
        if self._in_utt:
            final = self._end()
            if final:
                out.append(final)
        return out

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        seen: dict[str, None] = {}
        for phrase in phrases:
            for word in _words(phrase):
                if self._free.lookup_word(word) is None:
                    seen.setdefault(word)
        return list(seen)

    def close(self) -> None:
        for path in self._kws_files:
            with contextlib.suppress(OSError):
                os.unlink(path)
        self._kws_files = []

    def __del__(self) -> None:
        if hasattr(self, "_kws_files"):
            self.close()

    # -- internals ----------------------------------------------------------------------------
    @property
    def _biased(self) -> bool:
        return self.vocabulary is not None and bool(self._kws_files)

    def _frame(self, frame: bytes) -> list[Partial | Final]:
        prev = self._ep.in_speech
        speech = self._ep.process(frame)
        out: list[Partial | Final] = []
        if speech is None:
            return out
        if not prev and not self._in_utt:
            self._start(self._ep.speech_start)
            lag = round((self.now_s - self._utt_start_s) / self._frame_s)
            self._feed_live(b"".join(list(self._recent)[-lag:]) if lag > 0 else frame)
        else:
            self._feed_live(frame)
        self._utt_audio.append(speech)
        too_long = self.now_s - self._utt_start_s >= self.max_utterance_s
        if not self._ep.in_speech or too_long:
            # noise can keep the endpointer "in speech" for minutes: cut long utterances
            final = self._end()
            if final:
                out.append(final)
            if self._ep.in_speech:
                self._start(self.now_s)
        return out

    def _decoders(self) -> list[Any]:
        """The decoders fed live: the free one (its hypothesis is the partial), plus the keyword
        spotter when biased. Partials never come from the spotter: it hears its phrases in
        off-script speech, and a partial can advance the call."""
        return [self._live, self._kws] if self._biased else [self._live]

    def _start(self, at_s: float) -> None:
        self._in_utt = True
        self._utt_start_s = round(float(at_s), 3)
        self._last_partial = ""
        self._utt_audio = []
        if self._biased:
            self._kws.set_cmn(self._free.get_cmn())  # start from the last utterance's CMN
        for d in self._decoders():
            d.start_utt()

    def _feed_live(self, pcm: bytes) -> None:
        for d in self._decoders():
            d.process_raw(pcm, False, False)

    def _batch_free(self) -> tuple[list[Word], list[str]]:
        """Decode the whole utterance with the language model and batch CMN; the words and the
        other readings worth keeping (see `_digits_again`)."""
        audio = b"".join(self._utt_audio)
        self._free.start_utt()
        self._free.process_raw(audio, False, True)
        self._free.end_utt()
        return self._digits_again(self._segments(self._free), audio)

    def _digits_again(self, words: list[Word], audio: bytes) -> tuple[list[Word], list[str]]:
        """Re-decode a spoken number (3+ number words in a row) with a digits-only grammar.

        The language model merges repeated digits ("five five five" -> "five five", "eight eight
        two two" -> "eight eighty two"): a grammar has no word-pair preferences. The word before
        the run may be a misheard first digit ("by five five" for "five five five") or a real
        word ("is five five five"): the grammar may take it as a digit or keep it, whichever the
        audio says, and that reading becomes the text. The reading with the lead word as a digit
        and the language model's own reading are kept as alternatives, so a field that knows how
        many digits it wants can take the one that fits.
        """
        run = digit_run([w.word for w in words])
        if run is None:
            return words, []
        first, last = run
        lead = words[first - 1] if first > 0 else None
        start_s = max(self._utt_start_s, (lead or words[first]).start_s - 0.05)
        end_s = words[last].end_s + 0.1
        offset = int((start_s - self._utt_start_s) * SAMPLE_RATE_HZ) * 2
        stop = int((end_s - self._utt_start_s) * SAMPLE_RATE_HZ) * 2
        segment = audio[offset:stop]
        grammars = [digits_grammar(lead.word if lead else None)]
        if lead is not None:
            grammars.append(digits_grammar(None))  # the lead word heard as the first digit
        head, tail = words[: first - 1 if lead else first], words[last + 1 :]
        decoded = [self._grammar(g, segment, start_s) for g in grammars]
        readings = [head + again + tail for again in decoded if again] + [words]
        texts = list(dict.fromkeys(" ".join(w.word for w in r) for r in readings))
        return readings[0], texts[1:]

    def _grammar(self, jsgf: str, audio: bytes, start_s: float) -> list[Word]:
        """Decode `audio` (starting at stream time `start_s`) with a JSGF grammar; [] if none."""
        try:
            self._free.add_jsgf_string("digits", jsgf)
            self._free.activate_search("digits")
            self._free.start_utt()
            self._free.process_raw(audio, False, True)
            self._free.end_utt()
            return self._segments(self._free, start_s)
        except (RuntimeError, ValueError):
            return []  # an odd lead word the grammar cannot take: keep the LM's reading
        finally:
            self._free.activate_search("_default")

    def _partial(self) -> Partial | None:
        primary = self._decoders()[0]
        hyp = primary.hyp()
        text = " ".join(_words(hyp.hypstr)) if hyp is not None else ""
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        words = tuple(self._segments(primary))
        return Partial(text, self.now_s, self._utt_start_s, words, free=True)

    def _end(self) -> Final | None:
        decoders = self._decoders()
        for d in decoders:
            d.end_utt()
        self._in_utt = False
        free_text: str | None = None
        alternatives: list[str] = []
        if self._biased:
            words = self._segments(self._kws)
            if self.free_transcript:
                free, alternatives = self._batch_free()
                free_text = " ".join(w.word for w in free)
        else:
            words, alternatives = self._batch_free()
        self._utt_audio = []
        self._apply_pending()
        text = " ".join(w.word for w in words)
        if not text and not free_text:
            return None
        return Final(
            text, self.now_s, tuple(words), self._utt_start_s, free_text=free_text,
            alternatives=tuple(alternatives),
        )

    def _segments(self, decoder: Any, from_s: float | None = None) -> list[Word]:
        """The decoder's words with stream times (`from_s`: where its audio began)."""
        origin = self._utt_start_s if from_s is None else from_s
        words: list[Word] = []
        for seg in decoder.seg() or ():
            raw = _VARIANT.sub("", seg.word.strip())
            if not raw or _NOT_WORDS.match(raw):
                continue
            start = origin + seg.start_frame / FRAMES_PER_S
            end = origin + (seg.end_frame + 1) / FRAMES_PER_S
            conf = min(1.0, max(0.0, float(self._logmath.exp(seg.prob))))
            parts = raw.split()
            step = (end - start) / len(parts)
            for i, part in enumerate(parts):  # a spotted phrase: spread its words over its span
                words.append(
                    Word(
                        part,
                        round(start + i * step, 3),
                        round(start + (i + 1) * step, 3),
                        round(conf, 3),
                    )
                )
        return words

    def _apply_pending(self) -> None:
        if self._pending is False:
            return
        phrases = self._pending
        self._pending = False
        assert phrases is None or isinstance(phrases, tuple)
        self.vocabulary = phrases
        if phrases is None:
            return
        usable = [
            " ".join(_words(p))
            for p in phrases
            if _words(p) and all(self._free.lookup_word(w) is not None for w in _words(p))
        ]
        self.close()
        if not usable:
            return  # nothing spottable: stay in free mode (unknown_words told the scriptwriter)
        fd, path = tempfile.mkstemp(prefix="voice-assist-", suffix=".kws")
        with os.fdopen(fd, "w") as f:
            for p in dict.fromkeys(usable):
                f.write(f"{p} /{kws_threshold(p):.0e}/\n")
        self._kws_files.append(path)
        try:
            self._kws.add_kws("kws", path)
            self._kws.activate_search("kws")
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"pocketsphinx: cannot build keyword search: {exc}") from None


DIGIT_WORDS = ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_WORDS = frozenset(DIGIT_WORDS) | {
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
}
DIGIT_RUN_MIN = 3


def digit_run(words: Sequence[str]) -> tuple[int, int] | None:
    """First and last index of the longest run of >= 3 number words in a row, or None."""
    best: tuple[int, int] | None = None
    start = None
    for i, word in enumerate([*words, ""]):
        if word in _NUMBER_WORDS:
            start = i if start is None else start
            continue
        longer = best is None or (start is not None and i - start > best[1] - best[0] + 1)
        if start is not None and i - start >= DIGIT_RUN_MIN and longer:
            best = (start, i - 1)
        start = None
    return best


def digits_grammar(lead: str | None) -> str:
    """JSGF for a run of digits, optionally after `lead` (kept, or heard as a digit)."""
    first = f"({lead} | <digit>)" if lead else "<digit>"
    return (
        "#JSGF V1.0;\ngrammar digits;\n"
        f"<digit> = {' | '.join(DIGIT_WORDS)};\n"
        f"public <number> = {first} <digit>+;\n"
    )


def _words(text: str) -> list[str]:
    return [
        _VARIANT.sub("", w)
        for w in re.findall(r"[\w'()-]+|<[^>]*>", text.lower())
        if not _NOT_WORDS.match(w)
    ]


def _model_files(model_dir: str) -> dict[str, str]:
    """hmm/lm/dict of a PocketSphinx model folder (an acoustic model dir plus *.lm.bin, *.dict)."""
    from pathlib import Path

    root = Path(model_dir)
    if not root.is_dir():
        raise EngineError(f"{model_dir}: PocketSphinx model directory not found")
    hmm = next((p.parent for p in root.rglob("mdef")), None)
    lm = next(iter(sorted(root.rglob("*.lm.bin"))), None)
    dic = next(iter(sorted(root.rglob("*.dict"))), None) or next(
        iter(sorted(root.rglob("*.dic"))), None
    )
    if hmm is None or lm is None or dic is None:
        raise EngineError(
            f"{model_dir}: not a PocketSphinx model (needs an acoustic model with mdef, "
            "a *.lm.bin and a *.dict)"
        )
    return {"hmm": str(hmm), "lm": str(lm), "dict": str(dic)}
