"""Writes: keyword-only functions named <entity>_<action>, one transaction each, one module per area."""
