// The extract stage: a manifest file's text → the Kubernetes objects in it, the images they would pull
// (each with its exact position), and a finding for each document that cannot be read.
import type { Finding, ImageOccurrence, Origin, ScannedObject } from '../model.js';
import { rule } from '../judge/rules.js';
import { imagesOf } from './images.js';
import { kubernetesObjects } from './objects.js';
import { readDocuments } from './parse.js';
import type { DocumentProblem } from './yaml-reader.js';

export interface ExtractResult {
  documents: number;
  /** Every Kubernetes object (has apiVersion and kind), with how many images it gave. */
  objects: ScannedObject[];
  occurrences: ImageOccurrence[];
  /** 'manifest-invalid' (error) at the YAML error's position, one per broken document. */
  findings: Finding[];
}

/** `file` is the root-relative path used in ranges; `origin` goes into each occurrence. Never throws. */
export function extractManifests(text: string, file: string, origin: Origin): ExtractResult {
  const result: ExtractResult = { documents: 0, objects: [], occurrences: [], findings: [] };
  const invalid = (problem: DocumentProblem): void => {
    result.findings.push({
      rule: 'manifest-invalid',
      severity: rule('manifest-invalid').severity,
      message: problem.message,
      range: { file, ...problem.pos },
      image: null,
      fix: null,
    });
  };
  for (const document of readDocuments(text.startsWith('\uFEFF') ? text.slice(1) : text)) {
    if (document.problem) {
      result.documents++;
      invalid(document.problem);
      continue;
    }
    if (document.root === null) continue;
    result.documents++;
    try {
      for (const object of kubernetesObjects(document.root)) {
        const { occurrences, problems } = imagesOf(object, file, origin);
        result.occurrences.push(...occurrences);
        problems.forEach(invalid);
        result.objects.push({
          file,
          line: object.map.pos.line,
          kind: object.kind,
          apiVersion: object.apiVersion,
          name: object.name,
          namespace: object.namespace,
          images: occurrences.length,
        });
      }
    } catch (thrown) {
      // Not expected (both readers accepted the document); reported rather than thrown, as promised.
      const { line, column } = document.root.pos;
      const cause = thrown instanceof Error ? thrown.message : String(thrown);
      invalid({ message: `The document could not be read: ${cause}`, pos: { line, column, endLine: line, endColumn: column } });
    }
  }
  return result;
}
