"""Four threads add 1 to one shared counter: when are updates lost?

Run without arguments. It tries three versions of the same loop:
  1. counter += 1 with no lock. In CPython the GIL switches threads only at
     certain points, which in practice never fall inside this one line, so
     nothing is lost here - but no rule of the language promises that.
  2. tmp = counter; time.sleep(0); counter = tmp + 1. sleep(0) lets another
     thread run between the read and the write: that thread's update is
     overwritten. This is the race the lesson describes; most updates are lost.
  3. The same read-sleep-write, holding a Lock: one thread at a time, none lost.

Usage: python3 thread_race.py [ignored]
"""
import threading
import time

THREADS = 4
PLAIN = 100000       # increments per thread for version 1
SLOW = 5000          # per thread for versions 2 and 3 (sleep(0) is slow)

counter = 0
lock = threading.Lock()


def plain(n):
    global counter
    for _ in range(n):
        counter += 1


def racy(n):
    global counter
    for _ in range(n):
        tmp = counter
        time.sleep(0)                 # another thread may run here
        counter = tmp + 1


def locked(n):
    global counter
    for _ in range(n):
        with lock:                    # read, pause and write as one step
            tmp = counter
            time.sleep(0)
            counter = tmp + 1


def run(name, work, n):
    global counter
    counter = 0
    threads = [threading.Thread(target=work, args=(n,)) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = THREADS * n
    print('%s: expected %d, got %d, lost %d' % (name, expected, counter, expected - counter), flush=True)


if __name__ == '__main__':
    run('counter += 1', plain, PLAIN)
    run('tmp = counter; sleep(0); counter = tmp + 1', racy, SLOW)
    run('the same with a Lock', locked, SLOW)
