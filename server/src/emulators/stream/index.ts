/** The local GetStream Chat emulator (dev mode and CI). See README.md. */
export { createStreamEmulator, type StreamEmulator, type StreamEmulatorOptions } from './emulator.ts';
export type { UploadLimits } from './context.ts';
export { signWebhook } from './webhooks.ts';
export { HUB_CHANNEL_GRANTS } from './permissions.ts';
