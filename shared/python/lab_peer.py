"""Started by Socket & Process Lab to run one of its Python programs as a peer.

The lab holds this process's standard input open. When the lab stops the
program, or exits in any way (even killed), standard input reaches its end
and this process exits too, so no Python server is left behind.

Usage (by the lab): python3 -u lab_peer.py PROGRAM.py [arguments ...]
"""
import os
import runpy
import sys
import threading


def exit_when_lab_goes_away():
    try:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader
        # makes the interpreter abort at shutdown.
        while os.read(0, 1024):
            pass
    finally:
        os._exit(0)


threading.Thread(target=exit_when_lab_goes_away, daemon=True).start()
program = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(program, run_name='__main__')
