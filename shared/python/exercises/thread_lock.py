"""Exercise (e) / 练习 (e): fix the thread race with a Lock.
用一把 Lock 修好线程之间的竞争。

The lab runs:   python3 thread_lock.py
实验室这样运行：python3 thread_lock.py

Four threads each add 1 to one counter 2000 times, with a pause between the
read and the write. The program prints "expected 8000, got N"; the check
passes when N is 8000, twice in a row.
4 个线程各给同一个计数器加 1，各 2000 次，读和写之间有一次停顿。
程序打印 "expected 8000, got N"；连续两次 N 都是 8000，检查才通过。
"""
import threading
import time

THREADS = 4
TIMES = 2000
counter = 0


def work():
    global counter
    for _ in range(TIMES):
        tmp = counter
        time.sleep(0)            # another thread may run here / 别的线程可能在这里运行
        counter = tmp + 1


threads = [threading.Thread(target=work) for _ in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print('expected %d, got %d' % (THREADS * TIMES, counter), flush=True)
