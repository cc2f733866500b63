import { measureBundles } from './measure.ts';
const f = await measureBundles({ build: 'if-missing', log: console.error });
for (const p of [f.studentWidgets, f.teacherHub]) {
  console.log(p.gzipBytes);
  for (const s of p.scripts) console.log('  ', s.gzipBytes, s.url.replace(/.*\/sdk\//, ''));
}
console.log({ ...f, studentWidgets: undefined, teacherHub: undefined });
