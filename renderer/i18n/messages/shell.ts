import { defineCatalog } from '../catalog'
// The shell's own words (h8, issue 16): the collapsible sidebar, the welcome banner, scroll cues,
// the announcements screen readers hear. Kept apart so other parts' catalogues merge cleanly.
export default defineCatalog({
  en: {
    shell: {
      collapse: 'Collapse the sidebar to icons',
      expand: 'Expand the sidebar',
      langSwitch: 'Language: {current}. Switch to {other}',
      themeSwitch: 'Theme: {current}. Switch to {other}',
      scrollHint: 'Scroll sideways for more columns',
      welcomeBanner: 'New here? Three ways to start: a lesson, a TCP server, CPU vs I/O tasks.',
      welcomeShow: 'Show the three ways',
      welcomeHide: 'Hide',
      udpTable: 'The datagrams as a table ({n})',
      udpDatagram: 'Datagram',
      udpSent: 'Bytes sent',
      udpGot: 'Bytes received',
      udpLost: 'Bytes discarded',
      udpMissing: 'did not arrive',
    },
  },
  zh: {
    shell: {
      collapse: '把侧栏收起为图标',
      expand: '展开侧栏',
      langSwitch: '语言：{current}。切换到 {other}',
      themeSwitch: '主题：{current}。切换到{other}',
      scrollHint: '左右滚动可查看更多列',
      welcomeBanner: '第一次来？三种开始方式：一节课、一个 TCP 服务器、CPU 与 I/O 任务对比。',
      welcomeShow: '显示三种方式',
      welcomeHide: '收起',
      udpTable: '以表格查看数据报（{n} 个）',
      udpDatagram: '数据报',
      udpSent: '发送字节',
      udpGot: '收到字节',
      udpLost: '丢弃字节',
      udpMissing: '未到达',
    },
  },
})
