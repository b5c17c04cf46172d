/**
 * A small XML Schema checker for the subset docs/websms-legacy.xsd uses: global elements and
 * named simple types; xs:sequence and xs:all of elements with minOccurs/maxOccurs; restrictions
 * with pattern, enumeration, length, minLength, maxLength, minInclusive, maxInclusive over
 * xs:string, xs:int, xs:nonNegativeInteger, xs:boolean, xs:dateTime, xs:anyURI. Anything else in
 * the schema throws, so the schema cannot silently grow past what this checks.
 * (No XSD validator package is installed in this project; this stands in for one in the tests.)
 */
import { XMLParser } from 'fast-xml-parser';

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  commentPropName: '#comment',
});

function toNodes(ordered: unknown[]): Node[] {
  const nodes: Node[] = [];
  for (const item of ordered as Array<Record<string, unknown>>) {
    const name = Object.keys(item).find((key) => key !== ':@');
    if (!name || name === '#text' || name === '#comment') continue;
    const raw = item[name] as unknown[];
    const text = (raw as Array<Record<string, unknown>>).filter((child) => '#text' in child).map((child) => String(child['#text'])).join('');
    nodes.push({ name, attrs: (item[':@'] as Record<string, string>) ?? {}, children: toNodes(raw), text });
  }
  return nodes;
}

export function parseOrdered(xml: string): Node[] {
  return toNodes(parser.parse(xml) as unknown[]);
}

const BUILTIN: Record<string, (value: string) => boolean> = {
  'xs:string': () => true,
  'xs:int': (v) => /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31,
  'xs:nonNegativeInteger': (v) => /^\+?\d+$/.test(v),
  'xs:boolean': (v) => ['true', 'false', '1', '0'].includes(v),
  'xs:dateTime': (v) => /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.test(v),
  'xs:anyURI': (v) => !/\s/.test(v),
};

export class Xsd {
  private readonly elements = new Map<string, Node>();
  private readonly types = new Map<string, Node>();

  constructor(xsd: string) {
    const [schema] = parseOrdered(xsd);
    if (schema?.name !== 'xs:schema') throw new Error('not a schema');
    for (const child of schema.children) {
      if (child.name === 'xs:element') this.elements.set(child.attrs.name!, child);
      else if (child.name === 'xs:simpleType') this.types.set(child.attrs.name!, child);
      else throw new Error(`unsupported schema part ${child.name}`);
    }
  }

  /** Problems of the document, empty when it is valid. */
  validate(xml: string): string[] {
    const roots = parseOrdered(xml);
    const problems: string[] = [];
    if (roots.length !== 1) return ['exactly one root element expected'];
    const root = roots[0]!;
    const declaration = this.elements.get(root.name);
    if (!declaration) return [`no global element ${root.name}`];
    this.element(root, declaration, root.name, problems);
    return problems;
  }

  private element(node: Node, declaration: Node, path: string, problems: string[]): void {
    const type = declaration.attrs.type;
    const complex = declaration.children.find((child) => child.name === 'xs:complexType');
    const simple = declaration.children.find((child) => child.name === 'xs:simpleType');
    if (complex) return this.complex(node, complex, path, problems);
    if (node.children.length > 0) return void problems.push(`${path}: text only expected`);
    if (simple) return this.simple(node.text, simple, path, problems);
    if (type) return this.named(node.text, type, path, problems);
    throw new Error(`element ${declaration.attrs.name} has no type`);
  }

  private complex(node: Node, complex: Node, path: string, problems: string[]): void {
    if (complex.children.length !== 1) throw new Error('complexType: one group expected');
    const group = complex.children[0]!;
    const decls = group.children.map((d) => {
      if (d.name !== 'xs:element') throw new Error(`unsupported ${d.name} in ${group.name}`);
      const max = d.attrs.maxOccurs === undefined ? 1 : d.attrs.maxOccurs === 'unbounded' ? Infinity : Number(d.attrs.maxOccurs);
      return { decl: d, name: d.attrs.name!, min: d.attrs.minOccurs === undefined ? 1 : Number(d.attrs.minOccurs), max };
    });
    if (node.text !== '') problems.push(`${path}: no text expected`);
    if (group.name === 'xs:sequence') {
      let i = 0;
      for (const { decl, name, min, max } of decls) {
        let count = 0;
        while (i < node.children.length && node.children[i]!.name === name && count < max) {
          this.element(node.children[i]!, decl, `${path}/${name}`, problems);
          i += 1;
          count += 1;
        }
        if (count < min) problems.push(`${path}: ${name} expected at least ${min} time(s)`);
      }
      if (i < node.children.length) problems.push(`${path}: unexpected ${node.children[i]!.name}`);
    } else if (group.name === 'xs:all') {
      for (const child of node.children) {
        const found = decls.find((d) => d.name === child.name);
        if (!found) problems.push(`${path}: unexpected ${child.name}`);
        else this.element(child, found.decl, `${path}/${child.name}`, problems);
      }
      for (const { name, min } of decls) {
        const count = node.children.filter((child) => child.name === name).length;
        if (count < min || count > 1) problems.push(`${path}: ${name} expected ${min === 0 ? 'at most' : 'exactly'} once`);
      }
    } else throw new Error(`unsupported group ${group.name}`);
  }

  private named(value: string, type: string, path: string, problems: string[]): void {
    const builtin = BUILTIN[type];
    if (builtin) {
      if (!builtin(value)) problems.push(`${path}: "${value}" is not a valid ${type}`);
      return;
    }
    const simple = this.types.get(type);
    if (!simple) throw new Error(`unknown type ${type}`);
    this.simple(value, simple, path, problems);
  }

  private simple(value: string, simple: Node, path: string, problems: string[]): void {
    const restriction = simple.children[0];
    if (restriction?.name !== 'xs:restriction') throw new Error('only restrictions are supported');
    this.named(value, restriction.attrs.base!, path, problems);
    const enumeration: string[] = [];
    const patterns: string[] = [];
    for (const facet of restriction.children) {
      const v = facet.attrs.value!;
      const length = [...value].length;
      switch (facet.name) {
        case 'xs:enumeration':
          enumeration.push(v);
          break;
        case 'xs:pattern':
          patterns.push(v);
          break;
        case 'xs:length':
          if (length !== Number(v)) problems.push(`${path}: length ${length}, ${v} expected`);
          break;
        case 'xs:minLength':
          if (length < Number(v)) problems.push(`${path}: shorter than ${v}`);
          break;
        case 'xs:maxLength':
          if (length > Number(v)) problems.push(`${path}: longer than ${v}`);
          break;
        case 'xs:minInclusive':
          if (Number(value) < Number(v)) problems.push(`${path}: below ${v}`);
          break;
        case 'xs:maxInclusive':
          if (Number(value) > Number(v)) problems.push(`${path}: above ${v}`);
          break;
        default:
          throw new Error(`unsupported facet ${facet.name}`);
      }
    }
    if (enumeration.length > 0 && !enumeration.includes(value)) problems.push(`${path}: "${value}" not one of ${enumeration.join(', ')}`);
    if (patterns.length > 0 && !patterns.some((p) => new RegExp(`^(?:${p})$`, 'u').test(value))) problems.push(`${path}: "${value}" does not match the pattern`);
  }
}
