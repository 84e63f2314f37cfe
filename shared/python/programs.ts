/**
 * The Python programs written for this lab, as text: shown (and copied) by the lessons,
 * and run by the engine as peers. One registry for both, so what the learner reads is
 * exactly what runs.
 */
import type { PythonProgramId } from '../contract/python'
import framedClient from './framed_client.py?raw'
import framedServer from './framed_server.py?raw'
import labPeer from './lab_peer.py?raw'
import stickyClient from './sticky_client.py?raw'
import stickyServer from './sticky_server.py?raw'
import tcpClient from './tcp_client.py?raw'
import tcpServerForking from './tcp_server_forking.py?raw'
import tcpServerLoops from './tcp_server_loops.py?raw'
import tcpServerSerial from './tcp_server_serial.py?raw'
import tcpServerThreading from './tcp_server_threading.py?raw'
import udpClient from './udp_client.py?raw'
import udpServer from './udp_server.py?raw'
import framedClientZh from './zh/framed_client.py?raw'
import framedServerZh from './zh/framed_server.py?raw'
import stickyClientZh from './zh/sticky_client.py?raw'
import stickyServerZh from './zh/sticky_server.py?raw'
import tcpClientZh from './zh/tcp_client.py?raw'
import tcpServerForkingZh from './zh/tcp_server_forking.py?raw'
import tcpServerLoopsZh from './zh/tcp_server_loops.py?raw'
import tcpServerSerialZh from './zh/tcp_server_serial.py?raw'
import tcpServerThreadingZh from './zh/tcp_server_threading.py?raw'
import threadRace from './thread_race.py?raw'
import threadRaceZh from './zh/thread_race.py?raw'
import udpClientZh from './zh/udp_client.py?raw'
import udpServerZh from './zh/udp_server.py?raw'

export interface PythonProgram {
  id: PythonProgramId
  file: string
  /** A script runs to its end by itself and takes no port. */
  role: 'server' | 'client' | 'script'
  proto: 'tcp' | 'udp' | null
  /** How its messages are delimited on the wire. */
  framing: 'none' | 'len32le'
  /** The program on the other end. */
  peer: PythonProgramId
  /** Uses os.fork (not on Windows). */
  posixOnly?: boolean
  /** The file the engine runs (comments and docstrings in English). */
  source: string
  /** The same program with its comments and docstrings in Chinese (a test checks the code is identical). */
  sourceZh: string
}

const p = (id: PythonProgramId, [source, sourceZh]: [string, string], rest: Omit<PythonProgram, 'id' | 'file' | 'source' | 'sourceZh'>): PythonProgram => ({
  id,
  file: `${id}.py`,
  source,
  sourceZh,
  ...rest,
})

export const PYTHON_PROGRAMS: Record<PythonProgramId, PythonProgram> = {
  tcp_server_loops: p('tcp_server_loops', [tcpServerLoops, tcpServerLoopsZh], { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_serial: p('tcp_server_serial', [tcpServerSerial, tcpServerSerialZh], { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_threading: p('tcp_server_threading', [tcpServerThreading, tcpServerThreadingZh], { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_forking: p('tcp_server_forking', [tcpServerForking, tcpServerForkingZh], { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client', posixOnly: true }),
  tcp_client: p('tcp_client', [tcpClient, tcpClientZh], { role: 'client', proto: 'tcp', framing: 'none', peer: 'tcp_server_threading' }),
  udp_server: p('udp_server', [udpServer, udpServerZh], { role: 'server', proto: 'udp', framing: 'none', peer: 'udp_client' }),
  udp_client: p('udp_client', [udpClient, udpClientZh], { role: 'client', proto: 'udp', framing: 'none', peer: 'udp_server' }),
  sticky_server: p('sticky_server', [stickyServer, stickyServerZh], { role: 'server', proto: 'tcp', framing: 'none', peer: 'sticky_client' }),
  sticky_client: p('sticky_client', [stickyClient, stickyClientZh], { role: 'client', proto: 'tcp', framing: 'none', peer: 'sticky_server' }),
  framed_server: p('framed_server', [framedServer, framedServerZh], { role: 'server', proto: 'tcp', framing: 'len32le', peer: 'framed_client' }),
  framed_client: p('framed_client', [framedClient, framedClientZh], { role: 'client', proto: 'tcp', framing: 'len32le', peer: 'framed_server' }),
  thread_race: p('thread_race', [threadRace, threadRaceZh], { role: 'script', proto: null, framing: 'none', peer: 'thread_race' }),
}

/** The text a learner reads: comments in their language, the code the engine runs. */
export function sourceIn(program: PythonProgram, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? program.sourceZh : program.source
}

/** The wrapper the engine starts: runs a program and exits when the lab goes away. */
export const PYTHON_PEER_WRAPPER = { file: 'lab_peer.py', source: labPeer }

/** What a server prints once it listens: `listening on 127.0.0.1:8081`. */
export const PYTHON_LISTENING = /^listening on ([0-9.]+):(\d+)\s*$/
