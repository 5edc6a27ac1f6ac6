// Families of bad input the miner feeds every field of every application function. A family is
// a generator (n = 1..4, the sample) of one kind of bad value; which families make a library (or
// the application code around it) throw is found by running them (discover.cjs), never assumed.
"use strict";

const MISSING = Symbol("missing"); // the field is absent from the request

// Wrong shapes, tried on every field whatever it holds.
const GENERIC = {
  missing: () => MISSING,
  null: () => null,
  number: (n) => 40 + n,
  object: (n) => ({ value: `v${n}` }),
  array: (n) => [`a${n}`, n],
  boolean: (n) => n % 2 === 0,
  empty: () => "",
};

// Bad values of the right type, per kind of field.
const KINDS = {
  yaml: {
    badIndent: (n) => `name: svc${n}\n  port: 80${n}\n bad: [`,
    unclosedQuote: (n) => `name: "svc${n}\nport: 80`,
    tab: (n) => `server:\n\tport: 80${n}`,
    duplicateKey: (n) => `port: 1\nport: ${n}`,
    anchor: (n) => `a: *missing${n}`,
    scalarDoc: (n) => `just a string ${n}`,
    flowUnclosed: (n) => `{ a: ${n}, b: [1, 2`,
    multiDoc: (n) => `a: ${n}\n---\nb: 2`,
  },
  json: {
    html: (n) => `<html><body>${n}</body></html>`,
    truncated: (n) => `{"a": ${n}, "b": [1, 2`,
    trailingComma: (n) => `{"a": ${n},}`,
    nullLiteral: () => "null",
  },
  version: {
    word: (n) => `release-${n}`,
    fourPart: (n) => `1.2.3.${n}`,
    vPrefix: (n) => `v${n}.x.y`,
    huge: (n) => `${"9".repeat(20)}.${n}.0`,
    spaces: (n) => ` 1 . ${n} `,
    range: (n) => `>=1.${n} <<2`,
  },
  range: {
    word: (n) => `latest-${n}`,
    broken: (n) => `>=1.${n}.0 <`,
    hyphenOnly: (n) => `- ${n}`,
    pipes: (n) => `1.${n} ||| 2`,
  },
  date: {
    word: (n) => `tomorrow-${n}`,
    badMonth: (n) => `2024-${13 + n}-01`,
    badDay: (n) => `2024-02-${30 + n}`,
    slashes: (n) => `0${n}/31/2024`,
    epochString: (n) => `17000000${n}`,
    iso: (n) => `2024-03-0${n}T25:61:00Z`,
  },
  format: {
    unescaped: (n) => `yyyy-MM-dd 'at${n}`,
    badToken: (n) => `YYYY-MM-DD ${n}`,
    weekYear: (n) => `YYYY-ww-${n}`,
    foo: (n) => `fooo${n}`,
  },
  zone: {
    bogus: (n) => `Mars/Olympus_${n}`,
    offset: (n) => `UTC+${30 + n}`,
  },
  number: {
    word: (n) => `twelve${n}`,
    comma: (n) => `1,${n}00.50`,
    negativeZeroes: (n) => `--${n}`,
    exp: (n) => `1e${1000000 + n}`,
    hexish: (n) => `0x${n}g`,
    nan: () => "NaN",
    infinity: () => "Infinity",
  },
  digits: {
    negative: (n) => -n,
    fraction: (n) => n + 0.5,
    large: (n) => 1e9 + n,
  },
  template: {
    unclosedTag: (n) => `Hello {{name${n}`,
    unclosedSection: (n) => `{{#items${n}}}<li>{{.}}</li>`,
    mismatched: (n) => `{{#a}}x${n}{{/b}}`,
    badDelims: (n) => `{{=<% %>=}}<%name${n}`,
    unknownHelper: (n) => `{{shout${n} name}}`,
    partialMissing: (n) => `{{> footer${n}}}`,
    badBlock: (n) => `{{#each}}${n}{{/each}}`,
  },
  markdown: {
    deepNesting: (n) => `${">".repeat(50 + n)} deep`,
    hugeTable: (n) => `|a|b|\n|-|-|\n|${n}|`,
    html: (n) => `<div>${n}`,
  },
  csv: {
    ragged: (n) => `id,name\n1,a\n2,b,extra${n}\n`,
    badQuote: (n) => `id,name\n1,"a${n}\n2,b\n`,
    quoteInField: (n) => `id,name\n1,a"b${n}"\n`,
    emptyHeader: (n) => `id,,name\n1,${n},x\n`,
    duplicateHeader: (n) => `id,id\n${n},2\n`,
  },
  query: {
    deep: (n) => `${"a" + "[b]".repeat(30 + n)}=1`,
    many: (n) => Array.from({ length: 1200 + n }, (_, i) => `k${i}=v`).join("&"),
    brackets: (n) => `a[=${n}&b]]=2`,
    percent: (n) => `q=%E0%A4%${n}Z`,
  },
  token: {
    garbage: (n) => `not-a-token-${n}`,
    twoParts: (n) => `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke259In0${n}`,
    noneAlg: (n) => `eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1${n}In0.`,
    badSignature: (n) => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyJHtufSIsImlhdCI6MTUxNjIzOTAyMn0.sig${n}`,
  },
  secret: {
    short: (n) => `k${n}`,
  },
  uuid: {
    short: (n) => `1234-${n}`,
    badChars: (n) => `zzzzzzzz-zzzz-4zzz-8zzz-${String(n).padStart(12, "z")}`,
    braces: (n) => `{6ba7b810-9dad-11d1-80b4-00c04fd430c${n}}`,
  },
  decimal: {
    word: (n) => `ten${n}`,
    comma: (n) => `1,${n}5`,
    spaces: (n) => ` ${n} 5 `,
    hex: (n) => `0x${n}z`,
    empty: () => "  ",
  },
  divisor: {
    zero: () => "0",
    negZero: () => "-0",
  },
  places: {
    negative: (n) => -n,
    fraction: (n) => n + 0.25,
    huge: (n) => 1e6 + n,
  },
  xml: {
    unclosed: (n) => `<root><item>${n}</root>`,
    badAttr: (n) => `<root a=${n}></root>`,
    twoRoots: (n) => `<a>${n}</a><b/>`,
    entity: (n) => `<root>&bogus${n};</root>`,
    text: (n) => `plain text ${n}`,
  },
  email: {
    noAt: (n) => `user${n}.example.com`,
    spaces: (n) => `us er${n}@example.com`,
  },
  schema: {
    badType: (n) => ({ type: `strnig${n}` }),
    badRequired: (n) => ({ type: "object", required: `name${n}` }),
    badPattern: (n) => ({ type: "string", pattern: `([a-${n}` }),
    unknownFormat: (n) => ({ type: "string", format: `colour${n}` }),
    badRef: (n) => ({ $ref: `#/definitions/missing${n}` }),
  },
  record: {
    wrongTypes: (n) => ({ name: n, age: `old${n}`, email: `x${n}` }),
    empty: () => ({}),
    extra: (n) => ({ name: "a", age: 3, email: "a@b.co", admin: n }),
    negative: (n) => ({ name: "a", age: -n, email: "a@b.co" }),
  },
  route: {
    optional: (n) => `/hooks/:id?/${n}`,
    repeat: (n) => `/hooks/:path+/${n}`,
    group: (n) => `/hooks/:id(\\d+/${n}`,
    star: (n) => `/hooks/*/${n}`,
    noName: (n) => `/hooks/:/${n}`,
    braces: (n) => `/hooks{/:id/${n}`,
  },
  params: {
    missingKey: (n) => ({ other: `x${n}` }),
    nullValue: () => ({ id: null, partner: null }),
    arrayValue: (n) => ({ id: [`a${n}`, "b"], partner: [`a${n}`] }),
    objectValue: (n) => ({ id: { v: n }, partner: { v: n } }),
  },
  cron: {
    outOfRange: (n) => `61 ${n} * * *`,
    badHour: (n) => `0 ${24 + n} * * *`,
    word: (n) => `every-${n}-minutes`,
    zeroStep: (n) => `*/0 ${n} * * *`,
    badRange: (n) => `5-${n}x * * * *`,
    tooMany: (n) => `* * * * * * ${n}`,
    reversed: (n) => `0 0 ${20 + n}-3 * *`,
  },
  formula: {
    unbalanced: (n) => `(1 + ${n}`,
    unknownSymbol: (n) => `price${n} * 2`,
    unknownFunction: (n) => `taxrate${n}(2)`,
    doubleStar: (n) => `2 ** ${n}`,
    tooManyArgs: (n) => `sqrt(${n}, 2)`,
    dimensions: (n) => `[1, 2] * [${n}, 2, 3]`,
    units: (n) => `${n} cm + 2 kg`,
    trailingOp: (n) => `${n} +`,
  },
  unit: {
    bogus: (n) => `furlongz${n}`,
    otherDimension: () => "kg",
    withNumber: (n) => `${n} inch`,
  },
  quantity: {
    bareNumber: (n) => `${n}`,
    bogusUnit: (n) => `${n} blorps`,
    word: (n) => `five${n}`,
  },
  matrix: {
    singular: (n) => [[1, 2], [2 * n, 4 * n]],
    ragged: (n) => [[1, 2], [n]],
    notSquare: (n) => [[1, 2, n], [4, 5, 6]],
    strings: (n) => [["a", "b"], ["c", `d${n}`]],
  },
  entries: {
    badItem: (n) => ["10.00", `ten${n}`],
    nullItem: () => ["10.00", null],
    nested: (n) => [[`1.${n}`]],
    objectItem: (n) => ["1", { cents: n }],
  },
  radix: {
    tooBig: (n) => 36 + n,
    one: () => 1,
    fraction: (n) => n + 0.5,
  },
  cents: {
    fraction: (n) => n + 0.5,
    text: (n) => `${n}99`,
    huge: (n) => 2 ** 60 + n,
  },
  currency: {
    lower: () => "usd",
    bogus: (n) => `XY${n}Z`,
    symbol: () => "$",
  },
  ratios: {
    empty: () => [],
    negative: (n) => [-n, 50],
    zeros: () => [0, 0],
    words: (n) => [`half${n}`, "half"],
  },
  percent: {
    over: (n) => 100 + n,
    negative: (n) => -n,
    text: (n) => `${n}%`,
  },
  rounding: {
    bogus: (n) => `HALF_SIDEWAYS_${n}`,
    lower: () => "half_even",
  },
  quotes: {
    empty: () => [],
    fraction: (n) => [1200, n + 0.5],
    text: (n) => [1200, `${n}99`],
  },
  offset: {
    tooFar: (n) => `+${18 + n}:00`,
    noSign: (n) => `0${n}:00`,
    word: (n) => `east-${n}`,
    seconds: (n) => `+05:30:${60 + n}`,
  },
  isoDuration: {
    word: (n) => `soon${n}`,
    noPrefix: (n) => `${n}H30M`,
    mixed: (n) => `P${n}Y2H`,
    lower: (n) => `pt${n}h`,
  },
  gql: {
    unclosed: (n) => `{ items(limit: ${n}) { id name }`,
    badToken: (n) => `{ items(limit: ${n}) { id @@ } }`,
    unterminated: (n) => `{ item(id: "${n}) { name } }`,
    unknownField: (n) => `{ items(limit: ${n}) { price${n} } }`,
    missingArg: (n) => `{ items { id } q${n}: item(id: "1") { name } }`,
    wrongArgType: (n) => `{ items(limit: "${n}") { id } }`,
    noSelection: (n) => `{ item(id: "${n}") }`,
  },
  sdl: {
    unknownType: (n) => `type Query { a: Widget${n} }`,
    noQuery: (n) => `type Thing { a${n}: Int }`,
    duplicate: (n) => `type Query { a: Int }\ntype Query { b${n}: Int }`,
    syntax: (n) => `type Query { a: Int ${n}`,
    badDirective: (n) => `type Query { a: Int @cached${n} }`,
  },
  ip: {
    outOfRange: (n) => `300.1.1.${n}`,
    short: (n) => `10.0.${n}`,
    badHex: (n) => `fe80::g${n}`,
    withPrefix: (n) => `10.0.0.${n}/24`,
    spaced: (n) => ` 10.0.0.${n}`,
  },
  cidr: {
    noBits: (n) => `10.0.${n}.0`,
    badBits: (n) => `10.0.0.0/${32 + n}`,
    ipv6: (n) => `fe80::${n}/64`,
    bogus: (n) => `net-${n}/8`,
  },
  patch: {
    unresolvable: (n) => [{ op: "replace", path: `/missing${n}/x`, value: n }],
    badOp: (n) => [{ op: `frob${n}`, path: "/title" }],
    testFails: (n) => [{ op: "test", path: "/title", value: `x${n}` }],
    noValue: () => [{ op: "add", path: "/title" }],
    relativePath: (n) => [{ op: "add", path: `title${n}`, value: 1 }],
    badIndex: (n) => [{ op: "add", path: `/tags/${10 + n}`, value: "z" }],
    notArray: (n) => ({ op: "add", path: "/title", value: n }),
  },
  pointer: {
    relative: (n) => `meta/owner${n}`,
    missing: (n) => `/meta/missing${n}`,
    number: (n) => `/meta/rev${n > 2 ? "" : n}`,
  },
  jsonpath: {
    badFilter: (n) => `$.docs[?(@.rev > )].x${n}`,
    callInFilter: (n) => `$.docs[?(@.title.shout${n}())]`,
    unclosed: (n) => `$.docs[${n}`,
    script: (n) => `$.docs[(@.length-${n})`,
    noMatch: (n) => `$.nothing${n}`,
  },
  ejs: {
    unclosed: (n) => `<h1><%= user.name ${n}`,
    badJs: (n) => `<% if (${n} { %>x<% } %>`,
    undefinedVar: (n) => `<%= missing${n}.name %>`,
    include: (n) => `<%- include("footer${n}") %>`,
    throwing: (n) => `<%= user.name.toFixed(${n}) %>`,
  },
  cookieName: {
    spaced: (n) => `my cookie${n}`,
    semicolon: (n) => `sid;${n}`,
    equals: (n) => `=sid${n}`,
  },
  cookieHeader: {
    noSid: (n) => `theme=dark${n}`,
    garbage: (n) => `;;;${n}`,
    badEncoding: (n) => `sid=%E0%A4%A${n}`,
  },
  word: {
    bogus: (n) => `bogus-${n}`,
    spaced: (n) => ` x ${n} `,
    symbol: (n) => `#${n}!`,
  },
  duration: {
    word: (n) => `soon${n}`,
    negative: (n) => -n,
    fraction: (n) => `${n}.5 days`,
  },
  versions: {
    badItem: (n) => ["1.0.0", `v${n}.x`],
    nested: (n) => [[`1.${n}.0`]],
    nullItem: () => ["1.0.0", null],
  },
  records: {
    badItem: (n) => [{ name: "ann", age: 3, email: "a@b.co" }, { name: n }],
    nested: (n) => [[n]],
  },
  bytes: {
    short: (n) => Array.from({ length: n }, () => 1),
    big: (n) => Array.from({ length: 16 }, () => 300 + n),
  },
  pattern: {
    unbalanced: (n) => `/users/(${n}`,
    badParam: (n) => `/users/:${n}`,
    star: (n) => `/files/*${n}`,
  },
};

function familiesFor(kind) {
  return { ...GENERIC, ...(KINDS[kind] || {}) };
}

// The input of one try: the function's good input with one field replaced.
function inputFor(good, field, value) {
  const input = JSON.parse(JSON.stringify(good));
  if (value === MISSING) delete input[field];
  else input[field] = value;
  return input;
}

module.exports = { GENERIC, KINDS, MISSING, familiesFor, inputFor };
