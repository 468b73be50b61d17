"""Writes: keyword-only functions named <entity>_<action>, one module per area."""
