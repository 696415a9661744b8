"""Per-shell syntax: quoting, export/unset/set, sourcing a script, the PATH form. Pure text, no I/O.

Traps, shell by shell:
- posix (bash, zsh, dash): single quotes keep everything literal; a quote inside becomes `'\\''`.
- csh/tcsh: single quotes keep `$` and backticks literal but NOT `!` (history) nor a bare newline; both are escaped
  outside the quotes (`'\\!'`) or with a backslash before the newline. Commands end with `;` because `eval "`...`"`
  turns newlines into spaces.
- fish: inside single quotes only `\\\\` and `\\'` are escapes. PATH is a list: one word per directory.
- xonsh: Python literals (repr); `$NAME = '...'`; a missing variable is removed with `${...}.pop`.
- PowerShell: single quotes, a quote doubled; the typographic quotes ‘ ’ ‚ ‛ also end a string, so they are
  doubled too.
- cmd.exe: not a script but `NAME=value` lines read by cantil.bat (`NAME=` unsets, `_CANTIL_SCRIPT=path` calls a
  script): no quoting exists, so a newline or carriage return in a value cannot be carried.
"""

from __future__ import annotations

from cantil.activate.errors import UnquotableValue


class Syntax:
    name = "posix"
    script_extension = ".sh"
    command_join = "\n"
    pathsep = ":"
    prompt_var: str | None = "PS1"

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "'\\''") + "'"

    def export(self, name: str, value: str) -> str:
        return f"export {name}={self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"unset {name}"

    def set_var(self, name: str, value: str) -> str:
        return f"{name}={self.quote(value)}"

    def export_path(self, dirs: list[str], pathsep: str) -> str:
        return self.export("PATH", pathsep.join(dirs))

    def run_script(self, path: str) -> str:
        return f". {self.quote(path)}"

    def join(self, commands: list[str]) -> str:
        return "".join(c + self.command_join for c in commands) if commands else ""


class CshSyntax(Syntax):
    name = "csh"
    script_extension = ".csh"
    command_join = ";\n"
    prompt_var = "prompt"

    def quote(self, value: str) -> str:
        return "'" + value.replace("'", "'\\''").replace("!", "'\\!'").replace("\n", "\\\n") + "'"

    def export(self, name: str, value: str) -> str:
        return f"setenv {name} {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"unsetenv {name}"

    def set_var(self, name: str, value: str) -> str:
        return f"set {name}={self.quote(value)}"

    def run_script(self, path: str) -> str:
        return f"source {self.quote(path)}"


class FishSyntax(Syntax):
    name = "fish"
    script_extension = ".fish"
    command_join = ";\n"
    prompt_var = None

    def quote(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def export(self, name: str, value: str) -> str:
        return f"set -gx {name} {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"set -e {name} || true"

    def set_var(self, name: str, value: str) -> str:
        return f"set -g {name} {self.quote(value)}"

    def export_path(self, dirs: list[str], pathsep: str) -> str:
        return "set -gx PATH " + " ".join(self.quote(d) for d in dirs)

    def run_script(self, path: str) -> str:
        return f"source {self.quote(path)}"


class XonshSyntax(Syntax):
    name = "xonsh"
    script_extension = ".xsh"
    prompt_var = None

    def quote(self, value: str) -> str:
        return repr(value)

    def export(self, name: str, value: str) -> str:
        return f"${name} = {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"${{...}}.pop({name!r}, None)"

    def set_var(self, name: str, value: str) -> str:
        return self.export(name, value)

    def run_script(self, path: str) -> str:
        return f"source {self.quote(path)}"


_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


class PowerShellSyntax(Syntax):
    name = "powershell"
    script_extension = ".ps1"
    prompt_var = None

    def quote(self, value: str) -> str:
        out = []
        for ch in value:
            out.append(ch + ch if ch in _PS_QUOTES else ch)
        return "'" + "".join(out) + "'"

    def export(self, name: str, value: str) -> str:
        return f"$Env:{name} = {self.quote(value)}"

    def unset(self, name: str) -> str:
        return f"$Env:{name} = $null"

    def set_var(self, name: str, value: str) -> str:
        return self.export(name, value)

    def run_script(self, path: str) -> str:
        return f". {self.quote(path)}"


class CmdExeSyntax(Syntax):
    name = "cmd.exe"
    script_extension = ".bat"
    pathsep = ";"
    prompt_var = "PROMPT"

    def _raw(self, name: str, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise UnquotableValue(self.name, name, value, "a line break cannot be carried")
        return value

    def quote(self, value: str) -> str:
        return self._raw("value", value)

    def export(self, name: str, value: str) -> str:
        return f"{name}={self._raw(name, value)}"

    def unset(self, name: str) -> str:
        return f"{name}="

    def set_var(self, name: str, value: str) -> str:
        return self.export(name, value)

    def run_script(self, path: str) -> str:
        return f"_CANTIL_SCRIPT={self._raw('_CANTIL_SCRIPT', path)}"


SYNTAXES: dict[str, type[Syntax]] = {
    "posix": Syntax,
    "bash": Syntax,
    "zsh": Syntax,
    "sh": Syntax,
    "dash": Syntax,
    "ash": Syntax,
    "csh": CshSyntax,
    "tcsh": CshSyntax,
    "fish": FishSyntax,
    "xonsh": XonshSyntax,
    "powershell": PowerShellSyntax,
    "pwsh": PowerShellSyntax,
    "cmd.exe": CmdExeSyntax,
}
SHELLS = ("bash", "zsh", "posix", "fish", "csh", "xonsh", "powershell", "cmd.exe")
