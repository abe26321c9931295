// How plain scalars are typed. kubectl decodes YAML with go-yaml v2 (through sigs.k8s.io/yaml), which
// follows YAML 1.1: `yes`/`on`/`y` are booleans, `0x10` and `010` are integers, `~` is null. Two 1.1 types
// go-yaml keeps as strings when decoding into untyped data: timestamps (`2024-01-01`) and sexagesimal
// numbers (`1:20`), so those tags are left out; its floats need digits (below). Both parsers use this one schema, so a value typed by the
// fast reader is typed exactly as the `yaml` package types it.
import { Schema, isScalar, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';

// go-yaml v2's float rule (resolve.go yamlStyleFloat, matched after it drops every `_`): digits on at least
// one side of the dot. The `yaml` package's 1.1 floats also take `.`, `-.` and `e3`, which go-yaml keeps as
// strings — so `image: .` is the invalid reference ".", not the number NaN.
const GO_FLOAT = /^[-+]?(?:_*\.[0-9_]*[0-9][0-9_]*|[0-9_]*[0-9][0-9_]*\.[0-9_]*)$/;
const GO_FLOAT_WITH_EXPONENT = /^[-+]?(?:_*\.[0-9_]*[0-9][0-9_]*|[0-9_]*[0-9][0-9_]*(?:\.[0-9_]*)?)[eE][-+]?[0-9]+$/;

const asGoYaml = (tags: Tags): Tags =>
  tags
    .filter((tag) => typeof tag === 'string' || (tag.format !== 'TIME' && tag.tag !== 'tag:yaml.org,2002:timestamp'))
    .map((tag) => {
      if (typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:float' || !tag.test || /inf|nan/i.test(tag.test.source)) return tag;
      return { ...tag, test: tag.format === 'EXP' ? GO_FLOAT_WITH_EXPONENT : GO_FLOAT };
    });

export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  schema: 'yaml-1.1',
  customTags: asGoYaml,
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
