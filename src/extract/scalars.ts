// How plain scalars are typed. kubectl decodes YAML with go-yaml v2 (through sigs.k8s.io/yaml), which
// follows YAML 1.1: `yes`/`on`/`y` are booleans, `0x10` and `010` are integers, `~` is null. Two 1.1 types
// go-yaml keeps as strings when decoding into untyped data: timestamps (`2024-01-01`) and sexagesimal
// numbers (`1:20`), so those tags are left out. Both parsers use this one schema, so a value typed by the
// fast reader is typed exactly as the `yaml` package types it.
import { Schema, isScalar, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';

const withoutGoYamlStrings = (tags: Tags): Tags =>
  tags.filter(
    (tag) => typeof tag === 'string' || (tag.format !== 'TIME' && tag.tag !== 'tag:yaml.org,2002:timestamp'),
  );

export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  schema: 'yaml-1.1',
  customTags: withoutGoYamlStrings,
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  keepSourceTokens: false,
  intAsBigInt: false,
};

const schema = new Schema(YAML_OPTIONS);
const implicitTags = schema.tags.filter((tag) => tag.default === true && !tag.collection && tag.test);

/** Types an untagged plain scalar the way the `yaml` package's composer does with YAML_OPTIONS. */
export function resolvePlain(text: string): unknown {
  for (const tag of implicitTags) {
    if (tag.test?.test(text) && 'resolve' in tag) {
      const resolved: unknown = tag.resolve(text, () => undefined, YAML_OPTIONS);
      return isScalar(resolved) ? resolved.value : resolved;
    }
  }
  return text;
}
