import { gzipSync } from 'node:zlib';

/** Bytes on the wire for a JS file served compressed: gzip at level 9, as the table's "(gzip)" means. */
export function gzipSize(body: Uint8Array | string): number {
  return gzipSync(body, { level: 9 }).length;
}

/** Sizes are shown in KB of 1,000 bytes, the unit Vite prints (kB), one decimal. */
export const KB = 1000;

export function kb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}
