"""Zoom: OAuth for a practitioner's own user or a clinic's Server-to-Server app, and scheduled meetings."""
