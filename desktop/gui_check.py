"""Can the window start here? Checked before Qt is loaded, because Qt cannot say it well.

Without a display, or without one of the system libraries its platform plugin links to, Qt
aborts the whole process (a core dump) with a message that may blame the wrong library. This
module finds out first, cheaply: it reads the names of the libraries the plugin needs from its
ELF header (no subprocess) and asks the dynamic loader for each one, which Qt would do a moment
later anyway. It imports nothing from Qt.
"""

from __future__ import annotations

import importlib.util
import os
import re
import struct
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

try:
    # What ctypes.CDLL calls, without importing ctypes itself: start-up time counts.
    from _ctypes import dlopen as _dlopen
except ImportError:  # pragma: no cover - every CPython with ctypes has it
    import ctypes

    def _dlopen(name: str, mode: int) -> object:
        return ctypes.CDLL(name, mode)


# Debian and Ubuntu packages of the libraries Qt's platform plugins link to. A library not
# listed is named as it is (``apt-file search NAME`` finds its package).
DEBIAN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libzstd.so.1": "libzstd1",
    "libffi.so.8": "libffi8",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
}

# Platforms that draw on a screen, and what tells them where it is.
DISPLAY_VARIABLES = {
    "xcb": "DISPLAY",
    "wayland": "WAYLAND_DISPLAY",
    "wayland-egl": "WAYLAND_DISPLAY",
}
# Qt's own command-line options that take a value (``-style fusion``); the others are flags.
QT_VALUE_OPTIONS = frozenset(
    {
        "style", "stylesheet", "platform", "platformpluginpath", "platformtheme", "plugin",
        "qmljsdebugger", "qwindowgeometry", "geometry", "qwindowtitle", "title", "qwindowicon",
        "icon", "session", "display", "name", "visual", "ncols", "cmap", "fontengine",
    }
)  # fmt: skip
QT_FLAG_OPTIONS = frozenset({"reverse", "widgetcount", "nograb", "dograb", "sync"})
# The libraries the window's own Qt modules need besides the platform plugin.
APP_QT_LIBRARIES = ("libQt6Widgets.so.6",)


def split_qt_arguments(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """(our arguments, Qt's arguments): ``-style fusion``, ``-platform=offscreen``,
    ``--reverse`` … go to Qt (as ``-platform offscreen``, ``-reverse``); everything else
    stays, in order."""
    ours: list[str] = []
    qt: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = _qt_option_name(arg)
        # Handed on as ``-name value``: the one spelling every Qt option accepts.
        if name in QT_VALUE_OPTIONS:
            if "=" in arg:
                qt.extend([f"-{name}", arg.split("=", 1)[1]])
            elif i + 1 < len(argv):
                qt.extend([f"-{name}", argv[i + 1]])
                i += 1
            else:
                ours.append(arg)  # a value is missing: let the usage error say so
        elif name in QT_FLAG_OPTIONS:
            qt.append(f"-{name}")
        else:
            ours.append(arg)
        i += 1
    return ours, qt


def _qt_option_name(arg: str) -> str | None:
    match = re.fullmatch(r"--?([a-z]+)(=.*)?", arg, flags=re.DOTALL)
    return match.group(1) if match else None


def requested_platforms(qt_args: Sequence[str], environ: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (``-platform`` wins over QT_QPA_PLATFORM;
    a Wayland session tries Wayland first, then X11, as Qt does)."""
    given = environ.get("QT_QPA_PLATFORM", "")
    for i, arg in enumerate(qt_args):
        if _qt_option_name(arg) == "platform":
            if "=" in arg:
                given = arg.split("=", 1)[1]
            elif i + 1 < len(qt_args):
                given = qt_args[i + 1]
    if given.strip():
        # "xcb:option=value;wayland": names before any options, separated by semicolons.
        return [p.split(":", 1)[0].strip() for p in given.split(";") if p.strip()]
    if environ.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def startup_problem(
    qt_args: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> str | None:
    """Why the window cannot start here (one line for the user), or None if it can."""
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if environ is None else environ
    platforms = requested_platforms(qt_args, env)
    qt_dir = qt_directory()
    on_screen = [p for p in platforms if p in DISPLAY_VARIABLES]
    if on_screen and len(on_screen) == len(platforms):
        with_display = [p for p in on_screen if env.get(DISPLAY_VARIABLES[p], "").strip()]
        if not with_display:
            names = " or ".join(dict.fromkeys(DISPLAY_VARIABLES[p] for p in on_screen))
            return (
                f"no display to open the window on ({names} is not set); start Crosscheck "
                "from a desktop session, or use its commands (crosscheck --help)"
            )
        platforms = with_display
    if qt_dir is None:
        return None  # not the PySide6 wheel's layout: nothing to check against
    first_missing: tuple[str, list[str]] | None = None
    for platform in platforms:
        plugin = qt_dir / "plugins" / "platforms" / f"libq{platform}.so"
        if not plugin.is_file():
            return None  # Qt names platforms it does not have itself
        missing = missing_libraries([plugin, *(qt_dir / "lib" / n for n in APP_QT_LIBRARIES)])
        if not missing:
            return None
        first_missing = first_missing or (platform, missing)
    if first_missing is None:
        return None
    platform, missing = first_missing
    return missing_message(platform, missing)


def missing_message(platform: str, missing: Sequence[str]) -> str:
    packages = list(dict.fromkeys(DEBIAN_PACKAGES.get(name, name) for name in missing))
    plural = "ies" if len(missing) > 1 else "y"
    return (
        f"the window cannot start: Qt's {platform} platform needs the system librar{plural} "
        f"{', '.join(missing)}; on Debian or Ubuntu install with: "
        f"sudo apt install {' '.join(packages)}"
    )


def qt_directory() -> Path | None:
    """PySide6's bundled Qt (``lib``, ``plugins``), found without importing PySide6."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return folder if (folder / "lib").is_dir() else None


def missing_libraries(binaries: Iterable[Path]) -> list[str]:
    """System libraries that ``binaries`` (and the Qt libraries beside them) need and the
    dynamic loader cannot load, by soname, in the order met."""
    system: dict[str, None] = {}
    seen: set[Path] = set()
    todo = list(binaries)
    while todo:
        path = todo.pop(0)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        bundled = path.parent if path.parent.name == "lib" else path.parents[2] / "lib"
        for name in elf_needed(path):
            if (bundled / name).is_file():
                todo.append(bundled / name)
            else:
                system[name] = None
    missing: dict[str, None] = {}
    for name in system:
        reason = _load_error(name)
        if reason is not None:
            missing[reason] = None
    return list(missing)


def _load_error(soname: str) -> str | None:
    """None if the library loads; else the soname the loader could not find (a library it
    needs may be the one missing). The library stays loaded: Qt loads it next anyway."""
    try:
        _dlopen(soname, os.RTLD_LAZY)
    except OSError as exc:
        found = re.match(r"\s*([^:\s]+\.so[.\d]*):", str(exc))
        return found.group(1) if found else soname
    return None


# --- reading DT_NEEDED from an ELF file -----------------------------------------------------

_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NEEDED, _DT_STRTAB = 1, 5


def elf_needed(path: Path) -> list[str]:
    """The sonames an ELF shared object links to; [] if it is not one we can read."""
    try:
        with path.open("rb") as fh:
            return _read_needed(fh)
    except (OSError, struct.error, ValueError):
        return []


def _read_needed(fh: object) -> list[str]:
    read, seek = fh.read, fh.seek  # type: ignore[attr-defined]
    ident = read(16)
    if ident[:4] != b"\x7fELF":
        return []
    wide = ident[4] == 2  # ELFCLASS64
    end = "<" if ident[5] == 1 else ">"
    if wide:
        header = struct.unpack(end + "HHIQQQIHHHHHH", read(48))
        phoff, phentsize, phnum = header[4], header[8], header[9]
        segment = struct.Struct(end + "IIQQQQQQ")  # type, flags, offset, vaddr, paddr, filesz…
        dyn = struct.Struct(end + "qQ")
    else:
        header = struct.unpack(end + "HHIIIIIHHHHHH", read(36))
        phoff, phentsize, phnum = header[4], header[8], header[9]
        segment = struct.Struct(end + "IIIIIIII")  # type, offset, vaddr, paddr, filesz, …
        dyn = struct.Struct(end + "iI")
    seek(phoff)
    table = read(phentsize * phnum)
    loads: list[tuple[int, int, int]] = []  # (vaddr, filesz, offset)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        fields = segment.unpack_from(table, i * phentsize)
        if wide:
            p_type, _flags, offset, vaddr, _paddr, filesz = fields[:6]
        else:
            p_type, offset, vaddr, _paddr, filesz = fields[:5]
        if p_type == _PT_LOAD:
            loads.append((vaddr, filesz, offset))
        elif p_type == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    seek(dynamic[0])
    raw = read(dynamic[1])
    needed: list[int] = []
    strtab = None
    for i in range(len(raw) // dyn.size):
        tag, value = dyn.unpack_from(raw, i * dyn.size)
        if tag == 0:
            break
        if tag == _DT_NEEDED:
            needed.append(value)
        elif tag == _DT_STRTAB:
            strtab = value
    if strtab is None:
        return []
    base = next((off + strtab - va for va, size, off in loads if va <= strtab < va + size), None)
    if base is None:
        return []
    names = []
    for offset in needed:
        seek(base + offset)
        chunk = read(256)
        names.append(chunk.split(b"\0", 1)[0].decode("ascii", "replace"))
    return names
