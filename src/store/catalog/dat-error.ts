// A DAT that cannot be used: a BAD_INPUT TroveError whose message names the file and line.
import { TroveError } from '../errors.js';
import { printable } from '../printable.js';
import type { DatProblem } from './dat-model.js';

export function datError(file: string, line: number, message: string): TroveError {
  return new TroveError('BAD_INPUT', `${file}:${line}: ${message}`, { details: { path: file, line } });
}

/** One error for a list of problems (the first few spelled out). */
export function datProblemsError(problems: DatProblem[]): TroveError {
  // One line per problem: each made printable here, so a line break inside a name cannot start a line.
  const shown = problems.slice(0, 10).map((p) => printable(`${p.file}:${p.line}: ${p.message}`));
  const more = problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : '';
  return new TroveError('BAD_INPUT', `${problems.length} problem(s) in DAT, nothing imported:\n${shown.join('\n')}${more}`, {
    details: { problems: problems.slice(0, 100) },
    multiline: true,
  });
}
