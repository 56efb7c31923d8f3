// QR codes for letters: the recipient's scan URL drawn as PNG or SVG for print, and the two URL shapes that
// let the redirect tell a scan (`/q/<token>`, a `scanned` event) from a typed or tapped link (`/l/<token>`, `clicked`).
//
// Why a distinct path rather than `?s=1`: a query marker is easily lost (URL shorteners, scanner apps and
// people retyping the printed text drop it), while the path is part of what the QR encodes and is routed
// before any lookup. The human-readable URL printed under the code should be `linkUrl`, so a person who types it
// is counted as a visit (`clicked`), and only the camera reaches `/q/`.

import QRCode from 'qrcode';
import { isWellFormedToken } from './tokens';

export const LINK_PATH = '/l/';
export const QR_PATH = '/q/';

/**
 * An address recipients reach Mesure at, as links and QR codes are written with it: an absolute http(s) URL without
 * user, query or fragment, without its trailing slash (a path is kept, for a server behind a proxy's prefix).
 */
export function publicBase(raw: string): { ok: true; value: string } | { ok: false; reason: string } {
  const text = raw.trim();
  // The URL parser would drop a tab or line break silently and print an address nobody typed.
  if (/[\u0000-\u001f\u007f]/.test(text)) return { ok: false, reason: 'must not contain control characters' };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { ok: false, reason: `"${text}" is not an absolute URL: write it as https://mesure.example.com` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, reason: 'must start with https:// (or http://)' };
  if (u.hostname === '') return { ok: false, reason: 'must name a host' };
  if (u.username || u.password) return { ok: false, reason: 'must not contain a user name or password' };
  if (u.search || u.hash || text.includes('?') || text.includes('#')) return { ok: false, reason: 'must not have a query (?…) or a fragment (#…)' };
  return { ok: true, value: u.href.replace(/\/+$/, '') };
}

function joinBase(baseUrl: string, path: string, token: string): string {
  if (!isWellFormedToken(token)) throw new TypeError(`not a link token: ${JSON.stringify(token)}`);
  return `${baseUrl.replace(/\/+$/, '')}${path}${token}`;
}

/** The tracked link sent in a message or printed as text: a visit through it is a `clicked` event. */
export function linkUrl(baseUrl: string, token: string): string {
  return joinBase(baseUrl, LINK_PATH, token);
}

/** The URL encoded in a recipient's QR code: a visit through it is a `scanned` event. */
export function qrUrl(baseUrl: string, token: string): string {
  return joinBase(baseUrl, QR_PATH, token);
}

export type ErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface QrOptions {
  /**
   * Width and height in pixels. 600 px is 5.08 cm at 300 dpi (600 / 300 = 2 in × 2.54), comfortably above
   * the ~2 cm below which phone cameras struggle at reading distance. PNG is drawn at the largest whole
   * number of pixels per module that fits, so every module has the same size (crisp edges for the printer);
   * it can therefore be up to (modules + 2 × margin − 1) px smaller. SVG is exactly `size`.
   */
  size?: number;
  /** Quiet zone in modules. The QR standard asks for 4; printers trimming close may need more, never less. */
  margin?: number;
  /** M (15 % of the code recoverable) by default; H (30 %) for rough paper, folds or a logo on top. */
  errorCorrection?: ErrorCorrection;
}

export const DEFAULT_QR_OPTIONS: Readonly<Required<QrOptions>> = Object.freeze({
  size: 600,
  margin: 4,
  errorCorrection: 'M',
});

function resolve(url: string, options: QrOptions) {
  const o = { ...DEFAULT_QR_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.size) || o.size <= 0) throw new RangeError('QR size must be a positive whole number of pixels');
  if (!Number.isInteger(o.margin) || o.margin < 0) throw new RangeError('QR margin must be a whole number of modules');
  if (!['L', 'M', 'Q', 'H'].includes(o.errorCorrection)) throw new RangeError('QR error correction must be L, M, Q or H');
  const modules = QRCode.create(url, { errorCorrectionLevel: o.errorCorrection }).modules.size;
  return { ...o, modules };
}

export function renderQr(url: string, options: QrOptions & { format: 'png' }): Promise<Buffer>;
export function renderQr(url: string, options: QrOptions & { format: 'svg' }): Promise<string>;
export async function renderQr(url: string, options: QrOptions & { format: 'png' | 'svg' }): Promise<Buffer | string> {
  const o = resolve(url, options);
  if (options.format === 'svg') {
    return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: o.errorCorrection, margin: o.margin, width: o.size });
  }
  const scale = Math.floor(o.size / (o.modules + 2 * o.margin));
  if (scale < 1) {
    throw new RangeError(`QR size ${o.size} px is below one pixel per module (${o.modules + 2 * o.margin} modules)`);
  }
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: o.errorCorrection, margin: o.margin, scale });
}
