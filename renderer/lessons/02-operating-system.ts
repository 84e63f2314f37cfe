import { errorMeaning } from './reading'
import { diagram, list, note, p, t, type Lesson, type RunFacts, type Text } from './types'

/** The try-its start servers on one port: the first is given it, the second is refused. */
export function readPortOutcome({ kind, summary, error }: RunFacts): Text[] {
  if (kind === 'error' && error) {
    const meaning = errorMeaning(error)
    if (error.code !== 'ERR_PORT_IN_USE') return meaning
    return [t('这正是预测问的：操作系统拒绝了第二个服务器。', 'This is what the prediction asked about: the OS refused the second server.'), ...meaning]
  }
  if (kind !== 'net.server' || summary.state !== 'listening') return []
  const where = `${String(summary.host)}:${String(summary.port)}`
  if (typeof summary.samePort === 'number' && summary.samePort > 0) {
    return [
      t(
        `${where} 上同时有两个服务器在监听：这个系统允许第二个绑定同一端口（Windows 上 SO_REUSEADDR 就是这样）。在 Linux 和 macOS 上这不会发生。`,
        `Two servers listen on ${where} at once: this system let the second bind the same port (that is what SO_REUSEADDR does on Windows). On Linux and macOS this does not happen.`,
      ),
    ]
  }
  return [
    t(
      `操作系统把 ${where} 给了你的服务器：它在监听（服务器面板的套接字表里，它的套接字处于 LISTEN 状态）。现在按第二个按钮，在同一端口再启动一个，看操作系统怎么回答。`,
      `The OS gave ${where} to your server: it is listening (in the server panel’s socket table its socket is in LISTEN). Now press the second button, another server on the same port, and see what the OS answers.`,
    ),
  ]
}

const lesson: Lesson = {
  id: 'operating-system',
  title: t('操作系统做什么', 'What an operating system does'),
  summary: t('把硬件藏在简单的接口后面，并让进程对硬件的竞争变得有序。', 'It hides hardware behind simple interfaces and puts the competition for it in order.'),
  body: [
    p(
      '操作系统是一个协调、管理和控制计算机硬件资源与软件资源的程序。它位于应用程序和硬件之间，主要做两件事。',
      'An operating system is the program that coordinates, manages and controls a computer’s hardware and software resources. It sits between applications and hardware, and does two main jobs.',
    ),
    list(
      t(
        '第一，把复杂的硬件操作封装成简单的接口。写网络程序时，你调用 socket()、bind()、send()，不必知道网卡怎样收发信号；读文件时调用 open() 和 read()，不必知道数据在磁盘的哪个扇区。这些接口叫系统调用，Python 的 socket 模块就是对它们的一层薄薄的包装。',
        'First, it wraps complicated hardware operations in simple interfaces. In a network program you call socket(), bind() and send() without knowing how the network card sends signals; to read a file you call open() and read() without knowing which disk sectors hold it. These interfaces are system calls; Python’s socket module is a thin layer over them.',
      ),
      t(
        '第二，让多个进程对硬件的竞争变得有序。许多进程同时想用 CPU、内存、磁盘和网络端口，操作系统决定谁先谁后、谁用多少：调度器分配 CPU 时间，内存管理让各进程的内存互不干扰，一个 TCP 端口同一时刻只给一个监听套接字。',
        'Second, it turns the competition of many processes for the hardware into order. Many processes want the CPU, memory, disks and network ports at once; the OS decides who goes first and who gets how much: the scheduler shares out CPU time, memory management keeps processes’ memory apart, and a TCP port is given to one listening socket at a time.',
      ),
    ),
    diagram('os-layers', '应用程序通过系统调用使用硬件；操作系统在中间分配和保护资源。', 'Applications use the hardware through system calls; the OS in between allocates and protects resources.'),
    p(
      '实验室里的许多数字都来自这两件事：进程号、线程、CPU 时间由操作系统记录并报告给我们；端口冲突由操作系统裁决，然后以错误的形式告诉程序。',
      'Many numbers in the lab come from these two jobs: PIDs, threads and CPU times are recorded by the OS and reported to us; port conflicts are settled by the OS and reported to the program as errors.',
    ),
    note(
      '右边的 Python 程序设置了 allow_reuse_address = True（即 SO_REUSEADDR）。在 Linux 和 macOS 上，它只是让服务器重启后能马上再绑定刚用过、还处在 TIME_WAIT 状态的端口；两个服务器同时监听同一端口仍会被拒绝。在 Windows 上它的含义不同：第二个套接字也能绑定同一端口，所以那里可能看不到这个错误（Windows 上要独占端口，应使用 SO_EXCLUSIVEADDRUSE）。',
      'The Python program beside this lesson sets allow_reuse_address = True (that is, SO_REUSEADDR). On Linux and macOS this only lets a restarted server bind again at once to a port it just used, still in TIME_WAIT; two servers listening on one port at the same time are still refused. On Windows it means something else: a second socket may bind the same port too, so there you may not see this error (to hold a port exclusively on Windows, use SO_EXCLUSIVEADDRUSE).',
    ),
    note(
      '操作系统本身也是软件，但它运行在特权模式下：只有它能直接操作硬件。普通程序要用硬件，只能通过系统调用请它代劳。',
      'The OS is software too, but it runs in a privileged mode: only it touches the hardware directly. An ordinary program that needs the hardware must ask the OS through a system call.',
    ),
  ],
  prediction: {
    question: t(
      '两个 TCP 服务器都要在 127.0.0.1:8081 上监听。会发生什么？',
      'Two TCP servers both want to listen on 127.0.0.1:8081. What happens?',
    ),
    choices: [
      { id: 'share', text: t('两个都成功，客户端轮流分给它们', 'Both succeed and take turns with clients') },
      { id: 'refuse', text: t('操作系统拒绝第二个：地址已被占用', 'The OS refuses the second: address already in use') },
      { id: 'replace', text: t('第二个把第一个挤掉', 'The second one pushes the first one out') },
    ],
    correct: 'refuse',
    explanation: t(
      '端口是操作系统管理的资源。第一个服务器绑定之后，操作系统（在默认设置下）拒绝第二个绑定同一地址和端口：Python 里是 OSError: [Errno 98] Address already in use，实验室显示“端口已被占用”。这就是“让竞争有序”的一个例子。',
      'A port is a resource the OS manages. Once the first server is bound, the OS (with default settings) refuses a second bind to the same address and port: in Python, OSError: [Errno 98] Address already in use; in the lab, “port already in use”. That is the OS putting competition in order.',
    ),
    watch: t('先启动一个服务器，再在同一端口启动第二个，读实验室给出的错误。', 'Start one server, then a second on the same port, and read the error the lab shows.'),
  },
  tryIt: [
    { label: t('在 8081 启动 TCP 服务器', 'Start a TCP server on 8081'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'threading', port: 8081, autoStart: true } } },
    { label: t('再在 8081 启动一个', 'Start another one on 8081'), preset: { experiment: 'network/server', settings: { proto: 'tcp', mode: 'serial', port: 8081, autoStart: true } } },
  ],
  python: ['tcp_server_threading'],
  historyKinds: [],
  reading: readPortOutcome,
}

export default lesson
