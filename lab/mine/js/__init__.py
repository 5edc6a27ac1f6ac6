"""The JavaScript part of the mined corpus: real npm libraries at several released versions,
called by small applications through Express, Koa, plain `http`, worker_threads, a CLI and (in
Chromium) browser event handlers, with bad inputs found by running them; every event captured by
the real @sentry/node or @sentry/browser. `python -m lab.mine.js` mines, `--stats` summarises;
docs/corpus.md ("Node", "Browser JavaScript") says how bugs are labelled."""
