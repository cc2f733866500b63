import { define } from '../base/define.ts';
import { StudentPicker } from './student-picker.component.ts';

export * from './student-picker.component.ts';
export default StudentPicker;

define('student-picker', StudentPicker);

declare global {
  interface HTMLElementTagNameMap {
    'student-picker': StudentPicker;
  }
}
