"""Started by Socket & Process Lab to run one of its Python programs as a peer.

The lab holds this process's standard input open. When the lab stops the
program, or exits in any way (even killed), standard input reaches its end
and this process exits too, with every process it forked, so no Python
server or forked connection handler is left behind.

Usage (by the lab): python3 -u lab_peer.py PROGRAM.py [arguments ...]
"""
import os
import runpy
import signal
import sys
import threading


def end_own_process_group():
    """Ends the children os.fork made (ForkingTCPServer's, one per client).

    They run without this watching thread (fork copies only the calling
    thread) and would serve their clients on after the lab died. The lab
    starts this process as the leader of its own process group, so the group
    is exactly this program and its children. Only a leader may do this:
    otherwise the group would be the lab's, or a terminal's.
    """
    if not hasattr(os, 'killpg') or os.getpgrp() != os.getpid():
        return
    try:
        os.killpg(os.getpgrp(), signal.SIGKILL)   # this process too: it was exiting
    except OSError:
        pass


def exit_when_lab_goes_away():
    try:
        # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader
        # makes the interpreter abort at shutdown.
        while os.read(0, 1024):
            pass
    finally:
        end_own_process_group()
        os._exit(0)


threading.Thread(target=exit_when_lab_goes_away, daemon=True).start()
program = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(program, run_name='__main__')
