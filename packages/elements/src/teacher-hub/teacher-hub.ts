import { define } from '../base/define.ts';
import { TeacherHub } from './teacher-hub.component.ts';

export * from './teacher-hub.component.ts';
export default TeacherHub;

define('teacher-hub', TeacherHub);

declare global {
  interface HTMLElementTagNameMap {
    'teacher-hub': TeacherHub;
  }
}
