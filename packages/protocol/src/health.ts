export const MODES = ['dev', 'production'] as const;
export type Mode = (typeof MODES)[number];

/**
 * `GET /health`. Each provider names the adapter in use, or `none` where that part is not configured
 * (or, while the product grows, not built yet).
 */
export interface Health {
  ok: boolean;
  mode: Mode;
  providers: {
    db: 'pglite' | 'postgres';
    chat: 'emulator' | 'stream' | 'none';
    video: 'mesh' | 'hms' | 'none';
    push: string[];
    email: 'mailbox' | 'smtp' | 'none';
  };
}
