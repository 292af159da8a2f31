# Fills COMPREPLY with the IDs and names of keys starting with $1, from the
# store a --db on the line names (else INTERGIRO_KEYS_DB's, or the default);
# a name that needs quoting is quoted.
__intergiro_keys_keys() {
    COMPREPLY=()
    local db=() i candidate
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "${COMP_WORDS[i]}" in
            --db) db=(--db "${COMP_WORDS[i+1]/#\~/$HOME}") ;;
            --db=*) db=("${COMP_WORDS[i]}") ;;
        esac
    done
    while IFS=$'\t' read -r candidate _; do
        if [[ ${candidate} == *[!A-Za-z0-9._+@:=,/-]* ]]; then
            printf -v candidate '%q' "${candidate}"
        fi
        COMPREPLY+=("${candidate}")
    done < <(INTERGIRO_KEYS_COMPLETE=keys command intergiro-keys "${db[@]}" -- "$1" 2>/dev/null)
}

# Fills COMPREPLY with compgen's candidates, one per line, so that a
# candidate with a space in it stays one word.
__intergiro_keys_compgen() {
    COMPREPLY=()
    local candidate
    while IFS='' read -r candidate; do
        COMPREPLY+=("$candidate")
    done < <(compgen "$@")
}

_intergiro__keys() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="intergiro__keys"
                ;;
            intergiro__keys,audit)
                cmd="intergiro__keys__subcmd__audit"
                ;;
            intergiro__keys,backup)
                cmd="intergiro__keys__subcmd__backup"
                ;;
            intergiro__keys,check)
                cmd="intergiro__keys__subcmd__check"
                ;;
            intergiro__keys,completions)
                cmd="intergiro__keys__subcmd__completions"
                ;;
            intergiro__keys,create)
                cmd="intergiro__keys__subcmd__create"
                ;;
            intergiro__keys,delete)
                cmd="intergiro__keys__subcmd__delete"
                ;;
            intergiro__keys,help)
                cmd="intergiro__keys__subcmd__help"
                ;;
            intergiro__keys,init)
                cmd="intergiro__keys__subcmd__init"
                ;;
            intergiro__keys,list)
                cmd="intergiro__keys__subcmd__list"
                ;;
            intergiro__keys,migrate)
                cmd="intergiro__keys__subcmd__migrate"
                ;;
            intergiro__keys,remove)
                cmd="intergiro__keys__subcmd__delete"
                ;;
            intergiro__keys,renew)
                cmd="intergiro__keys__subcmd__renew"
                ;;
            intergiro__keys,revoke)
                cmd="intergiro__keys__subcmd__delete"
                ;;
            intergiro__keys,rm)
                cmd="intergiro__keys__subcmd__delete"
                ;;
            intergiro__keys,rotate)
                cmd="intergiro__keys__subcmd__rotate"
                ;;
            intergiro__keys,scan)
                cmd="intergiro__keys__subcmd__scan"
                ;;
            intergiro__keys,serve)
                cmd="intergiro__keys__subcmd__serve"
                ;;
            intergiro__keys,show)
                cmd="intergiro__keys__subcmd__show"
                ;;
            intergiro__keys,status)
                cmd="intergiro__keys__subcmd__status"
                ;;
            intergiro__keys,upgrade)
                cmd="intergiro__keys__subcmd__upgrade"
                ;;
            intergiro__keys,users)
                cmd="intergiro__keys__subcmd__users"
                ;;
            intergiro__keys,verify)
                cmd="intergiro__keys__subcmd__verify"
                ;;
            intergiro__keys__subcmd__help,audit)
                cmd="intergiro__keys__subcmd__help__subcmd__audit"
                ;;
            intergiro__keys__subcmd__help,backup)
                cmd="intergiro__keys__subcmd__help__subcmd__backup"
                ;;
            intergiro__keys__subcmd__help,check)
                cmd="intergiro__keys__subcmd__help__subcmd__check"
                ;;
            intergiro__keys__subcmd__help,completions)
                cmd="intergiro__keys__subcmd__help__subcmd__completions"
                ;;
            intergiro__keys__subcmd__help,create)
                cmd="intergiro__keys__subcmd__help__subcmd__create"
                ;;
            intergiro__keys__subcmd__help,delete)
                cmd="intergiro__keys__subcmd__help__subcmd__delete"
                ;;
            intergiro__keys__subcmd__help,help)
                cmd="intergiro__keys__subcmd__help__subcmd__help"
                ;;
            intergiro__keys__subcmd__help,init)
                cmd="intergiro__keys__subcmd__help__subcmd__init"
                ;;
            intergiro__keys__subcmd__help,list)
                cmd="intergiro__keys__subcmd__help__subcmd__list"
                ;;
            intergiro__keys__subcmd__help,migrate)
                cmd="intergiro__keys__subcmd__help__subcmd__migrate"
                ;;
            intergiro__keys__subcmd__help,renew)
                cmd="intergiro__keys__subcmd__help__subcmd__renew"
                ;;
            intergiro__keys__subcmd__help,rotate)
                cmd="intergiro__keys__subcmd__help__subcmd__rotate"
                ;;
            intergiro__keys__subcmd__help,scan)
                cmd="intergiro__keys__subcmd__help__subcmd__scan"
                ;;
            intergiro__keys__subcmd__help,serve)
                cmd="intergiro__keys__subcmd__help__subcmd__serve"
                ;;
            intergiro__keys__subcmd__help,show)
                cmd="intergiro__keys__subcmd__help__subcmd__show"
                ;;
            intergiro__keys__subcmd__help,status)
                cmd="intergiro__keys__subcmd__help__subcmd__status"
                ;;
            intergiro__keys__subcmd__help,upgrade)
                cmd="intergiro__keys__subcmd__help__subcmd__upgrade"
                ;;
            intergiro__keys__subcmd__help,users)
                cmd="intergiro__keys__subcmd__help__subcmd__users"
                ;;
            intergiro__keys__subcmd__help,verify)
                cmd="intergiro__keys__subcmd__help__subcmd__verify"
                ;;
            intergiro__keys__subcmd__help__subcmd__users,add)
                cmd="intergiro__keys__subcmd__help__subcmd__users__subcmd__add"
                ;;
            intergiro__keys__subcmd__help__subcmd__users,grant)
                cmd="intergiro__keys__subcmd__help__subcmd__users__subcmd__grant"
                ;;
            intergiro__keys__subcmd__help__subcmd__users,list)
                cmd="intergiro__keys__subcmd__help__subcmd__users__subcmd__list"
                ;;
            intergiro__keys__subcmd__help__subcmd__users,remove)
                cmd="intergiro__keys__subcmd__help__subcmd__users__subcmd__remove"
                ;;
            intergiro__keys__subcmd__help__subcmd__users,revoke)
                cmd="intergiro__keys__subcmd__help__subcmd__users__subcmd__revoke"
                ;;
            intergiro__keys__subcmd__users,add)
                cmd="intergiro__keys__subcmd__users__subcmd__add"
                ;;
            intergiro__keys__subcmd__users,grant)
                cmd="intergiro__keys__subcmd__users__subcmd__grant"
                ;;
            intergiro__keys__subcmd__users,help)
                cmd="intergiro__keys__subcmd__users__subcmd__help"
                ;;
            intergiro__keys__subcmd__users,list)
                cmd="intergiro__keys__subcmd__users__subcmd__list"
                ;;
            intergiro__keys__subcmd__users,remove)
                cmd="intergiro__keys__subcmd__users__subcmd__remove"
                ;;
            intergiro__keys__subcmd__users,revoke)
                cmd="intergiro__keys__subcmd__users__subcmd__revoke"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,add)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__add"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,grant)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__grant"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,help)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__help"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,list)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__list"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,remove)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__remove"
                ;;
            intergiro__keys__subcmd__users__subcmd__help,revoke)
                cmd="intergiro__keys__subcmd__users__subcmd__help__subcmd__revoke"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        intergiro__keys)
            opts="-h -V --db --format --color --no-input --no-pager --help --version init migrate upgrade create list renew delete rm remove revoke rotate show verify serve check users audit scan backup status completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__audit)
            opts="-h --key --operator --since --after --follow --syslog --syslog-socket --verify --expect-head --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --key)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --operator)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --since)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --after)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --syslog-socket)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --expect-head)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__backup)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__check)
            opts="-w -c -h --warning --critical --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --warning)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                -w)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --critical)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                -c)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__completions)
            opts="-h --db --format --color --no-input --no-pager --help bash elvish fish powershell zsh"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__create)
            opts="-n -r -h --name --role --unique-name --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --name)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                -n)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --role)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                -r)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__delete)
            opts="-y -h --created-by --older-than --role --status --name --unused-for --yes --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --created-by)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --older-than)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --role)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --status)
                    __intergiro_keys_compgen -W "active expiring frozen unissued retiring" -- "${cur}"
                    return 0
                    ;;
                --name)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --unused-for)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_keys "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help)
            opts="init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__audit)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__backup)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__check)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__completions)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__create)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__delete)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__init)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__migrate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__renew)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__rotate)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__scan)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__serve)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__upgrade)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users)
            opts="list add grant revoke remove"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users__subcmd__add)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users__subcmd__grant)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__users__subcmd__revoke)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__help__subcmd__verify)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__init)
            opts="-h --adopt --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__list)
            opts="-h --expiring --within --role --status --name --unused-for --created-by --older-than --sort --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --within)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --role)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --status)
                    __intergiro_keys_compgen -W "active expiring frozen unissued retiring" -- "${cur}"
                    return 0
                    ;;
                --name)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --unused-for)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --created-by)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --older-than)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --sort)
                    __intergiro_keys_compgen -W "id name created freezes last-used" -- "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__migrate)
            opts="-y -h --to --yes --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --to)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__renew)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_keys "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__rotate)
            opts="-h --grace --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --grace)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_keys "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__scan)
            opts="-y -h --no-ignore --staged --git --no-check --revoke --yes --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --git)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__serve)
            opts="-h --listen --workers --queue --cache-ttl --negative-ttl --cache-size --drain --expect-head --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --listen)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --workers)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --queue)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --cache-ttl)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --negative-ttl)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --cache-size)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --drain)
                    __intergiro_keys_compgen -f "${cur}"
                    return 0
                    ;;
                --expect-head)
                    COMPREPLY=("${cur}")
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o nospace
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__show)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_keys "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__status)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__upgrade)
            opts="-h --dry-run --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users)
            opts="-h --db --format --color --no-input --no-pager --help list add grant revoke remove help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__add)
            opts="-p -h --permission --key-roles --force --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --permission)
                    __intergiro_keys_compgen -W "verify view create renew delete admin" -- "${cur}"
                    return 0
                    ;;
                -p)
                    __intergiro_keys_compgen -W "verify view create renew delete admin" -- "${cur}"
                    return 0
                    ;;
                --key-roles)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__grant)
            opts="-h --key-roles --any-key-role --db --format --color --no-input --no-pager --help verify view create renew delete admin"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --key-roles)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help)
            opts="list add grant revoke remove help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__add)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__grant)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__help__subcmd__revoke)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__list)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__remove)
            opts="-h --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__users__subcmd__revoke)
            opts="-h --key-roles --any-key-role --db --format --color --no-input --no-pager --help verify view create renew delete admin"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --key-roles)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
        intergiro__keys__subcmd__verify)
            opts="-r -h --role --key-file --db --format --color --no-input --no-pager --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                __intergiro_keys_compgen -W "${opts}" -- "${cur}"
                return 0
            fi
            case "${prev}" in
                --role)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                -r)
                    __intergiro_keys_compgen -W "transactions accounts payments" -- "${cur}"
                    return 0
                    ;;
                --key-file)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --db)
                    local oldifs
                    if [ -n "${IFS+x}" ]; then
                        oldifs="$IFS"
                    fi
                    IFS=$'\n'
                    __intergiro_keys_compgen -f "${cur}"
                    if [ -n "${oldifs+x}" ]; then
                        IFS="$oldifs"
                    fi
                    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
                        compopt -o filenames
                    fi
                    return 0
                    ;;
                --format)
                    __intergiro_keys_compgen -W "table json sarif openmetrics prometheus jsonl" -- "${cur}"
                    return 0
                    ;;
                --color)
                    __intergiro_keys_compgen -W "auto always never" -- "${cur}"
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            __intergiro_keys_compgen -W "${opts}" -- "${cur}"
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _intergiro__keys -o nosort -o bashdefault -o default intergiro-keys
else
    complete -F _intergiro__keys -o bashdefault -o default intergiro-keys
fi
