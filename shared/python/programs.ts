/**
 * The Python programs written for this lab, as text: shown (and copied) by the lessons,
 * and run by the engine as peers. One registry for both, so what the learner reads is
 * exactly what runs.
 */
import type { PythonProgramId } from '../contract/python'
import { COMMENTS_ZH, inChinese } from './comments-zh'
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
import threadRace from './thread_race.py?raw'

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
  /** The same program with its comments and docstrings in Chinese, made from `source` (comments-zh.ts). */
  sourceZh: string
}

const p = (id: PythonProgramId, source: string, rest: Omit<PythonProgram, 'id' | 'file' | 'source' | 'sourceZh'>): PythonProgram => ({
  id,
  file: `${id}.py`,
  source,
  sourceZh: inChinese(`${id}.py`, source, COMMENTS_ZH[id]),
  ...rest,
})

export const PYTHON_PROGRAMS: Record<PythonProgramId, PythonProgram> = {
  tcp_server_loops: p('tcp_server_loops', tcpServerLoops, { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_serial: p('tcp_server_serial', tcpServerSerial, { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_threading: p('tcp_server_threading', tcpServerThreading, { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client' }),
  tcp_server_forking: p('tcp_server_forking', tcpServerForking, { role: 'server', proto: 'tcp', framing: 'none', peer: 'tcp_client', posixOnly: true }),
  tcp_client: p('tcp_client', tcpClient, { role: 'client', proto: 'tcp', framing: 'none', peer: 'tcp_server_threading' }),
  udp_server: p('udp_server', udpServer, { role: 'server', proto: 'udp', framing: 'none', peer: 'udp_client' }),
  udp_client: p('udp_client', udpClient, { role: 'client', proto: 'udp', framing: 'none', peer: 'udp_server' }),
  sticky_server: p('sticky_server', stickyServer, { role: 'server', proto: 'tcp', framing: 'none', peer: 'sticky_client' }),
  sticky_client: p('sticky_client', stickyClient, { role: 'client', proto: 'tcp', framing: 'none', peer: 'sticky_server' }),
  framed_server: p('framed_server', framedServer, { role: 'server', proto: 'tcp', framing: 'len32le', peer: 'framed_client' }),
  framed_client: p('framed_client', framedClient, { role: 'client', proto: 'tcp', framing: 'len32le', peer: 'framed_server' }),
  thread_race: p('thread_race', threadRace, { role: 'script', proto: null, framing: 'none', peer: 'thread_race' }),
}

/** The text a learner reads: comments in their language, the code the engine runs. */
export function sourceIn(program: PythonProgram, lang: 'zh' | 'en'): string {
  return lang === 'zh' ? program.sourceZh : program.source
}

/** The wrapper the engine starts: runs a program and exits when the lab goes away. */
export const PYTHON_PEER_WRAPPER = { file: 'lab_peer.py', source: labPeer }

/** What a server prints once it listens: `listening on 127.0.0.1:8081`. */
export const PYTHON_LISTENING = /^listening on ([0-9.]+):(\d+)\s*$/
