#!/usr/bin/python3
"""Checks fuzz suspects: inputs the engine called clean although their bytes
still spell a dangerous import's module and name. Walks each file's opcodes
with CPython's pickletools (a static walk: nothing is loaded) and says whether
any GLOBAL, INST or STACK_GLOBAL (operands followed through the memo) still
imports something, before the walk ends or fails as pickle.load would.

    /usr/bin/python3 fuzz/verify-suspects.py fuzz/out/suspect-*.bin
Exit status 1 when a suspect still imports: that one is a real miss.
"""
import pickletools
import sys


def imports(data):
    found, strings, memo = [], [], {}
    try:
        for op, arg, pos in pickletools.genops(data):
            name = op.name
            if name in ('GLOBAL', 'INST'):
                found.append((pos, arg.replace(' ', '.')))
            elif name in ('SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE'):
                strings.append(arg)
            elif name in ('MEMOIZE',):
                memo[len(memo)] = strings[-1] if strings else None
            elif name in ('BINPUT', 'LONG_BINPUT', 'PUT'):
                memo[arg] = strings[-1] if strings else None
            elif name in ('BINGET', 'LONG_BINGET', 'GET'):
                strings.append(memo.get(arg))
            elif name == 'STACK_GLOBAL':
                found.append((pos, f'{strings[-2] if len(strings) > 1 else "?"}.{strings[-1] if strings else "?"}'))
            if name == 'STOP':
                break
    except Exception as error:  # pickle.load stops at the same place
        return found, f'walk stops: {error}'
    return found, 'reached STOP'


def main(paths):
    misses = 0
    for path in paths:
        with open(path, 'rb') as f:
            found, end = imports(f.read())
        verdict = 'STILL IMPORTS' if found else 'import gone'
        misses += bool(found)
        print(f'{path}: {verdict}; {end}; imports {found}')
    return 1 if misses else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
