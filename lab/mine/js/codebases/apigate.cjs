// An API gateway: GraphQL requests parsed, validated and run against the gateway's schema
// (graphql 14 → 16: GraphQLError's constructor, locations and "Did you mean" messages rewritten,
// variable coercion errors reworded in 15) and client addresses checked against allowlists
// (ipaddr.js 1.x → 2.x: prefix lengths validated, messages of the parsers reworded).
"use strict";
module.exports = {
  name: "apigate",
  platform: "node",
  libs: { graphql: ["14.7.0", "15.8.0", "16.8.1", "16.11.0"], "ipaddr.js": ["1.9.1", "2.0.1", "2.1.0", "2.2.0"] },
  files: [
    {
      path: "gateway/graphql.js",
      imports: () => [
        'const { buildSchema, parse, validate, graphqlSync } = require("graphql");',
        'const SCHEMA = buildSchema("type Item { id: ID!, name: String! }\\ntype Query { items(limit: Int!): [Item!]!, item(id: ID!): Item }");',
        "const ROOT = { items: ({ limit }) => [{ id: \"1\", name: \"a\" }].slice(0, limit), item: ({ id }) => ({ id, name: \"a\" }) };",
      ],
      functions: [
        {
          name: "parseRequest",
          fields: { query: "gql" },
          good: { query: "{ items(limit: 2) { id name } }" },
          body: () => ["return parse(input.query).definitions.length;"],
        },
        {
          name: "checkRequest",
          fields: { query: "gql" },
          good: { query: "{ item(id: \"1\") { name } }" },
          body: () => [
            "const errors = validate(SCHEMA, parse(input.query));",
            "if (errors.length) throw errors[0];",
            "return \"ok\";",
          ],
        },
        {
          name: "listItems",
          fields: { limit: "digits" },
          good: { limit: 1 },
          body: () => [
            "const result = graphqlSync({ schema: SCHEMA, rootValue: ROOT, source: \"query($limit: Int!) { items(limit: $limit) { name } }\", variableValues: { limit: input.limit } });",
            "if (result.errors) throw result.errors[0];",
            "return result.data.items.length;",
          ],
        },
        {
          name: "loadPartnerSchema",
          fields: { sdl: "sdl" },
          good: { sdl: "type Query { ping: String }" },
          body: () => ["return buildSchema(input.sdl).getQueryType().name;"],
        },
      ],
    },
    {
      path: "gateway/clients.js",
      imports: () => ['const ipaddr = require("ipaddr.js");'],
      functions: [
        {
          name: "clientKind",
          fields: { ip: "ip" },
          good: { ip: "10.0.0.7" },
          body: () => ["return ipaddr.parse(input.ip).kind();"],
        },
        {
          name: "isAllowed",
          fields: { cidr: "cidr" },
          good: { cidr: "10.0.0.0/8" },
          body: () => [
            "const [range, bits] = ipaddr.parseCIDR(input.cidr);",
            "return ipaddr.parse(\"10.0.0.5\").match(range, bits);",
          ],
        },
        {
          name: "canonicalClient",
          fields: { ip: "ip" },
          good: { ip: "::ffff:10.0.0.7" },
          body: () => ["return ipaddr.process(input.ip).toString();"],
        },
        {
          name: "subnetMask",
          fields: { bits: "digits" },
          good: { bits: 24 },
          body: () => ["return ipaddr.IPv4.subnetMaskFromPrefixLength(input.bits).toString();"],
        },
      ],
    },
  ],
};
