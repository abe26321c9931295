// What each renderer (kustomize, helm, --rendered files) hands back, and the findings they share.
import type { Finding, ImageOccurrence, ScannedObject, SourceRange } from '../model.js';
import { rule } from '../judge/rules.js';
import type { SourceFiles } from './render-yaml.js';

export interface RenderRecord {
  source: string;
  tool: string;
  durationMs: number;
  ok: boolean;
}

export interface RenderPart {
  /** Ranges point at the source line to fix; origin 'kustomize' | 'helm' | 'helm-values' | 'rendered'. */
  occurrences: ImageOccurrence[];
  objects: ScannedObject[];
  /** render-failed, chart-dependencies-missing, rendering-skipped (once per tool), file-skipped (--rendered). */
  findings: Finding[];
  /** Root-relative manifest files that belong to a rendered kustomization (or were given as --rendered): the pipeline must NOT scan them raw. */
  coveredFiles: string[];
  renders: RenderRecord[];
  /**
   * Each render's output (and each --rendered file), for the pull-secret checks to read the ServiceAccounts
   * and Secrets in it. `file` labels it (kustomization, Chart.yaml, --rendered file); lines count in the text.
   */
  texts: RenderedText[];
}

export interface RenderedText {
  file: string;
  text: string;
}

export interface RenderContext {
  root: string;
  sources: SourceFiles;
  timeoutMs: number;
}

export function emptyPart(): RenderPart {
  return { occurrences: [], objects: [], findings: [], coveredFiles: [], renders: [], texts: [] };
}

export function mergeParts(parts: RenderPart[]): RenderPart {
  const out = emptyPart();
  for (const part of parts) {
    out.occurrences.push(...part.occurrences);
    out.objects.push(...part.objects);
    out.findings.push(...part.findings);
    out.coveredFiles.push(...part.coveredFiles);
    out.renders.push(...part.renders);
    out.texts.push(...part.texts);
  }
  out.coveredFiles = [...new Set(out.coveredFiles)];
  return out;
}

export function finding(ruleId: string, message: string, range: SourceRange | null): Finding {
  return { rule: ruleId, severity: rule(ruleId).severity, message, range, image: null, fix: null };
}
