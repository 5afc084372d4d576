"""Pack the frozen one-folder build (dist/wise, made by PyInstaller) as a .deb.

    python packaging/deb/build_deb.py [--bundle dist/wise] [--out dist]

The package holds /opt/wise (the bundle), /usr/bin/wise (a link to it), the menu entry,
the icons in the hicolor theme, the AppStream metainfo and the copyright file. It has no
maintainer scripts: dpkg's triggers (desktop-file-utils, hicolor-icon-theme) refresh the
desktop's caches, and `apt-get remove` takes away everything it installed.

Depends is read off the bundle: every shared library its programs and libraries need
that PyInstaller did not put in it, mapped to the Debian package that provides it here,
and libc6 at the newest glibc symbol version they use. A library no package here provides
belongs to an optional Qt plugin (the GTK theme, Wayland's EGL); it is named, not required.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import __version__  # noqa: E402
from app.desktop.files import desktop_files  # noqa: E402

PACKAGE = "wise"
PREFIX = Path("opt") / "wise"
COMMAND = "/usr/bin/wise"
MAINTAINER = "The Wise developers <wise@users.noreply.invalid>"
DESCRIPTION = """\
calm companion that helps you act on what matters to you
 Wise is a local-first companion for people whose good intentions slip away,
 people with ADHD first. It makes it effortless to get a thought out of your
 head, keeps your goals and the why behind them in view, looks back with you
 each day, and nudges you, rarely and kindly, toward the next tiny step.
 .
 Everything stays on your machine, in a private journal; a language model of
 your choice is optional. This package is self-contained: it brings its own
 Python, Qt and libraries in /opt/wise."""
COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Wise
Comment: /opt/wise/_internal holds third-party components, each under its own licence
 (the Python runtime, Qt for Python under the LGPL-3.0, litellm and its dependencies);
 their licence texts are in the *.dist-info folders there.

Files: *
Copyright: The Wise developers
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this
 software and associated documentation files (the "Software"), to deal in the Software
 without restriction, including without limitation the rights to use, copy, modify,
 merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 permit persons to whom the Software is furnished to do so, subject to the following
 conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies
 or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
 INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
 PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT
 HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF
 CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
 THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""
GLIBC_VERSION = re.compile(rb"GLIBC_(\d+(?:\.\d+)+)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "wise")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "deb")
    args = parser.parse_args(argv)
    if not (args.bundle / "wise").is_file():
        sys.exit(f"no bundle at {args.bundle}: run `make bundle` first")

    arch = _run(_tool("dpkg"), "--print-architecture").strip()
    root = args.stage / f"{PACKAGE}_{__version__}_{arch}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(args.bundle, root / PREFIX, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "wise").symlink_to(Path("/") / PREFIX / "wise")
    for place, data in desktop_files([COMMAND]).items():
        path = root / "usr" / "share" / place
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    doc = root / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT, encoding="utf-8")
    _normalise_modes(root)

    depends, optional = _depends(root / PREFIX)
    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {_size_kib(root)}\n"
        f"Depends: {', '.join(depends)}\n"
        "Recommends: fonts-dejavu-core | fonts-freefont-ttf | fonts-liberation2\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"Description: {DESCRIPTION}\n", encoding="utf-8")
    for name in optional:
        print(f"note: {name} is not required (only an optional Qt plugin uses it)")

    args.out.mkdir(parents=True, exist_ok=True)
    deb = args.out / f"{PACKAGE}_{__version__}_{arch}.deb"
    # zstd -9: 131 MB in 18 s here, where xz took 9 minutes for 115 MB. Every dpkg new
    # enough for the bundle's glibc (Debian 12, Ubuntu 23.04 and later) reads it.
    subprocess.run([_tool("dpkg-deb"), "--root-owner-group", "-Zzstd", "-z9", "--build", str(root),
                    str(deb)], check=True, stdout=subprocess.DEVNULL)
    print(deb)
    return 0


def _depends(bundle: Path) -> tuple[list[str], list[str]]:
    """Debian packages for the libraries the bundle needs but does not hold."""
    elves = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()
             and _is_elf(p)]
    bundled = {p.name for p in bundle.rglob("*.so*")}
    needed: set[str] = set()
    glibc = (2, 17)
    for elf in elves:
        dump = subprocess.run([_tool("objdump"), "-p", "-T", str(elf)], capture_output=True,
                              check=False).stdout
        needed.update(m.decode() for m in re.findall(rb"^\s+NEEDED\s+(\S+)", dump, re.M))
        for found in GLIBC_VERSION.findall(dump):
            glibc = max(glibc, tuple(int(n) for n in found.split(b".")))
    packages, optional = {"libc6": f"libc6 (>= {'.'.join(map(str, glibc))})"}, []
    for library in sorted(needed - bundled):
        owner = subprocess.run([_tool("dpkg-query"), "-S", f"*/{library}"], capture_output=True,
                               text=True, check=False).stdout.split(":", 1)[0].strip()
        if not owner:
            optional.append(library)
        elif owner not in packages:
            packages[owner] = owner
    return sorted(packages.values()), optional


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _normalise_modes(root: Path) -> None:
    """What a package installs is readable by every user; programs stay executable."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def _size_kib(root: Path) -> int:
    return sum(-(-p.lstat().st_size // 1024) for p in root.rglob("*") if not p.is_dir())


def _tool(name: str) -> str:
    """A build tool's full path; its absence is said in one line (Debian: dpkg, binutils)."""
    path = shutil.which(name)
    if path is None:
        sys.exit(f"build_deb: {name} is not installed (Debian packages dpkg and binutils)")
    return path


def _run(*argv: str) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


if __name__ == "__main__":
    sys.exit(main())
