/** The status page's words in Vietnamese and English, and the small formatting it needs. */
export type StatusLang = 'vi' | 'en';

export const statusText = {
  vi: {
    title: 'Số thứ tự của bạn',
    service: 'Phòng khám',
    room: (room: string, floor: number) => `${room} · Tầng ${floor}`,
    ahead: (n: number) => (n === 0 ? 'Bạn là người tiếp theo' : `Còn ${n} người trước bạn`),
    wait: (min: number) => (min < 1 ? 'Sắp đến lượt' : `Chờ khoảng ${min} phút`),
    called: (to: string) => `Mời bạn đến ${to}`,
    skipped: (to: string) => `Bạn đã được gọi. Xin đến ${to} ngay.`,
    directions: 'Chỉ đường trong bệnh viện',
    live: 'Tự cập nhật',
    reconnecting: 'Đang kết nối lại…',
    expired: 'Mã này đã hết hạn: lượt khám đã kết thúc.',
    unknown: 'Không tìm thấy số thứ tự này. Xin kiểm tra lại mã trên phiếu.',
    limited: 'Thử quá nhiều lần. Xin đợi một phút rồi thử lại.',
    loading: 'Đang tải…',
    notifyTitle: 'Báo cho tôi',
    notifyHint: (n: number) => `khi còn ${n} người trước tôi, và khi được gọi`,
    notifyPush: 'Thông báo trên điện thoại này',
    notifyPhone: (ch: string) => (ch === 'zalo-zns' ? 'Nhắn qua Zalo' : 'Nhắn tin SMS'),
    phoneLabel: 'Số điện thoại',
    phoneNote: 'Số điện thoại chỉ dùng cho lượt khám hôm nay và được xóa khi lượt khám kết thúc.',
    subscribed: 'Đã bật. Chúng tôi sẽ báo cho bạn.',
    notifyFailed: 'Chưa bật được thông báo.',
    stop: 'Tắt thông báo',
    language: 'English',
    issued: 'Lấy số lúc',
  },
  en: {
    title: 'Your queue number',
    service: 'Clinic',
    room: (room: string, floor: number) => `${room} · Floor ${floor}`,
    ahead: (n: number) => (n === 0 ? 'You are next' : n === 1 ? '1 person ahead of you' : `${n} people ahead of you`),
    wait: (min: number) => (min < 1 ? 'Almost your turn' : `About ${min} min wait`),
    called: (to: string) => `Please go to ${to}`,
    skipped: (to: string) => `You were called. Please go to ${to} now.`,
    directions: 'Directions in the hospital',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    expired: 'This code has expired: the visit is over.',
    unknown: 'No ticket has this code. Please check the code on your ticket.',
    limited: 'Too many tries. Please wait a minute and try again.',
    loading: 'Loading…',
    notifyTitle: 'Tell me',
    notifyHint: (n: number) => `when ${n} people are ahead of me, and when I am called`,
    notifyPush: 'Notify this phone',
    notifyPhone: (ch: string) => (ch === 'zalo-zns' ? 'Message me on Zalo' : 'Text me (SMS)'),
    phoneLabel: 'Phone number',
    phoneNote: 'Your number is used for today’s visit only and erased when the visit ends.',
    subscribed: 'On. We will tell you.',
    notifyFailed: 'Notifications could not be turned on.',
    stop: 'Turn off',
    language: 'Tiếng Việt',
    issued: 'Issued at',
  },
} as const;

/** The code of `/t/<code>`, or '' when the path holds none. */
export function codeFromPath(pathname: string): string {
  const m = /^\/t\/([A-HJ-NP-Z2-9]{12})\/?$/u.exec(pathname);
  return m?.[1] ?? '';
}

/** Whole minutes, rounded up (a wait of 30 s reads as 1 minute; none reads as 0). */
export const waitMinutes = (ms: number | null): number => (ms === null || ms <= 0 ? 0 : Math.ceil(ms / 60_000));

/** VAPID keys are base64url; PushManager wants bytes. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/gu, '+').replace(/_/gu, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
