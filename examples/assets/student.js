import { setUpPage } from './lms.js';

setUpPage('student');
