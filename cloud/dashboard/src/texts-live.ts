/**
 * Texts of the live view player (live/player.ts, issue 17): its states and why a stream ended
 * (live/close-codes.ts). Merged into the dictionaries of i18n.ts.
 */
export const zhLive = {
  liveOpen: '实时画面',
  liveTitle: '实时画面',
  liveClose: '关闭',
  liveRetry: '重新连接',
  liveConnecting: '正在连接边缘网关视频中继…',
  liveStarting: '已连接，等待摄像头视频…',
  livePlaying: '播放中',
  liveEnded: '视频流已结束',
  liveTokenExpired: '观看令牌已过期，请重新连接',
  liveTokenRefused: '边缘网关拒绝了观看令牌：网关未信任平台的实时视频公钥（live.viewerKeys）',
  liveOriginRefused: '边缘网关不允许从本平台打开实时画面：请在网关配置 live.dashboardOrigin 中登记平台地址',
  liveWrongCamera: '观看令牌与摄像头不符，请重新连接',
  liveUnknownCamera: '该边缘网关上没有这个摄像头',
  liveTooMany: '边缘网关同时播放的视频路数已达上限，请关闭其他实时画面后重试',
  liveNoVideo: '摄像头没有视频：边缘网关未能从摄像头取得视频流',
  liveUnreachable: '无法连接边缘网关的视频中继：网络不通或地址有误',
  liveDropped: '与边缘网关的视频连接中断',
  liveFailed: '实时画面出错',
}

export const enLive: Record<keyof typeof zhLive, string> = {
  liveOpen: 'Live view',
  liveTitle: 'Live view',
  liveClose: 'Close',
  liveRetry: 'Reconnect',
  liveConnecting: "Connecting to the edge's video relay…",
  liveStarting: "Connected, waiting for the camera's video…",
  livePlaying: 'Playing',
  liveEnded: 'The stream has ended',
  liveTokenExpired: 'The viewer token expired: reconnect',
  liveTokenRefused: "The edge refused the viewer token: it does not trust the cloud's live view key (live.viewerKeys)",
  liveOriginRefused:
    "The edge does not allow live view from this dashboard: add its address to the edge's live.dashboardOrigin",
  liveWrongCamera: 'The viewer token names another camera: reconnect',
  liveUnknownCamera: 'The edge has no such camera',
  liveTooMany: 'The edge streams as many cameras as it may: close another live view and try again',
  liveNoVideo: 'No video from the camera: the edge could not get its stream',
  liveUnreachable: "Cannot reach the edge's video relay: no network path or a wrong address",
  liveDropped: 'The video connection to the edge dropped',
  liveFailed: 'Live view failed',
}
