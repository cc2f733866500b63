import type { BenchRow } from '../types.ts';
import { KB, kb } from './gzip.ts';
import type { BundleFigures } from './measure.ts';

/** The budgets of issue 9 that a build can check; `tests/e2e/bundle-budgets.test.ts` fails when one breaks. */
export const BUDGETS = {
  studentWidgetsKb: 35,
  teacherHubKb: 160,
  teacherHubRatio: 0.3,
  videoBytes: 0,
} as const;

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The three bundle rows of `npm run bench`, from one measurement. */
export function bundleRows(figures: BundleFigures): BenchRow[] {
  const student = figures.studentWidgets.gzipBytes;
  const teacher = figures.teacherHub.gzipBytes;
  const teacherRatio = teacher / figures.streamChatReactBaseline;
  const videoCheckWorks = figures.videoFilesInBuild.length > 0 && figures.unmapped.length === 0;
  return [
    {
      id: 'bundle.student-widgets',
      figure: 'JS for <upcoming-sessions> + <notification-center> before any chat or call (gzip)',
      ours: kb(student),
      value: round(student / KB, 1),
      unit: 'KB',
      baseline: `lit alone ${kb(figures.litBaseline)}`,
      baselineValue: round(figures.litBaseline / KB, 1),
      ratio: round(student / figures.litBaseline, 2),
      budget: `≤ ${BUDGETS.studentWidgetsKb} KB`,
      pass: student <= BUDGETS.studentWidgetsKb * KB,
      details: { files: figures.studentWidgets.scripts.length },
    },
    {
      id: 'bundle.teacher-hub-chats',
      figure: 'JS for <teacher-hub> with the chat list showing (gzip)',
      ours: kb(teacher),
      value: round(teacher / KB, 1),
      unit: 'KB',
      baseline: `stream-chat-react page ${kb(figures.streamChatReactBaseline)}`,
      baselineValue: round(figures.streamChatReactBaseline / KB, 1),
      ratio: round(teacherRatio),
      budget: `≤ ${BUDGETS.teacherHubKb} KB and ≤ ${BUDGETS.teacherHubRatio} × baseline`,
      pass: teacher <= BUDGETS.teacherHubKb * KB && teacherRatio <= BUDGETS.teacherHubRatio,
      details: { files: figures.teacherHub.scripts.length },
    },
    {
      id: 'bundle.video-before-call',
      figure: 'video code loaded before a call starts (both pages)',
      ours: `${figures.videoBytes} bytes`,
      value: figures.videoBytes,
      unit: 'bytes',
      budget: `${BUDGETS.videoBytes}`,
      pass: figures.videoBytes <= BUDGETS.videoBytes && videoCheckWorks,
      details: {
        videoFiles: figures.videoFiles.join(' ') || 'none',
        videoChunksInBuild: figures.videoFilesInBuild.length,
        unattributed: figures.unmapped.join(' ') || 'none',
      },
    },
  ];
}
