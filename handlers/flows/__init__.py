"""The secretary's multi-step flows, one module each, run by handlers.dialog."""
