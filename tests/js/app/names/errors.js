// Error classes that report their class name, which a minifier renames (NotFoundError → `Xd`).
// Lines a stack passes through in this app end with `// frame:<kind>:<expected function name>`
// (tests/sourcemaps/test_sourcemaps.py, bench/sourcemap_names.py).
export class NotFoundError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends Error {
  name = this.constructor.name;
}
