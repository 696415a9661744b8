# cantil.csh: `cantil` for csh/tcsh. The alias that `cantil shell.csh hook` defines sources this file with the
# command's arguments in $argv. Activation text goes through a temporary file: command substitution in csh would
# turn its newlines into spaces.
set _cantil_cmd = ( "$CANTIL_EXE" )
if ( $?_CANTIL_M && $?_CANTIL_MOD ) then
    set _cantil_cmd = ( $_cantil_cmd:q "$_CANTIL_M" "$_CANTIL_MOD" )
endif
set _cantil_verb = ""
if ( $#argv > 0 ) set _cantil_verb = "$argv[1]"
set _cantil_status = 0
switch ( "$_cantil_verb" )
case activate:
case deactivate:
    set _cantil_apply = ( $argv:q )
    breaksw
case install:
case update:
case upgrade:
case remove:
case uninstall:
    $_cantil_cmd:q $argv:q
    set _cantil_status = $status
    set _cantil_apply = ( reactivate )
    if ( $_cantil_status != 0 ) set _cantil_apply = ( )
    breaksw
default:
    $_cantil_cmd:q $argv:q
    set _cantil_status = $status
    set _cantil_apply = ( )
    breaksw
endsw
if ( $#_cantil_apply > 0 ) then
    set _cantil_tmp = "`mktemp`"
    if ( ! $?prompt ) set prompt = ""
    ( setenv prompt "$prompt" ; $_cantil_cmd:q shell.csh $_cantil_apply:q ) >! "$_cantil_tmp"
    set _cantil_status = $status
    if ( $_cantil_status == 0 ) source "$_cantil_tmp"
    rm -f "$_cantil_tmp"
    unset _cantil_tmp
    rehash
endif
unset _cantil_cmd _cantil_verb _cantil_apply
test "$_cantil_status" = 0
