// How a long run shows it is alive. The pipeline reports each stage's progress and end; the entry points
// choose where that goes: the CLI to stderr (the report on stdout stays clean), the Action to its log.
// On a terminal a live line (files scanned, images resolved / total) is rewritten in place; in a log
// (CI) only one line per stage is written, with what it did and how long it took.
import { visible } from './sanitize.js';

export type Stage = 'discover' | 'render' | 'extract' | 'resolve' | 'judge';

export interface Progress {
  /** Work under way: on a terminal, the live line; elsewhere nothing. */
  advance(stage: Stage, done: number, total: number): void;
  /** A stage ended: one line, e.g. "resolved 1,000 images at 2 registries in 2.3 s". */
  finish(stage: Stage, summary: string, ms: number): void;
  /** Something the user should know that is not a finding (a results cache that could not be read …). */
  note(text: string): void;
}

export const silentProgress: Progress = { advance: () => undefined, finish: () => undefined, note: () => undefined };

const UNITS: Record<Stage, string> = { discover: 'files found', render: 'renders', extract: 'files scanned', resolve: 'images resolved', judge: 'rules checked' };
/** The live line is redrawn at most this often: a terminal is slow, and 10 updates a second read well. */
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\u001b[2K';

/**
 * Lines written with `write` (each ends with a newline). `live`: also the progress line, rewritten in
 * place and cleared before any other line — only for a terminal. `stages: false` keeps only the notes.
 */
export function progressLines(write: (text: string) => void, options: { live: boolean; stages?: boolean; now?: () => number }): Progress {
  const now = options.now ?? (() => performance.now());
  let shown = false;
  let lastDraw = Number.NEGATIVE_INFINITY;
  const line = (text: string): void => {
    // Notes can carry paths and registry words: one visible line, so nothing can start a workflow command.
    write(`${shown ? CLEAR_LINE : ''}pullcheck: ${visible(text)}\n`);
    shown = false;
  };
  return {
    advance(stage, done, total) {
      if (!options.live || (now() - lastDraw < REDRAW_MS && done < total)) return;
      lastDraw = now();
      write(`${CLEAR_LINE}pullcheck: ${UNITS[stage]} ${count(done)}/${count(total)}`);
      shown = true;
    },
    finish(_stage, summary, ms) {
      if (options.stages !== false) line(`${summary} in ${seconds(ms)}`);
    },
    note(text) {
      line(text);
    },
  };
}

/** 1234 → "1,234". Not toLocaleString: its first call loads ICU data, ≈ 15 ms of a 100 ms start-up. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 image" / "2 images". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : many}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
