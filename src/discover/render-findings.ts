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
  occurrences: ImageOccurrence[];
  objects: ScannedObject[];
  findings: Finding[];
  coveredFiles: string[];
  renders: RenderRecord[];
  /** The rendered YAML, labelled by its kustomization, Chart.yaml or --rendered file (see RenderResult.texts). */
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
