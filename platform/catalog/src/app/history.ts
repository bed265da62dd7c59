/// <reference lib="dom" />
import type { HistoryPoint } from '../types';
import { absolute } from './format';
import { h } from './dom';

const LABEL: Record<string, string> = { pass: 'passed', success: 'passed', breach: 'breached', fail: 'failed', error: 'error', warn: 'warned', skipped: 'skipped' };

/** The last results as a strip of marks, oldest on the left; each says when and how it went. */
export function historyStrip(points: readonly HistoryPoint[], empty = 'no history yet'): HTMLElement {
  if (!points.length) return h('span', { class: 'muted' }, empty);
  return h('span', { class: 'strip', role: 'img', 'aria-label': points.map((p) => LABEL[p.status] ?? p.status).join(', ') },
    points.map((p) => h('i', {
      class: `mark mark-${p.status}`,
      title: `${absolute(p.at)}: ${LABEL[p.status] ?? p.status}${p.measured === undefined || p.measured === null ? '' : ` (${p.measured.toLocaleString('en-US')})`}`,
    })));
}
