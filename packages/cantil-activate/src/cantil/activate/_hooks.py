"""`shell.<shell> hook`: the text that defines the `cantil` command in the current shell.

The function runs `$CANTIL_EXE shell.<shell> activate|deactivate ...` and evaluates its output in the current shell;
after install/update/remove it runs `reactivate` (activate.d scripts of new packages run). CONDA_SHLVL is set to 0
when undefined, as conda's hook does, so both tools agree on the level.

Traps: posix `$(...)` strips trailing newlines only, so values may hold newlines; PS1 is handed to the child via
`export` inside the command substitution (a `PS1=... func` prefix would persist and export PS1 in dash). fish
command substitution splits lines: they are joined back before `source`. csh has no functions: `cantil` is an alias
sourcing `cantil.csh` (shipped beside this module) with the arguments, and the activation text goes through a
temporary file because command substitution would turn its newlines into spaces. xonsh evaluates the text with
the execer in the user's context. cmd.exe cannot evaluate text: its hook is the content of a `cantil.bat`.
"""

from __future__ import annotations

import os

from cantil.activate.errors import UnquotableValue

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.activate._activator import Activator

REACTIVATE_AFTER = ("install", "update", "upgrade", "remove", "uninstall")
CSH_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cantil.csh")

_POSIX = """\
__cantil_exe() (
    if [ -n "${_CANTIL_M:+x}" ] && [ -n "${_CANTIL_MOD:+x}" ]; then
        "$CANTIL_EXE" "$_CANTIL_M" "$_CANTIL_MOD" "$@"
    else
        "$CANTIL_EXE" "$@"
    fi
)

__cantil_rehash() {
    if [ -n "${ZSH_VERSION:+x}" ]; then
        \\rehash
    elif [ -n "${POSH_VERSION:+x}" ]; then
        :
    else
        \\hash -r
    fi
}

__cantil_activate() {
    \\local __cantil_text
    __cantil_text="$(\\export PS1="${PS1:-}"; __cantil_exe shell.@SHELL@ "$@")" || \\return
    \\eval "$__cantil_text"
    __cantil_rehash
}

cantil() {
    \\local __cantil_cmd="${1-__missing__}"
    case "$__cantil_cmd" in
        activate|deactivate)
            __cantil_activate "$@"
            ;;
        install|update|upgrade|remove|uninstall)
            __cantil_exe "$@" || \\return
            __cantil_activate reactivate
            ;;
        *)
            __cantil_exe "$@"
            ;;
    esac
}

if [ -z "${CONDA_SHLVL+x}" ]; then
    \\export CONDA_SHLVL=0
fi
if [ -z "${PS1+x}" ]; then
    PS1=
fi
"""

_FISH = """\
if not set -q CONDA_SHLVL
    set -gx CONDA_SHLVL 0
end

function __cantil_exe
    if set -q _CANTIL_M; and set -q _CANTIL_MOD
        $CANTIL_EXE $_CANTIL_M $_CANTIL_MOD $argv
    else
        $CANTIL_EXE $argv
    end
end

function __cantil_activate
    set -l __cantil_text (__cantil_exe shell.fish $argv)
    or return
    string join \\n -- $__cantil_text | source
end

function cantil
    if test (count $argv) -lt 1
        __cantil_exe
        return
    end
    switch $argv[1]
        case activate deactivate
            __cantil_activate $argv
        case install update upgrade remove uninstall
            __cantil_exe $argv
            or return
            __cantil_activate reactivate
        case '*'
            __cantil_exe $argv
    end
end
"""

_FISH_PROMPT = """
if not functions -q __cantil_fish_prompt_orig
    if functions -q fish_prompt
        functions -c fish_prompt __cantil_fish_prompt_orig
        functions -e fish_prompt
    else
        function __cantil_fish_prompt_orig
        end
    end
    function __cantil_status
        return $argv[1]
    end
    function fish_prompt
        set -l last_status $status
        if set -q CONDA_PROMPT_MODIFIER
            echo -n -- $CONDA_PROMPT_MODIFIER
        end
        __cantil_status $last_status
        __cantil_fish_prompt_orig
    end
end
"""

_XONSH = """\
if 'CONDA_SHLVL' not in ${...}:
    $CONDA_SHLVL = '0'


def _cantil_command(args):
    cmd = [$CANTIL_EXE]
    if ${...}.get('_CANTIL_M') and ${...}.get('_CANTIL_MOD'):
        cmd += [$_CANTIL_M, $_CANTIL_MOD]
    return cmd + list(args)


def _cantil_apply(args):
    import subprocess
    done = subprocess.run(_cantil_command(['shell.xonsh', *args]), env=__xonsh__.env.detype(),
                          stdout=subprocess.PIPE, encoding='utf-8')
    if done.returncode == 0 and done.stdout:
        __xonsh__.execer.exec(done.stdout, glbs=__xonsh__.ctx, filename='cantil shell.xonsh ' + args[0])
    return done.returncode


def _cantil(args, stdin=None):
    import subprocess
    args = list(args)
    if args and args[0] in ('activate', 'deactivate'):
        return _cantil_apply(args)
    rc = subprocess.run(_cantil_command(args), env=__xonsh__.env.detype()).returncode
    if rc == 0 and args and args[0] in @REACTIVATE@:
        return _cantil_apply(['reactivate'])
    return rc


_cantil.__xonsh_threadable__ = False
aliases['cantil'] = _cantil
"""

_POWERSHELL = """\
if ($null -eq $Env:CONDA_SHLVL) { $Env:CONDA_SHLVL = '0' }

function global:Invoke-CantilExe {
    $prefixArgs = @()
    if ($Env:_CANTIL_M -and $Env:_CANTIL_MOD) { $prefixArgs = @($Env:_CANTIL_M, $Env:_CANTIL_MOD) }
    & $Env:CANTIL_EXE @prefixArgs @args
}

function global:Invoke-CantilShell {
    $text = (Invoke-CantilExe shell.powershell @args | Out-String)
    if ($LASTEXITCODE -ne 0) { return }
    if ($text.Trim().Length -gt 0) { Invoke-Expression -Command $text }
}

function global:Invoke-Cantil {
    if ($args.Count -eq 0) { Invoke-CantilExe; return }
    switch -Regex ($args[0]) {
        '^(activate|deactivate)$' { Invoke-CantilShell @args; break }
        '^(install|update|upgrade|remove|uninstall)$' {
            Invoke-CantilExe @args
            if ($LASTEXITCODE -eq 0) { Invoke-CantilShell reactivate }
            break
        }
        default { Invoke-CantilExe @args }
    }
}

Set-Alias -Name cantil -Value Invoke-Cantil -Scope Global -Force
"""

_POWERSHELL_PROMPT = """
if (-not (Test-Path Function:\\CantilPromptBackup)) {
    if (Test-Path Function:\\prompt) {
        Rename-Item Function:\\prompt CantilPromptBackup
    } else {
        function global:CantilPromptBackup {
            "PS $($executionContext.SessionState.Path.CurrentLocation)$('>' * ($nestedPromptLevel + 1)) "
        }
    }
    function global:prompt {
        if ($Env:CONDA_PROMPT_MODIFIER) { $Env:CONDA_PROMPT_MODIFIER | Write-Host -NoNewline }
        CantilPromptBackup
    }
}
"""

_CMD = """\
@REM cantil.bat: the `cantil` command for cmd.exe (written by `cantil init cmd.exe`; `cantil shell.cmd.exe hook`).
@IF NOT DEFINED CANTIL_EXE @SET "CANTIL_EXE=@EXE@"
@IF NOT DEFINED CONDA_SHLVL @SET "CONDA_SHLVL=0"
@IF /I "%~1"=="activate" GOTO :CANTIL_SHELL
@IF /I "%~1"=="deactivate" GOTO :CANTIL_SHELL
@CALL "%CANTIL_EXE%" %_CANTIL_M% %_CANTIL_MOD% %*
@IF ERRORLEVEL 1 EXIT /B %ERRORLEVEL%
@FOR %%C IN (install update upgrade remove uninstall) DO @IF /I "%~1"=="%%C" GOTO :CANTIL_REACTIVATE
@EXIT /B 0

:CANTIL_REACTIVATE
@CALL :CANTIL_APPLY reactivate
@EXIT /B %ERRORLEVEL%

:CANTIL_SHELL
@CALL :CANTIL_APPLY %*
@EXIT /B %ERRORLEVEL%

:CANTIL_APPLY
@SET "_CANTIL_ENVFILE="
@FOR /F "delims=" %%F IN ('CALL "%CANTIL_EXE%" %_CANTIL_M% %_CANTIL_MOD% shell.cmd.exe %*') DO @SET "_CANTIL_ENVFILE=%%F"
@IF NOT DEFINED _CANTIL_ENVFILE EXIT /B 1
@FOR /F "usebackq tokens=1,* delims==" %%A IN ("%_CANTIL_ENVFILE%") DO @(
    IF "%%A"=="_CANTIL_SCRIPT" (CALL "%%B") ELSE (SET "%%A=%%B")
)
@DEL /F /Q "%_CANTIL_ENVFILE%" 2>NUL
@SET "_CANTIL_ENVFILE="
@EXIT /B 0
"""


def _preamble(activator: Activator) -> list[str]:
    s = activator.syntax
    lines = []
    for name, value in activator._exe_vars().items():
        lines.append(s.unset(name) if value is None else s.export(name, value))
    return lines


def _auto_activate(activator: Activator) -> bool:
    settings = activator.settings
    return settings.auto_activate and os.path.isdir(os.path.join(settings.root_prefix, "conda-meta"))


def hook_text(activator: Activator) -> str:
    s = activator.syntax
    name = s.name
    pre = s.join(_preamble(activator))
    auto = _auto_activate(activator)
    if name == "posix":
        shell = activator.shell if activator.shell in ("bash", "zsh") else "posix"
        return pre + "\n" + _POSIX.replace("@SHELL@", shell) + ("cantil activate base\n" if auto else "")
    if name == "fish":
        prompt = _FISH_PROMPT if activator.settings.changeps1 else ""
        return pre + "\n" + _FISH + prompt + ("cantil activate base\n" if auto else "")
    if name == "xonsh":
        text = _XONSH.replace("@REACTIVATE@", repr(REACTIVATE_AFTER))
        return pre + "\n" + text + ("_cantil(['activate', 'base'])\n" if auto else "")
    if name == "powershell":
        prompt = _POWERSHELL_PROMPT if activator.settings.changeps1 else ""
        return pre + "\n" + _POWERSHELL + prompt + ("Invoke-Cantil activate base\n" if auto else "")
    if name == "csh":
        if '"' in CSH_SOURCE:
            raise UnquotableValue("csh", "alias cantil", CSH_SOURCE, "a double quote in the path of cantil.csh")
        lines = [
            "if ( ! $?CONDA_SHLVL ) setenv CONDA_SHLVL 0",
            "if ( ! $?prompt ) set prompt=''",
            "alias cantil " + s.quote(f'source "{CSH_SOURCE}"'),
        ]
        if auto:
            lines.append(f"source {s.quote(CSH_SOURCE)} activate base")
        return pre + s.join(lines)
    # cmd.exe: the content of cantil.bat
    exe = activator.settings.exe or "cantil.exe"
    s.quote(exe)  # refuses line breaks
    return _CMD.replace("@EXE@", exe).replace("\n", "\r\n")
