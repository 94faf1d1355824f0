"""Scriptwriter tools: tune an answer's phrases against real utterances (`voice-assist tune`).

Load labeled utterances (corpus files, call tests, call records), evaluate the matcher on them,
sweep thresholds, find colliding phrases, suggest new phrases (each tried for real), check the
engine's vocabulary, and write accepted changes back into the scenario file.
"""

from __future__ import annotations

from .apply import AddPhrase, Applied, SetThreshold, apply_changes, edit_text
from .corpus import Corpus, Utterance
from .report import TuneReport, to_json, tune
from .sources import load_corpus
from .vocab import Vocabulary, pocketsphinx_vocabulary, vosk_vocabulary, words_file_vocabulary

__all__ = [
    "AddPhrase",
    "Applied",
    "Corpus",
    "SetThreshold",
    "TuneReport",
    "Utterance",
    "Vocabulary",
    "apply_changes",
    "edit_text",
    "load_corpus",
    "pocketsphinx_vocabulary",
    "to_json",
    "tune",
    "vosk_vocabulary",
    "words_file_vocabulary",
]
