// An auth gateway: session tokens (jsonwebtoken) and resource ids (uuid).
"use strict";
module.exports = {
  name: "authgw",
  platform: "node",
  libs: { jsonwebtoken: ["8.5.1", "9.0.0", "9.0.2", "9.0.3"], uuid: ["8.3.2", "9.0.1", "10.0.0", "11.1.0"] },
  files: [
    {
      path: "auth/tokens.js",
      imports: () => ['const jwt = require("jsonwebtoken");'],
      prelude: () => ['const SECRET = "gateway-signing-key-0001-0002-0003";'],
      functions: [
        {
          name: "verifySession",
          fields: { token: "token" },
          good: { token: "" },
          body: () => ['const token = input.token === "" ? jwt.sign({ sub: "u1" }, SECRET) : input.token;', "return jwt.verify(token, SECRET).sub.toString();"],
        },
        {
          name: "decodeClaims",
          fields: { token: "token" },
          good: { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.x" },
          body: () => ["const claims = jwt.decode(input.token);", "return claims.sub.length;"],
        },
        {
          name: "issueToken",
          fields: { claims: "json", expiresIn: "duration" },
          good: { claims: { sub: "u1" }, expiresIn: "1h" },
          body: () => ["return jwt.sign(input.claims, SECRET, { expiresIn: input.expiresIn }).length;"],
        },
        {
          name: "verifyPartner",
          fields: { secret: "secret" },
          good: { secret: "partner-key-0001-0002-0003-0004" },
          body: () => ['const token = jwt.sign({ sub: "p1" }, "partner-key-0001-0002-0003-0004");', "return jwt.verify(token, input.secret).sub;"],
        },
      ],
    },
    {
      path: "auth/ids.js",
      imports: () => ['const uuid = require("uuid");'],
      functions: [
        {
          name: "parseResourceId",
          fields: { id: "uuid" },
          good: { id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" },
          body: () => ["return uuid.parse(input.id).length;"],
        },
        {
          name: "namedId",
          fields: { name: "word", namespace: "uuid" },
          good: { name: "ann", namespace: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" },
          body: () => ["return uuid.v5(input.name, input.namespace);"],
        },
        {
          name: "idVersion",
          fields: { id: "uuid" },
          good: { id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" },
          body: () => ["return uuid.version(input.id);"],
        },
        {
          name: "idFromBytes",
          fields: { bytes: "bytes" },
          good: { bytes: [16, 32, 48, 64, 80, 96, 64, 112, 128, 144, 160, 176, 192, 208, 224, 240] },
          body: () => ["return uuid.stringify(input.bytes);"],
        },
      ],
    },
  ],
};
