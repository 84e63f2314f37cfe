"""4 个线程给同一个共享计数器加 1：什么时候会丢失更新？

不带参数运行。它依次试验同一个循环的三种写法：
  1. 不加锁的 counter += 1。在 CPython 里，GIL 只在某些位置切换线程，
     实际上从不落在这一行的中间，所以这里一次也不丢——
     但语言本身并不保证这一点。
  2. tmp = counter; time.sleep(0); counter = tmp + 1。sleep(0) 让别的线程
     在“读”和“写”之间运行：那个线程的更新被覆盖了。这就是课文讲的
     竞争条件；大部分更新都丢了。
  3. 同样的“读—暂停—写”，但拿着一把 Lock：一次只有一个线程，一个也不丢。

用法：python3 thread_race.py [忽略]
"""
import threading
import time

THREADS = 4
PLAIN = 100000       # 写法 1 每个线程加几次
SLOW = 5000          # 写法 2 和 3 每个线程加几次（sleep(0) 很慢）

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
        time.sleep(0)                 # 别的线程可能在这里运行
        counter = tmp + 1


def locked(n):
    global counter
    for _ in range(n):
        with lock:                    # 读、暂停、写，作为一步完成
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
