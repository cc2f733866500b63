// \`@teacher-hub/core/chat\`: the pure helpers chat views draw with. A subpath of its own, so that they land
// in the lazily loaded chat chunks rather than in the SDK's entry (which re-exports \`@teacher-hub/core\`).
export { CHAT_KINDS, CHAT_REACTIONS } from './chat-types.ts';
export {
  GROUP_WINDOW_MS,
  MAX_UPLOAD_BYTES,
  buildTimeline,
  dayKey,
  formatBytes,
  linkify,
  previewText,
  safeHref,
  seenBy,
  typingText,
  uploadProblem,
} from './chat-timeline.ts';
export type { TextPart, TimelineItem } from './chat-timeline.ts';
