"""Web layer: page and JSON API blueprints. Imports use cases, never SQL or Socket.IO internals."""
