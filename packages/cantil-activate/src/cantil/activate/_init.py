"""`cantil init`: a marked block in each shell's rc file that loads `cantil shell.<shell> hook` at start-up.

The block sits between `# >>> cantil initialize >>>` and `# <<< cantil initialize <<<` (PowerShell: `#region cantil
initialize` ... `#endregion cantil initialize`), so it lives beside conda's own block. Adding is idempotent (an
existing block is replaced in place); `reverse` removes exactly the block and the blank line written before it,
giving back the file as it was (except a final newline added to a file that lacked one). Files are written
atomically through a symlink's target, keeping their mode. cmd.exe has no rc file: its "rc" is the `cantil.bat`
that `cantil shell.cmd.exe hook` prints, written whole (and removed by `reverse` when it is ours).
"""

from __future__ import annotations

import os

from cantil.activate._activator import Activator
from cantil.activate._settings import ActivationSettings
from cantil.activate._syntax import SYNTAXES
from cantil.activate.errors import InitError, UnknownShell

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

MARKERS = {
    "default": ("# >>> cantil initialize >>>", "# <<< cantil initialize <<<"),
    "powershell": ("#region cantil initialize", "#endregion cantil initialize"),
}
NOTICE = "# !! Contents within this block are managed by 'cantil init' !!"
INIT_SHELLS = ("bash", "zsh", "fish", "tcsh", "xonsh", "powershell", "cmd.exe")


def _canonical(shell: str) -> str:
    if shell not in SYNTAXES and shell != "tcsh":
        raise UnknownShell(shell, INIT_SHELLS)
    return {"csh": "tcsh", "pwsh": "powershell", "sh": "posix", "dash": "posix", "ash": "posix"}.get(shell, shell)


def _markers(shell: str) -> tuple[str, str]:
    return MARKERS["powershell" if shell == "powershell" else "default"]


def rc_block(shell: str, exe: str) -> str:
    """The block `init` writes for `shell`, ending with a newline."""
    shell = _canonical(shell)
    start, end = _markers(shell)
    q = SYNTAXES["csh" if shell == "tcsh" else shell]().quote
    if shell in ("bash", "zsh", "posix"):
        body = [
            f"__cantil_setup=\"$({q(exe)} 'shell.{shell}' 'hook' 2> /dev/null)\"",
            "if [ $? -eq 0 ]; then",
            '    eval "$__cantil_setup"',
            "fi",
            "unset __cantil_setup",
        ]
    elif shell == "fish":
        body = [f"if test -x {q(exe)}", f"    {q(exe)} shell.fish hook | source", "end"]
    elif shell == "tcsh":
        body = [f"if ( -x {q(exe)} ) then", f'    eval "`{q(exe)} shell.csh hook`"', "endif"]
    elif shell == "xonsh":
        body = [
            f"if __import__('os').access({exe!r}, __import__('os').X_OK):",
            f"    execx($({q(exe)} shell.xonsh hook))",
        ]
    elif shell == "powershell":
        body = [
            f"If (Test-Path {q(exe)}) {{",
            f"    (& {q(exe)} 'shell.powershell' 'hook') | Out-String | Where-Object {{ $_ }} | Invoke-Expression",
            "}",
        ]
    else:
        raise InitError(shell, "has no rc block", hint="cmd.exe uses the cantil.bat printed by `cantil shell.cmd.exe hook`")
    return "\n".join([start, NOTICE, *body, end]) + "\n"


def default_rc_paths(shell: str, *, home: str, environ: Mapping[str, str], root_prefix: str = "") -> list[str]:
    """Where conda's `init` writes for this shell on this platform (PowerShell: CurrentUserAllHosts profiles)."""
    shell = _canonical(shell)
    j = os.path.join
    if shell == "bash":
        import sys

        return [j(home, ".bash_profile" if sys.platform in ("darwin", "win32") else ".bashrc")]
    if shell == "zsh":
        return [j(environ.get("ZDOTDIR") or home, ".zshrc")]
    if shell == "fish":
        return [j(environ.get("XDG_CONFIG_HOME") or j(home, ".config"), "fish", "config.fish")]
    if shell == "tcsh":
        return [j(home, ".tcshrc")]
    if shell == "xonsh":
        return [j(home, ".xonshrc")]
    if shell == "powershell":
        if os.name == "nt":
            docs = j(home, "Documents")
            return [j(docs, "PowerShell", "profile.ps1"), j(docs, "WindowsPowerShell", "profile.ps1")]
        return [j(environ.get("XDG_CONFIG_HOME") or j(home, ".config"), "powershell", "profile.ps1")]
    if shell == "cmd.exe":
        return [j(root_prefix or j(home, ".cantil"), "condabin", "cantil.bat")]
    raise UnknownShell(shell, INIT_SHELLS)


def system_rc_paths(shell: str, *, etc: str = "/etc") -> list[str]:
    """The drop-in file `init --system` writes for every user of the machine (cantil's own file name, beside conda's).

    bash and zsh (as conda) share `/etc/profile.d/cantil.sh`, read by every POSIX login shell, so its block loads the
    `shell.posix` hook; fish reads `/etc/fish/conf.d/*.fish`, xonsh `/etc/xonsh/rc.d/*.xsh`, tcsh (where the system's
    csh.login sources them) `/etc/profile.d/*.csh`. PowerShell and cmd.exe have no such file here.
    """
    shell = _canonical(shell)
    j = os.path.join
    paths = {
        "bash": j(etc, "profile.d", "cantil.sh"),
        "zsh": j(etc, "profile.d", "cantil.sh"),
        "posix": j(etc, "profile.d", "cantil.sh"),
        "fish": j(etc, "fish", "conf.d", "cantil.fish"),
        "tcsh": j(etc, "profile.d", "cantil.csh"),
        "xonsh": j(etc, "xonsh", "rc.d", "cantil.xsh"),
    }
    if shell not in paths:
        raise InitError(shell, "has no system-wide start-up file cantil can write",
                        hint="run `cantil init` for each user instead of `--system`")
    return [paths[shell]]


class RcChange:
    """One file: its text before and after (None: absent)."""

    __slots__ = ("after", "before", "path")

    def __init__(self, path: str, before: str | None, after: str | None) -> None:
        self.path = path
        self.before = before
        self.after = after

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        if not self.changed:
            return ""
        import difflib

        a = (self.before or "").splitlines(keepends=True)
        b = (self.after or "").splitlines(keepends=True)
        lines = difflib.unified_diff(a, b, fromfile=self.path, tofile=self.path)
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def __repr__(self) -> str:
        return f"RcChange({self.path!r}, changed={self.changed})"


class InitResult:
    __slots__ = ("changes", "dry_run", "reverse", "shell")

    def __init__(self, shell: str, changes: tuple[RcChange, ...], *, reverse: bool, dry_run: bool) -> None:
        self.shell = shell
        self.changes = changes
        self.reverse = reverse
        self.dry_run = dry_run

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.changes)

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)

    def __repr__(self) -> str:
        return f"InitResult({self.shell!r}, {self.changes!r}, reverse={self.reverse}, dry_run={self.dry_run})"


def _find(text: str, start: str, end: str) -> tuple[int, int] | None:
    """(first char, one past the end line's newline) of the first marked block, markers at line starts."""
    pos = 0
    while True:
        i = text.find(start, pos)
        if i < 0:
            return None
        if i == 0 or text[i - 1] == "\n":
            break
        pos = i + 1
    k = i
    while True:
        e = text.find(end, k)
        if e < 0:
            return None
        if text[e - 1] == "\n":
            break
        k = e + 1
    nl = text.find("\n", e)
    return i, (len(text) if nl < 0 else nl + 1)


def add_block(text: str, block: str, shell: str) -> str:
    start, end = _markers(_canonical(shell))
    span = _find(text, start, end)
    if span is not None:
        return text[: span[0]] + block + text[span[1] :]
    if not text:
        return block
    return text + ("\n" if text.endswith("\n") else "\n\n") + block


def remove_block(text: str, shell: str) -> str:
    start, end = _markers(_canonical(shell))
    while (span := _find(text, start, end)) is not None:
        head, tail = text[: span[0]], text[span[1] :]
        if head.endswith("\n\n") or head == "\n":
            head = head[:-1]
        text = head + tail
    return text


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise InitError(path, str(err)) from err


def _write(path: str, text: str | None) -> None:
    real = os.path.realpath(path)
    try:
        if text is None:
            os.unlink(real)
            return
        directory = os.path.dirname(real)
        os.makedirs(directory, exist_ok=True)
        try:
            mode: int | None = os.stat(real).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cantil-init.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, real)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError as err:
        raise InitError(path, err.strerror or str(err)) from err


def init(
    shell: str,
    rc_paths: Iterable[str | os.PathLike[str]],
    *,
    exe: str,
    reverse: bool = False,
    dry_run: bool = False,
    system: bool = False,
) -> InitResult:
    """Add (or with reverse=True remove) cantil's block in each rc file; dry_run computes without writing.

    system=True: the files are system-wide drop-ins (`system_rc_paths`): bash and zsh get the block of the POSIX
    shell (every login shell reads /etc/profile.d), and `reverse` deletes a file that holds nothing else.
    """
    shell = _canonical(shell)
    if shell not in INIT_SHELLS:
        raise UnknownShell(shell, INIT_SHELLS)
    if system and shell in ("powershell", "cmd.exe"):
        system_rc_paths(shell)  # raises: no system-wide file
    block_shell = "posix" if system and shell in ("bash", "zsh") else shell
    changes = []
    for raw in rc_paths:
        path = os.fspath(raw)
        before = _read(path)
        after: str | None
        if shell == "cmd.exe":
            bat = Activator("cmd.exe", ActivationSettings(os.path.dirname(path), exe=exe), {}).hook()
            after = (None if before == bat else before) if reverse else bat
        elif reverse:
            after = None if before is None else remove_block(before, shell)
            if system and after is not None and not after.strip():
                after = None  # our drop-in: removed whole
        else:
            after = add_block(before or "", rc_block(block_shell, exe), shell)
        change = RcChange(path, before, after)
        if change.changed and not dry_run:
            _write(path, after)
        changes.append(change)
    return InitResult(shell, tuple(changes), reverse=reverse, dry_run=dry_run)

