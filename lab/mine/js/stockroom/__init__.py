"""The stockroom evaluation service (lab.mine.js.stockroom.__main__)."""
